import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CreatedApiKeyV1, CustomerResourceV1, ProblemV1 } from '@aegis/contracts';
import { defined, freePort, rejectionOf, waitFor, type ServiceProcess } from '@aegis/testing';
import { stringify as toYaml } from 'yaml';
import { GatewayHarness } from './gateway-harness.js';

const SCOPE = 'intel:read';
const FIVE_MB = 5 * 1024 * 1024;

interface Deferred {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
}

function deferred(): Deferred {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
const uniqueId = (): string => randomBytes(6).toString('hex');

interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  body: Buffer;
  /** The gateway closed the connection before this upstream answered. */
  abandoned: boolean;
}

/**
 * The operator's API, in this process: `/base/<kind>/<id>…` records each request and answers
 * as its kind says (echo, stream-in, download, gated, hop, slow).
 */
class TestUpstream {
  readonly received: ReceivedRequest[] = [];
  /** `gated/<id>`: the second half of the answer waits for the test to open the gate. */
  readonly gates = new Map<string, Deferred>();
  /** `stream-in/<id>`: resolved when the first chunk of the request body arrives. */
  readonly firstChunks = new Map<string, Deferred>();
  readonly download = randomBytes(FIVE_MB);
  private readonly held: ServerResponse[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<TestUpstream> {
    const server = createServer();
    const upstream = new TestUpstream(server);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      void upstream.answer(request, response);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return upstream;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The request whose URL contains `marker`. */
  find(marker: string): ReceivedRequest | undefined {
    return this.received.find((request) => request.url.includes(marker));
  }

  count(marker: string): number {
    return this.received.filter((request) => request.url.includes(marker)).length;
  }

  async stop(): Promise<void> {
    for (const response of this.held) response.destroy();
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://upstream');
    const [, , kind = 'echo', id = ''] = url.pathname.split('/');
    const received: ReceivedRequest = {
      method: request.method ?? '',
      url: request.url ?? '',
      headers: request.headers,
      body: Buffer.alloc(0),
      abandoned: false,
    };
    this.received.push(received);
    response.once('close', () => {
      if (!response.writableFinished) received.abandoned = true;
    });
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      this.firstChunks.get(id)?.resolve();
    });
    if (kind === 'slow') {
      this.held.push(response);
      return;
    }
    await once(request, 'end');
    received.body = Buffer.concat(chunks);
    switch (kind) {
      case 'download':
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        for (let offset = 0; offset < this.download.length; offset += 64 * 1024)
          if (!response.write(this.download.subarray(offset, offset + 64 * 1024)))
            await once(response, 'drain');
        response.end();
        return;
      case 'gated': {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.write('first;');
        await defined(this.gates.get(id), `the gate of ${id}`).promise;
        response.end('second');
        return;
      }
      case 'hop':
        response.writeHead(200, {
          connection: 'X-Upstream-Hop',
          'x-upstream-hop': '1',
          'keep-alive': 'timeout=99',
          'proxy-authenticate': 'Basic realm="upstream"',
          upgrade: 'h2c',
          'x-end-to-end': 'kept',
        });
        response.end('hop');
        return;
      default: {
        const status = Number(url.searchParams.get('status') ?? '200');
        response.writeHead(status, { 'content-type': 'application/json', 'x-upstream': kind });
        response.end(JSON.stringify({ kind, bytes: received.body.length }));
      }
    }
  }
}

interface RawAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** An HTTP/1.1 request with node:http (fetch refuses hop-by-hop headers). */
function send(
  url: string,
  { method = 'GET', headers = {} }: { method?: string; headers?: OutgoingHttpHeaders } = {},
  writeBody: (request: ReturnType<typeof httpRequest>) => void | Promise<void> = (request) => {
    request.end();
  },
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks),
        });
      });
    });
    request.on('error', reject);
    Promise.resolve(writeBody(request)).catch(reject);
  });
}

let harness: GatewayHarness;
let upstream: TestUpstream;
let gateway: ServiceProcess;
let routesDirectory: string;

beforeAll(async () => {
  upstream = await TestUpstream.start();
  const base = `http://127.0.0.1:${upstream.port}/base`;
  routesDirectory = mkdtempSync(join(tmpdir(), 'aegis-routes-'));
  const routesFile = join(routesDirectory, 'routes.yaml');
  writeFileSync(
    routesFile,
    toYaml({
      routes: [
        { name: 'intel', upstream: base, product_id: 'api_call', quantity: 2, scope: SCOPE },
        { name: 'slow', upstream: base, product_id: 'api_call', scope: SCOPE, timeout_ms: 300 },
        {
          name: 'billed-errors',
          upstream: base,
          product_id: 'api_call',
          scope: SCOPE,
          bill_server_errors: true,
        },
        {
          name: 'down',
          upstream: `http://127.0.0.1:${await freePort()}`,
          product_id: 'api_call',
          scope: SCOPE,
        },
      ],
    }),
  );
  harness = await GatewayHarness.start({ replicas: 1 });
  gateway = await harness.startReplica({ GATEWAY_ROUTES_FILE: routesFile });
});

afterAll(async () => {
  await harness.stop();
  await upstream.stop();
  rmSync(routesDirectory, { recursive: true, force: true });
});

async function customerWithKey(
  body: Record<string, unknown> = {},
): Promise<{ customer: CustomerResourceV1; key: CreatedApiKeyV1 }> {
  const customer = await harness.createCustomer();
  const key = await harness.createKey(customer.id, { scopes: [SCOPE], ...body });
  return { customer, key };
}

interface ProxyAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

async function proxy(
  path: string,
  {
    key,
    method = 'GET',
    headers = {},
    body,
  }: {
    key: string | null;
    method?: string;
    headers?: Record<string, string>;
    body?: Buffer | string;
  },
): Promise<ProxyAnswer> {
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers: { ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...headers },
    ...(body === undefined ? {} : { body }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: Buffer.from(await response.arrayBuffer()),
  };
}

function problemOf(answer: ProxyAnswer): ProblemV1 {
  expect(answer.headers.get('content-type')).toContain('application/problem+json');
  return JSON.parse(answer.body.toString()) as ProblemV1;
}

/**
 * The usage events the gateway committed for a customer. The end of a proxied answer reaches
 * the caller only once its usage is durable, so right after an answer this is final for it.
 */
async function committedUsageOf(customerId: string): Promise<{ id: string }[]> {
  return harness.sql.query<{ id: string }[]>(
    `SELECT "id" FROM "gateway"."outbox"
      WHERE "message_type" = 'usage.recorded.v2' AND "envelope"->'data'->>'customerId' = $1`,
    [customerId],
  );
}

interface UsageRow {
  event_id: string;
  meter: string;
  quantity: string;
  api_key_id: string | null;
  metadata: Record<string, string>;
}

async function meteredUsageOf(customerId: string, expected: number): Promise<UsageRow[]> {
  return waitFor(
    () =>
      harness.sql.query<UsageRow[]>(
        `SELECT "id" AS "event_id", "product_id" AS "meter", "quantity", "api_key_id", "metadata"
           FROM "metering"."usage_events" WHERE "customer_id" = $1`,
        [customerId],
      ),
    (rows) => rows.length >= expected,
    { timeoutMs: 10_000, what: `metering to store ${expected} usage events of ${customerId}` },
  );
}

describe('forwarding', () => {
  it('forwards method, path, query, body and headers, adds X-Aegis-Customer-Id and never the caller’s key', async () => {
    const { customer, key } = await customerWithKey();
    const id = uniqueId();
    const body = JSON.stringify({ query: 'who', nested: { n: 1 } });
    const answer = await proxy(`/proxy/intel/echo/${id}/items?expand=a&x=%20y`, {
      key: key.key,
      method: 'PATCH',
      headers: {
        'content-type': 'application/json',
        'x-custom': 'yes',
        'x-aegis-customer-id': 'cust_spoofed',
      },
      body,
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-upstream')).toBe('echo');
    expect(answer.headers.get('ratelimit-limit')).toBe('100');
    expect(JSON.parse(answer.body.toString())).toEqual({ kind: 'echo', bytes: body.length });
    const received = defined(upstream.find(id), 'the forwarded request');
    expect(received.method).toBe('PATCH');
    expect(received.url).toBe(`/base/echo/${id}/items?expand=a&x=%20y`);
    expect(received.body.toString()).toBe(body);
    expect(received.headers).toMatchObject({
      'content-type': 'application/json',
      'x-custom': 'yes',
      'x-aegis-customer-id': customer.id,
      'x-forwarded-proto': 'http',
      'x-forwarded-host': `127.0.0.1:${gateway.port}`,
      'x-correlation-id': answer.headers.get('x-correlation-id'),
      host: `127.0.0.1:${upstream.port}`,
    });
    expect(received.headers['x-forwarded-for']).toContain('127.0.0.1');
    expect(received.headers).not.toHaveProperty('authorization');
    expect(JSON.stringify(received.headers)).not.toContain(key.key);
  });

  it('forwards the route itself to the upstream’s base path, and a form body unparsed', async () => {
    const { key } = await customerWithKey();
    const marker = uniqueId();
    const bare = await proxy(`/proxy/intel?marker=${marker}`, { key: key.key });
    expect(bare.status).toBe(200);
    expect(defined(upstream.find(marker), 'the bare route call').url).toBe(
      `/base?marker=${marker}`,
    );
    const id = uniqueId();
    const form = await proxy(`/proxy/intel/echo/${id}`, {
      key: key.key,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1&b=two+words&a=3',
    });
    expect(form.status).toBe(200);
    expect(defined(upstream.find(id), 'the form post').body.toString()).toBe('a=1&b=two+words&a=3');
  });

  it('streams a 5 MB upload (as JSON no parser reads) and a 5 MB download untouched', async () => {
    const { key } = await customerWithKey();
    const id = uniqueId();
    const upload = randomBytes(FIVE_MB);
    const uploaded = await proxy(`/proxy/intel/echo/${id}`, {
      key: key.key,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: upload,
    });
    expect(uploaded.status).toBe(200);
    const received = defined(upstream.find(id), 'the upload');
    expect(received.body.length).toBe(FIVE_MB);
    expect(sha256(received.body)).toBe(sha256(upload));
    const downloaded = await proxy(`/proxy/intel/download/${uniqueId()}`, { key: key.key });
    expect(downloaded.status).toBe(200);
    expect(downloaded.body.length).toBe(FIVE_MB);
    expect(sha256(downloaded.body)).toBe(sha256(upstream.download));
  });

  it('streams as it goes: the caller reads the answer’s first chunk before the upstream sends the rest', async () => {
    const { key } = await customerWithKey();
    const id = uniqueId();
    const gate = deferred();
    upstream.gates.set(id, gate);
    const response = await fetch(`${gateway.url}/proxy/intel/gated/${id}`, {
      headers: { authorization: `Bearer ${key.key}` },
    });
    expect(response.status).toBe(200);
    const reader: ReadableStreamDefaultReader<Uint8Array> = defined(
      response.body,
      'the answer’s body',
    ).getReader();
    const decoder = new TextDecoder();
    const first = await reader.read();
    expect(decoder.decode(first.value)).toBe('first;');
    gate.resolve();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      rest += decoder.decode(chunk.value);
    expect(rest).toBe('second');
  });

  it('streams as it goes: the upstream reads the upload’s first chunk before the caller sends the rest', async () => {
    const { key } = await customerWithKey();
    const id = uniqueId();
    const firstChunk = deferred();
    upstream.firstChunks.set(id, firstChunk);
    const answer = await send(
      `${gateway.url}/proxy/intel/stream-in/${id}`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${key.key}`, 'content-type': 'text/plain' },
      },
      async (request) => {
        request.write('part one;');
        await firstChunk.promise;
        request.end('part two');
      },
    );
    expect(answer.status).toBe(200);
    const received = defined(upstream.find(id), 'the streamed upload');
    expect(received.body.toString()).toBe('part one;part two');
  });

  it('strips hop-by-hop headers, and those Connection names, both ways', async () => {
    const { key } = await customerWithKey();
    const id = uniqueId();
    // A chunked upload: Transfer-Encoding and Trailer are this hop's framing only.
    const answer = await send(
      `${gateway.url}/proxy/intel/hop/${id}`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${key.key}`,
          connection: 'keep-alive, X-Hop',
          'x-hop': 'for the gateway only',
          'keep-alive': 'timeout=5',
          te: 'trailers',
          trailer: 'x-checksum',
          upgrade: 'h2c',
          'proxy-authorization': 'Basic eDp5',
          'x-end-to-end': 'kept',
        },
      },
      (request) => {
        request.write('hop ');
        request.end('body');
      },
    );
    expect(answer.status).toBe(200);
    const forwarded = defined(upstream.find(id), 'the forwarded request');
    expect(forwarded.body.toString()).toBe('hop body');
    const received = forwarded.headers;
    for (const name of ['x-hop', 'keep-alive', 'te', 'trailer', 'upgrade', 'proxy-authorization'])
      expect(received).not.toHaveProperty(name);
    expect(received['transfer-encoding']).toBe('chunked');
    expect(received.connection).not.toContain('X-Hop');
    expect(received['x-end-to-end']).toBe('kept');
    expect(answer.headers['x-end-to-end']).toBe('kept');
    for (const name of ['x-upstream-hop', 'proxy-authenticate', 'upgrade'])
      expect(answer.headers).not.toHaveProperty(name);
    expect(answer.headers['keep-alive']).not.toBe('timeout=99');
    expect(answer.headers.connection?.toLowerCase()).not.toContain('x-upstream-hop');
  });
});

describe('access', () => {
  it('answers 401 without a key, 403 for the admin key and without the route’s scope, 404 for an unknown route; none is forwarded or metered', async () => {
    const { customer, key } = await customerWithKey();
    const unscoped = await harness.createKey(customer.id, { scopes: ['intel:write'] });
    const marker = uniqueId();
    const path = `/proxy/intel/echo/${marker}`;
    const none = await proxy(path, { key: null });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect(problemOf(none).status).toBe(401);
    expect((await proxy(path, { key: 'ak_not_a_real_key' })).status).toBe(401);
    const admin = await proxy(path, { key: harness.adminKey });
    expect(admin.status).toBe(403);
    expect(problemOf(admin).detail).toContain('customer keys only');
    const withoutScope = await proxy(path, { key: unscoped.key });
    expect(withoutScope.status).toBe(403);
    expect(problemOf(withoutScope).detail).toContain(SCOPE);
    const unknown = await proxy(`/proxy/nowhere/echo/${marker}`, { key: key.key });
    expect(unknown.status).toBe(404);
    expect(problemOf(unknown)).toMatchObject({
      code: 'proxy_route_not_found',
      type: 'urn:aegis:problem:proxy_route_not_found',
    });
    expect(upstream.count(marker)).toBe(0);
    expect(await committedUsageOf(customer.id)).toEqual([]);
  });

  it('answers 429 over the key’s rate limit, and neither forwards nor meters that call', async () => {
    const { customer, key } = await customerWithKey({
      rate_limit: { requests: 1, per_seconds: 60 },
    });
    const marker = uniqueId();
    const allowed = await proxy(`/proxy/intel/echo/${marker}`, { key: key.key });
    expect(allowed.status).toBe(200);
    const limited = await proxy(`/proxy/intel/echo/${marker}`, { key: key.key });
    expect(limited.status).toBe(429);
    expect(problemOf(limited).code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(upstream.count(marker)).toBe(1);
    expect(await committedUsageOf(customer.id)).toHaveLength(1);
  });
});

describe('metering', () => {
  it('meters each forwarded call exactly once, with the route’s product and quantity and {endpoint, status}', async () => {
    const { customer, key } = await customerWithKey();
    const id = uniqueId();
    const statuses = await Promise.all([
      proxy(`/proxy/intel/echo/${id}/a?page=2`, { key: key.key }),
      proxy(`/proxy/intel/echo/${id}/b?status=201`, { key: key.key, method: 'POST', body: '{}' }),
      proxy(`/proxy/intel/echo/${id}/c?status=404`, { key: key.key, method: 'DELETE' }),
    ]);
    expect(statuses.map((answer) => answer.status)).toEqual([200, 201, 404]);
    const committed = await committedUsageOf(customer.id);
    expect(committed).toHaveLength(3);
    const rows = await meteredUsageOf(customer.id, 3);
    expect(rows.map((row) => row.event_id).sort()).toEqual(committed.map((row) => row.id).sort());
    expect(rows.every((row) => row.meter === 'api_call' && row.quantity === '2')).toBe(true);
    expect(rows.every((row) => row.api_key_id === key.id)).toBe(true);
    expect(rows.map((row) => row.metadata)).toHaveLength(3);
    expect(rows.map((row) => row.metadata)).toEqual(
      expect.arrayContaining([
        { endpoint: `/echo/${id}/a`, status: '200' },
        { endpoint: `/echo/${id}/b`, status: '201' },
        { endpoint: `/echo/${id}/c`, status: '404' },
      ]),
    );
  });

  it('does not bill a call the upstream answers with 5xx, unless the route bills server errors', async () => {
    const { customer, key } = await customerWithKey();
    const unbilled = await proxy(`/proxy/intel/echo/${uniqueId()}?status=503`, { key: key.key });
    expect(unbilled.status).toBe(503);
    expect(unbilled.headers.get('x-upstream')).toBe('echo');
    expect(await committedUsageOf(customer.id)).toEqual([]);
    const billed = await proxy(`/proxy/billed-errors/echo/${uniqueId()}?status=500`, {
      key: key.key,
    });
    expect(billed.status).toBe(500);
    const [row, ...others] = await meteredUsageOf(customer.id, 1);
    expect(others).toEqual([]);
    expect(row?.metadata.status).toBe('500');
    expect(await committedUsageOf(customer.id)).toHaveLength(1);
  });
});

describe('upstream failures', () => {
  it('answers 502 problem+json when nothing listens upstream, and meters nothing', async () => {
    const { customer, key } = await customerWithKey();
    const answer = await proxy('/proxy/down/anything', { key: key.key, method: 'POST', body: 'x' });
    expect(answer.status).toBe(502);
    expect(problemOf(answer)).toMatchObject({ status: 502, code: 'upstream_unreachable' });
    expect(problemOf(answer).detail).not.toContain('127.0.0.1');
    expect(await committedUsageOf(customer.id)).toEqual([]);
  });

  it('answers 504 when the upstream does not answer within timeout_ms, aborts its request and meters nothing', async () => {
    const { customer, key } = await customerWithKey();
    const id = uniqueId();
    const answer = await proxy(`/proxy/slow/slow/${id}`, { key: key.key });
    expect(answer.status).toBe(504);
    expect(problemOf(answer)).toMatchObject({ status: 504, code: 'upstream_timeout' });
    const received = defined(upstream.find(id), 'the slow request');
    await waitFor(
      () => Promise.resolve(received.abandoned),
      (abandoned) => abandoned,
      { timeoutMs: 5_000, what: 'the upstream request to be aborted' },
    );
    expect(await committedUsageOf(customer.id)).toEqual([]);
  });

  it('aborts the upstream request when the caller disconnects, and meters nothing', async () => {
    const { customer, key } = await customerWithKey();
    const id = uniqueId();
    const request = httpRequest(`${gateway.url}/proxy/intel/slow/${id}`, {
      headers: { authorization: `Bearer ${key.key}` },
    });
    request.on('error', () => undefined);
    request.end();
    await waitFor(
      () => Promise.resolve(upstream.count(id)),
      (count) => count === 1,
      { timeoutMs: 5_000, what: 'the call to reach the upstream' },
    );
    request.destroy();
    const received = defined(upstream.find(id), 'the slow request');
    await waitFor(
      () => Promise.resolve(received.abandoned),
      (abandoned) => abandoned,
      { timeoutMs: 5_000, what: 'the gateway to abort the upstream request' },
    );
    expect(await committedUsageOf(customer.id)).toEqual([]);
  });
});

describe('routes file', () => {
  it('stops the gateway at start with a message naming the file and each field at fault', async () => {
    const file = join(routesDirectory, 'bad-routes.json');
    const route = {
      name: 'intel',
      upstream: 'http://127.0.0.1:1',
      product_id: 'api_call',
      scope: SCOPE,
    };
    writeFileSync(
      file,
      JSON.stringify({
        routes: [route, { ...route }, { ...route, name: 'maps', upstream: 'ftp://x' }],
      }),
    );
    const failure = await rejectionOf(harness.startReplica({ GATEWAY_ROUTES_FILE: file }), Error);
    expect(failure.message).toContain(
      `gateway failed to start: Invalid configuration: GATEWAY_ROUTES_FILE (${file})`,
    );
    expect(failure.message).toContain('routes[1].name: "intel" is already the name of routes[0]');
    expect(failure.message).toContain('routes[2].upstream: must be an http:// or https:// URL');
  });
});

describe('secrets', () => {
  it('never logs a key (scans every gateway process’s output of this run)', () => {
    const logs = harness.gatewayLogs();
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of harness.issuedSecrets) expect(logs.includes(secret)).toBe(false);
  });
});
