/**
 * `npm run bench:ingest`: webhook-ingest's throughput and latency for signed
 * webhooks, beside a plain loop doing the least the same job needs, measured
 * in the same run on the same database and broker. Each is measured one at a
 * time (latency without queueing) and CONCURRENCY in flight (throughput).
 * Prints figures only; nothing here passes or fails on time.
 *
 *   webhook-ingest  signed webhooks POSTed over HTTP to the service (its own
 *                   process): verify the signature, store the event and its
 *                   outbox row in one transaction, answer; the relay then
 *                   publishes with confirms into a quorum queue.
 *   fan-out         from the first webhook until the relay has published the
 *                   last event (every `published_at` set).
 *   plain loop      pg + amqplib, no framework, each item: INSERT the event
 *                   (autocommit), then publish it to a quorum queue and wait
 *                   for the confirm.
 *   burst           BURST_EVENTS webhooks at BURST_CONCURRENCY in flight: the
 *                   latency a sudden surge sees (every answer must be 200).
 *
 * Also printed: webhook-ingest's CPU time per webhook and its resident memory
 * during the loaded run, read from /proc. BENCH_CPU_PROFILE=<dir> runs
 * webhook-ingest with `node --cpu-prof` and writes its profile there.
 */
import { DEFAULT_RETRY_DELAYS_MS } from '@aegis/config';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { topologyNames } from '@aegis/messaging';
import {
  baseAmqpUrl,
  createTestDatabase,
  createTestPrefix,
  deleteBrokerObjects,
  deleteServiceTopologies,
  waitFor,
  type ServiceProcess,
} from '@aegis/testing';
import { connect, type ConfirmChannel } from 'amqplib';
import pg from 'pg';
import type Stripe from 'stripe';
import {
  EventTap,
  signatureFor,
  startIngest,
  syntheticEvent,
} from '../../apps/webhook-ingest/test/ingest-harness.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 3_000);
const ONE_AT_A_TIME = 500;
const WARM_UP = 300;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const BURST_EVENTS = Number(process.env.BENCH_BURST_EVENTS ?? 5_000);
const BURST_CONCURRENCY = 200;
const CPU_PROFILE_DIR = process.env.BENCH_CPU_PROFILE;

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuSecondsOf(pid: number): number {
  // Fields after the command name (which may hold spaces); utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksPerSecond = 100;
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** Resident memory of a process in MiB, from /proc. */
function residentMibOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kib) / 1_024;
}

/** The largest resident memory of a process seen while `work` runs, sampled every 100 ms. */
async function peakResidentMib<T>(
  pid: number,
  work: () => Promise<T>,
): Promise<{ result: T; peakMib: number }> {
  let peakMib = residentMibOf(pid);
  const sampler = setInterval(() => {
    peakMib = Math.max(peakMib, residentMibOf(pid));
  }, 100);
  try {
    const result = await work();
    peakMib = Math.max(peakMib, residentMibOf(pid));
    return { result, peakMib };
  } finally {
    clearInterval(sampler);
  }
}

/** A customer event padded to about the size of a typical invoice event (3 KiB). */
function benchEvent(): Stripe.Event {
  const event = syntheticEvent();
  (event.data.object as Stripe.Customer).metadata = Object.fromEntries(
    Array.from({ length: 24 }, (_, index) => [`key_${index}`, 'v'.repeat(100)]),
  );
  return event;
}

interface Measured {
  readonly perSecond: number;
  readonly latenciesMs: number[];
}

/** Runs `work` for each item, `inFlight` at a time, timing each call and the whole. */
async function measure<T>(
  items: readonly T[],
  inFlight: number,
  work: (item: T) => Promise<void>,
): Promise<Measured> {
  const latenciesMs: number[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let index = next++; index < items.length; index = next++) {
      const started = performance.now();
      await work(items[index] as T);
      latenciesMs.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, lane));
  return { perSecond: items.length / ((performance.now() - started) / 1_000), latenciesMs };
}

function percentile(latenciesMs: readonly number[], fraction: number): number {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

function publishConfirmed(
  channel: ConfirmChannel,
  exchange: string,
  routingKey: string,
  content: Buffer,
  messageId: string,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    channel.publish(
      exchange,
      routingKey,
      content,
      { persistent: true, messageId },
      (error: unknown) => {
        if (error === null || error === undefined) resolve();
        else reject(new Error('nacked'));
      },
    );
  });
}

// node:http rather than fetch: on a small machine fetch's own CPU cost would show in the figure.
const keepAlive = new Agent({
  keepAlive: true,
  maxSockets: Math.max(CONCURRENCY, BURST_CONCURRENCY),
});

function postSigned(ingest: ServiceProcess, event: Stripe.Event): Promise<number> {
  const payload = JSON.stringify(event);
  return new Promise((resolve, reject) => {
    const sent = request(
      {
        host: '127.0.0.1',
        port: ingest.port,
        path: '/webhooks/stripe',
        method: 'POST',
        agent: keepAlive,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          'stripe-signature': signatureFor(payload),
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => {
          resolve(response.statusCode ?? 0);
        });
      },
    );
    sent.on('error', reject);
    sent.end(payload);
  });
}

function benchIngest(ingest: ServiceProcess, count: number, inFlight: number): Promise<Measured> {
  return measure(Array.from({ length: count }, benchEvent), inFlight, async (event) => {
    const status = await postSigned(ingest, event);
    if (status !== 200) throw new Error(`webhook-ingest answered ${status}`);
  });
}

async function unpublishedCount(pool: pg.Pool): Promise<number> {
  const result = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM "ingest"."stripe_webhook_events" WHERE "published_at" IS NULL`,
  );
  return Number(result.rows[0]?.n);
}

async function benchPlainLoop(
  databaseUrl: string,
  channel: ConfirmChannel,
  exchange: string,
  count: number,
  inFlight: number,
): Promise<Measured> {
  const clients = await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      return client;
    }),
  );
  const idle = [...clients];
  try {
    return await measure(Array.from({ length: count }, benchEvent), inFlight, async (event) => {
      const client = idle.pop();
      if (client === undefined) throw new Error('more lanes than clients');
      try {
        const payload = JSON.stringify(event);
        await client.query(
          `INSERT INTO "bench_plain_events" ("event_id", "event_type", "payload") VALUES ($1, $2, $3)`,
          [event.id, event.type, payload],
        );
        await publishConfirmed(
          channel,
          exchange,
          `stripe.${event.type}`,
          Buffer.from(payload),
          event.id,
        );
      } finally {
        idle.push(client);
      }
    });
  } finally {
    await Promise.all(clients.map((client) => client.end()));
  }
}

function format(rate: number): string {
  return Math.round(rate).toLocaleString('en-US').padStart(7);
}

function line(label: string, measured: Measured): string {
  const p50 = percentile(measured.latenciesMs, 0.5).toFixed(1);
  const p99 = percentile(measured.latenciesMs, 0.99).toFixed(1);
  return `  ${label.padEnd(46)} ${format(measured.perSecond)} /s   p50 ${p50.padStart(6)} ms   p99 ${p99.padStart(6)} ms`;
}

const database = await createTestDatabase();
const prefix = createTestPrefix();
const amqpUrl = baseAmqpUrl();
const plainExchange = `${prefix}.bench.plain`;
const plainQueue = `${prefix}.bench.plain`;
const pool = new pg.Pool({ connectionString: database.url, max: 2 });
const connection = await connect(amqpUrl, { noDelay: true });
let ingest: ServiceProcess | undefined;
let tap: EventTap | undefined;
try {
  process.stdout.write(
    `ingest benchmark: ${ONE_AT_A_TIME} webhooks one at a time, then ${EVENTS} with ${CONCURRENCY} in flight (after ${WARM_UP} warm-up)\n`,
  );
  ingest = await startIngest({
    databaseUrl: database.url,
    amqpUrl,
    prefix,
    nodeArgs:
      CPU_PROFILE_DIR === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${CPU_PROFILE_DIR}`],
  });
  const ingestPid = ingest.child.pid;
  if (ingestPid === undefined) throw new Error('webhook-ingest has no process id');
  // Fanned-out events land in a quorum queue, as they would in a consumer's.
  tap = await EventTap.open(amqpUrl, prefix);
  await tap.close();
  const allPublished = (what: string): Promise<number> =>
    waitFor(
      () => unpublishedCount(pool),
      (n) => n === 0,
      { timeoutMs: 120_000, intervalMs: 10, what },
    );
  await benchIngest(ingest, WARM_UP, CONCURRENCY);
  await allPublished('warm-up published');
  const ingestAlone = await benchIngest(ingest, ONE_AT_A_TIME, 1);
  await allPublished('one-at-a-time events published');
  const fanOutStarted = performance.now();
  const cpuBefore = cpuSecondsOf(ingestPid);
  const running = ingest;
  const { result: ingestLoaded, peakMib } = await peakResidentMib(ingestPid, async () => {
    const measured = await benchIngest(running, EVENTS, CONCURRENCY);
    await allPublished('every event published');
    return measured;
  });
  const fanOutPerSecond = EVENTS / ((performance.now() - fanOutStarted) / 1_000);
  const cpuMsPerWebhook = ((cpuSecondsOf(ingestPid) - cpuBefore) * 1_000) / EVENTS;
  const burst = await benchIngest(ingest, BURST_EVENTS, BURST_CONCURRENCY);
  await allPublished('burst published');
  await ingest.stop();
  ingest = undefined;

  await pool.query(
    `CREATE TABLE "bench_plain_events" ("event_id" text PRIMARY KEY, "event_type" text NOT NULL, "payload" jsonb NOT NULL, "received_at" timestamptz NOT NULL DEFAULT now())`,
  );
  const channel = await connection.createConfirmChannel();
  await channel.assertExchange(plainExchange, 'topic', { durable: true });
  await channel.assertQueue(plainQueue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await channel.bindQueue(plainQueue, plainExchange, 'stripe.#');
  await benchPlainLoop(database.url, channel, plainExchange, WARM_UP, CONCURRENCY);
  const plainAlone = await benchPlainLoop(database.url, channel, plainExchange, ONE_AT_A_TIME, 1);
  const plainLoaded = await benchPlainLoop(
    database.url,
    channel,
    plainExchange,
    EVENTS,
    CONCURRENCY,
  );
  await channel.close();

  const ratio = (value: number, base: number): string => `${(value / base).toFixed(2)}x`;
  const p50 = (measured: Measured): number => percentile(measured.latenciesMs, 0.5);
  const p99 = (measured: Measured): number => percentile(measured.latenciesMs, 0.99);
  process.stdout.write(
    [
      ' one at a time',
      line('webhook-ingest: signed webhook over HTTP', ingestAlone),
      line('plain loop: INSERT + publish with confirm', plainAlone),
      `  webhook-ingest latency: p50 ${ratio(p50(ingestAlone), p50(plainAlone))}, p99 ${ratio(p99(ingestAlone), p99(plainAlone))} the plain loop's`,
      ` ${CONCURRENCY} in flight`,
      line('webhook-ingest: signed webhook over HTTP', ingestLoaded),
      `  ${'  fan-out until the last one was published'.padEnd(46)} ${format(fanOutPerSecond)} /s`,
      line('plain loop: INSERT + publish with confirm', plainLoaded),
      `  webhook-ingest throughput: ${ratio(ingestLoaded.perSecond, plainLoaded.perSecond)} the plain loop's; ` +
        `latency p50 ${ratio(p50(ingestLoaded), p50(plainLoaded))}, p99 ${ratio(p99(ingestLoaded), p99(plainLoaded))}`,
      `  webhook-ingest CPU ${cpuMsPerWebhook.toFixed(2)} ms per webhook (storing and fanning out), resident memory peak ${peakMib.toFixed(0)} MiB`,
      ` burst: ${BURST_EVENTS} at ${BURST_CONCURRENCY} in flight, every answer 200`,
      `${line('webhook-ingest: signed webhook over HTTP', burst)}   max ${Math.max(...burst.latenciesMs).toFixed(1)} ms`,
      '',
    ].join('\n'),
  );
} finally {
  keepAlive.destroy();
  await ingest?.stop();
  await tap?.close();
  await connection.close().catch(() => undefined);
  await pool.end();
  await EventTap.delete(amqpUrl, prefix);
  await deleteBrokerObjects(amqpUrl, [plainQueue], [plainExchange]);
  await deleteServiceTopologies(amqpUrl, [
    topologyNames(prefix, 'webhook-ingest', DEFAULT_RETRY_DELAYS_MS),
  ]);
  await database.drop();
}
