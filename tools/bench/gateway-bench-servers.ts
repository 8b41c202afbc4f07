/**
 * The reference servers of `npm run bench:gateway`, each run by gateway.bench.ts
 * in a process of its own, as the gateway runs in its own:
 *
 *   node gateway-bench-servers.js baseline   any request: reads the body, parses it
 *                                            as JSON, one Redis INCR of
 *                                            BENCH_REDIS_KEY on BENCH_REDIS_URL,
 *                                            answers a small JSON body. The least a
 *                                            verify call's job needs, with no framework.
 *   node gateway-bench-servers.js upstream   any request: the small JSON body given in
 *                                            BENCH_UPSTREAM_BODY (the API behind the proxy).
 *
 * Each prints `listening <port>` once it accepts connections on 127.0.0.1 and
 * exits on SIGTERM.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Redis } from 'ioredis';

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    request.on('error', reject);
  });
}

function answer(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

function baselineHandler(): (request: IncomingMessage, response: ServerResponse) => void {
  const redisUrl = process.env.BENCH_REDIS_URL;
  const counterKey = process.env.BENCH_REDIS_KEY;
  if (redisUrl === undefined || counterKey === undefined)
    throw new Error('baseline needs BENCH_REDIS_URL and BENCH_REDIS_KEY');
  const redis = new Redis(redisUrl);
  process.once('SIGTERM', () => void redis.quit());
  return (request, response) => {
    void (async () => {
      try {
        JSON.parse((await readBody(request)) || 'null');
        const count = await redis.incr(counterKey);
        answer(response, 200, JSON.stringify({ valid: true, count }));
      } catch {
        answer(response, 500, JSON.stringify({ error: 'baseline failed' }));
      }
    })();
  };
}

function upstreamHandler(): (request: IncomingMessage, response: ServerResponse) => void {
  const body = process.env.BENCH_UPSTREAM_BODY;
  if (body === undefined) throw new Error('upstream needs BENCH_UPSTREAM_BODY');
  return (request, response) => {
    request.resume();
    request.on('end', () => {
      answer(response, 200, body);
    });
  };
}

const kind = process.argv[2];
if (kind !== 'baseline' && kind !== 'upstream') {
  process.stderr.write('usage: gateway-bench-servers.js baseline|upstream\n');
  process.exit(2);
}
const server = createServer(kind === 'baseline' ? baselineHandler() : upstreamHandler());
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const address = server.address();
if (address === null || typeof address === 'string') throw new Error('no port');
process.stdout.write(`listening ${address.port}\n`);
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close();
});
