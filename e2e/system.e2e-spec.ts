import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { DEFAULT_RETRY_DELAYS_MS } from '@aegis/config';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, it, expect } from '@jest/globals';
import { promisify } from 'node:util';
import { SERVICE_NAMES, type ServiceName } from '@aegis/contracts';
import { topologyNames } from '@aegis/messaging';
import {
  baseAmqpUrl,
  createTestDatabase,
  createTestPrefix,
  deleteServiceTopologies,
  waitFor,
  type TestDatabase,
  compiledPath,
  defined,
  readinessOf,
} from '@aegis/testing';
import { connect } from 'amqplib';

const run = promisify(execFile);
const CONSUMING_SERVICES: ServiceName[] = ['metering', 'billing', 'subscriptions', 'disputes'];
const startScript = compiledPath('tools/start.js');

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function portVariable(service: string): string {
  return `${service.toUpperCase().replaceAll('-', '_')}_PORT`;
}

describe('npm start: the whole system', () => {
  let database: TestDatabase;
  const prefix = createTestPrefix();
  const ports = new Map<ServiceName, number>();
  let system: ChildProcess;
  let output = '';

  beforeAll(async () => {
    database = await createTestDatabase();
    for (const service of SERVICE_NAMES) ports.set(service, await freePort());
    system = spawn(process.execPath, ['--enable-source-maps', startScript], {
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        AMQP_URL: baseAmqpUrl(),
        MESSAGING_PREFIX: prefix,
        LOG_LEVEL: 'warn',
        ...Object.fromEntries(
          [...ports].map(([service, port]) => [portVariable(service), String(port)]),
        ),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    system.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    system.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  });

  afterAll(async () => {
    if (system.exitCode === null) {
      system.kill('SIGKILL');
      await once(system, 'exit');
    }
    await deleteServiceTopologies(
      baseAmqpUrl(),
      SERVICE_NAMES.map((service) => topologyNames(prefix, service, DEFAULT_RETRY_DELAYS_MS)),
    );
    await database.drop();
  });

  it('brings every service to ready', async () => {
    for (const [service, port] of ports) {
      const ready = waitFor(
        () => readinessOf(`http://127.0.0.1:${port}`),
        (status) => status === 200,
        { timeoutMs: 90_000, intervalMs: 250, what: `${service} to be ready` },
      );
      await ready.catch((error: unknown) => {
        throw new Error(
          `${(error as Error).message}\nlast output of npm start:\n${output.slice(-3_000)}`,
        );
      });
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(
        new RegExp(`process_cpu_user_seconds_total\\{service="${service}"\\}`),
      );
    }
  });

  it('declares the exchange and, for each consuming service, a quorum queue with retry and dead-letter queues', async () => {
    const connection = await connect(baseAmqpUrl());
    try {
      const channel = await connection.createChannel();
      await channel.checkExchange(`${prefix}.events`);
      await channel.close();
    } finally {
      await connection.close();
    }
    // What the broker itself reports about our queues: type and dead-letter arguments.
    const { stdout } = await run('rabbitmqctl', [
      '-q',
      'list_queues',
      'name',
      'type',
      'arguments',
      '--formatter',
      'json',
    ]);
    const listed = new Map(
      (
        JSON.parse(stdout) as {
          name: string;
          type: string;
          arguments: [string, string, unknown][];
        }[]
      )
        .filter((queue) => queue.name.startsWith(`${prefix}.`))
        .map((queue) => [
          queue.name,
          {
            type: queue.type,
            arguments: new Map(queue.arguments.map(([key, , value]) => [key, value])),
          },
        ]),
    );
    for (const service of CONSUMING_SERVICES) {
      const names = topologyNames(prefix, service, DEFAULT_RETRY_DELAYS_MS);
      const main = defined(listed.get(names.queue), names.queue);
      expect(main.type).toBe('quorum');
      expect(main.arguments.get('x-dead-letter-routing-key')).toBe(names.deadLetterQueue);
      expect(listed.get(names.deadLetterQueue)?.type).toBe('quorum');
      for (const [index, retryQueue] of names.retryQueues.entries()) {
        const retry = listed.get(retryQueue);
        expect(retry?.arguments.get('x-message-ttl')).toBe(DEFAULT_RETRY_DELAYS_MS[index]);
        expect(retry?.arguments.get('x-dead-letter-routing-key')).toBe(names.queue);
      }
    }
  });

  it('stops every service on Ctrl-C', async () => {
    system.kill('SIGINT');
    const [code] = (await once(system, 'exit')) as [number | null];
    expect(code).toBe(0);
    for (const port of ports.values()) {
      await expect(
        fetch(`http://127.0.0.1:${port}/health/live`, { signal: AbortSignal.timeout(1_000) }),
      ).rejects.toThrow();
    }
  });
});
