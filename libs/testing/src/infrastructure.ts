import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { DEFAULT_AMQP_URL, DEFAULT_DATABASE_URL } from '@aegis/config';
import { dropDatabase, ensureDatabase } from '@aegis/persistence';
import { queuesOf, type TopologyNames } from '@aegis/messaging';
import { connect } from 'amqplib';

const run = promisify(execFile);

/** A short random suffix for names private to one test run. */
export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

function baseDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
}

export function baseAmqpUrl(): string {
  return process.env.TEST_AMQP_URL ?? process.env.AMQP_URL ?? DEFAULT_AMQP_URL;
}

export interface TestDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** A fresh database for one test file, dropped afterwards. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const url = new URL(baseDatabaseUrl());
  url.pathname = `/aegis_test_${uniqueSuffix()}`;
  await ensureDatabase(url.toString());
  return { url: url.toString(), drop: () => dropDatabase(url.toString()) };
}

/** A broker name prefix private to one test file. */
export function createTestPrefix(): string {
  return `t-${uniqueSuffix()}`;
}

/** Deletes the named queues and exchanges, e.g. everything a test prefix created. */
export async function deleteBrokerObjects(
  amqpUrl: string,
  queues: readonly string[],
  exchanges: readonly string[],
): Promise<void> {
  const connection = await connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    for (const queue of queues) await channel.deleteQueue(queue);
    for (const exchange of exchanges) await channel.deleteExchange(exchange);
    await channel.close();
  } finally {
    await connection.close();
  }
}

export interface TestVhost {
  readonly name: string;
  readonly url: string;
  /** Forcibly closes every client connection in this vhost, as a broker failure would. */
  closeAllConnections(): Promise<void>;
  drop(): Promise<void>;
}

/**
 * A RabbitMQ virtual host of its own, for tests that break connections: the
 * fault stays inside it and never touches other test files running alongside.
 * Needs `rabbitmqctl` on the machine running the broker.
 */
export async function createTestVhost(): Promise<TestVhost> {
  const name = `aegis-test-${uniqueSuffix()}`;
  const user = new URL(baseAmqpUrl()).username || 'guest';
  await run('rabbitmqctl', ['-q', 'add_vhost', name]);
  await run('rabbitmqctl', [
    '-q',
    'set_permissions',
    '-p',
    name,
    decodeURIComponent(user),
    '.*',
    '.*',
    '.*',
  ]);
  const url = new URL(baseAmqpUrl());
  url.pathname = `/${encodeURIComponent(name)}`;
  return {
    name,
    url: url.toString(),
    closeAllConnections: async () => {
      await run('rabbitmqctl', [
        '-q',
        'close_all_connections',
        '-p',
        name,
        'test: simulated broker failure',
      ]);
    },
    drop: async () => {
      await run('rabbitmqctl', ['-q', 'delete_vhost', name]);
    },
  };
}

/** Polls `probe` until it returns a value that satisfies `done`, or fails after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 20_000, intervalMs = 50, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(value)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Deletes the queues of each service and the exchanges they share. */
export async function deleteServiceTopologies(
  amqpUrl: string,
  services: readonly TopologyNames[],
): Promise<void> {
  const exchanges = new Set(services.flatMap((names) => [names.eventsExchange, names.rpcExchange]));
  await deleteBrokerObjects(amqpUrl, services.flatMap(queuesOf), [...exchanges]);
}
