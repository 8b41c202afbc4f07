/**
 * `npm run bench:usage`: usage metering at scale (issue 11) through the real
 * gateway, beside a raw multi-row INSERT into a bare table on the same
 * database, all measured in one run on the same machine. Prints figures,
 * ratios and the aims; it fails on errors (an answer that is not 2xx, a batch
 * not stored whole, a total that is wrong or never catches up), never on time.
 *
 *   raw INSERT     batches of 1000 usage-shaped rows (ids, customer, product,
 *                  numeric quantity, timestamptz, idempotency key, ~200 bytes of
 *                  jsonb metadata), one autocommitted multi-row INSERT each, into
 *                  a table with a primary key and nothing else
 *   ingest         POST /api/v1/usage {events: [1000]} with the admin key, IN_FLIGHT
 *                  requests in flight, until queryable: after the last answer,
 *                  GET /api/v1/usage/summary until every customer's count
 *                  includes every event sent
 *   single events  one event per POST: first 250 one at a time (the latency
 *                  without queueing), then RATE/s open loop (each sent when due,
 *                  whatever is in flight; latency counted from when it was due);
 *                  every 25th is for a probe customer, looked for in
 *                  GET /api/v1/usage until listed: the time to queryable
 *   preload        PRELOAD events for one customer spread over last month, through
 *                  the same batch path with PRELOAD_IN_FLIGHT in flight (timed)
 *   period total   ~200 sequential GET /api/v1/usage/summary and GET /api/v1/usage
 *                  for that month, beside the same sum read from metering's hourly
 *                  rollups with pg (the least the job needs) and, for scale, from
 *                  the raw events
 *   ingest, full   the ingest figure again with the preload stored
 *
 * Every process (gateway, billing, metering, the Stripe sandbox) runs from
 * dist/ on a private database, broker prefix and Redis key prefix, all removed
 * afterwards. metering's back-dating horizon is raised to 70 days so that last
 * month can be preloaded whatever today's date.
 *
 * Options: --events <n> per ingest figure (100,000), --preload <n> (1,000,000),
 * --in-flight <list> (2,4), --preload-in-flight <n> (8), --rate <n>/s (500),
 * --seconds <n> of single events (10), --queries <n> per period figure (200),
 * --customers <n> (10). BENCH_USAGE_CPU_PROF=<dir> writes V8 CPU profiles of the
 * gateway and metering there when they stop (cpu-profile-preload.ts);
 * BENCH_USAGE_DEBUG=1 prints each batch's answer, PostgreSQL's activity when a
 * poll fails, and the services' last output.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DEFAULT_RETRY_DELAYS_MS } from '@aegis/config';
import {
  MAX_USAGE_BATCH,
  PUBLIC_API_PATHS,
  type CustomerResourceV1,
  type RecordUsageResultV1,
  type UsageEventBodyV1,
  type UsageResourceV1,
  type UsageSummaryV1,
} from '@aegis/contracts';
import { topologyNames } from '@aegis/messaging';
import {
  baseAmqpUrl,
  createTestDatabase,
  createTestPrefix,
  deleteServiceTopologies,
  startServiceProcess,
  type ServiceProcess,
} from '@aegis/testing';
import pg from 'pg';
import {
  REDIS_URL,
  cpuSecondsOf,
  deleteRedisKeys,
  machineTicks,
  percentile,
  profiled,
} from './bench-support.js';

const { values: options } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    preload: { type: 'string', default: '1000000' },
    'in-flight': { type: 'string', default: '2,4' },
    'preload-in-flight': { type: 'string', default: '8' },
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '10' },
    queries: { type: 'string', default: '200' },
    customers: { type: 'string', default: '10' },
  },
});

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} must be a whole number ≥ 1`);
  return value;
}

const BATCH = MAX_USAGE_BATCH;
const EVENTS = Math.ceil(positive('events', options.events) / BATCH) * BATCH;
const PRELOAD = Math.ceil(positive('preload', options.preload) / BATCH) * BATCH;
const IN_FLIGHT_LEVELS = options['in-flight'].split(',').map((n) => positive('in-flight', n));
const PRELOAD_IN_FLIGHT = positive('preload-in-flight', options['preload-in-flight']);
const RATE = positive('rate', options.rate);
const SECONDS = positive('seconds', options.seconds);
const QUERIES = positive('queries', options.queries);
const CUSTOMERS = positive('customers', options.customers);
const CPU_PROFILE_DIR = process.env.BENCH_USAGE_CPU_PROF;

const AIMS = {
  ingestVsRaw: 0.35,
  singleP99Ms: 25,
  queryableMs: 1_000,
  periodP99Ms: 20,
  /** Ingest with the preload stored: at most this much slower than on the empty table. */
  fullSlowdown: 0.1,
} as const;
const PRODUCT_ID = 'bench_api_call';
/** One event in PROBE_EVERY of the single events is a probe, followed until queryable. */
const PROBE_EVERY = 25;
const QUERYABLE_TIMEOUT_MS = 120_000;
const PROBE_TIMEOUT_MS = 10_000;
const WARM_UP_QUERIES = 20;
const WARM_UP_BATCHES = 100;
/** Single events sent one after the other, before the open loop: the latency without queueing. */
const ONE_AT_A_TIME = 250;
/**
 * Summaries polled at once. metering's period read holds a pooled connection
 * for its transaction and asks the pool for another (the meters): ten at once
 * exhaust its pool of ten until pg-pool's connect timeout (found by this
 * benchmark; see docs/benchmarks.md), so the poll stays well below that.
 */
const POLL_LANES = 2;
const RAW_SCANS = 5;
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------- measuring

interface Latencies {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

function latenciesOf(samplesMs: readonly number[]): Latencies {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return {
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.at(-1) ?? Number.NaN,
  };
}

interface Counted {
  readonly name: string;
  readonly pid: number | undefined;
}

/** CPU of the counted processes and of the machine over a stretch of work. */
interface CpuUse {
  /** CPU seconds of each counted process. */
  readonly seconds: readonly { readonly name: string; readonly seconds: number }[];
  /** The machine's busy cores, whatever ran (the benchmark's own process included). */
  readonly machineCores: number | undefined;
}

/**
 * CPU of `counted` and of the PostgreSQL backends connected to the
 * benchmark's database (those there at the start: the services' pools are
 * warm by then) while `work` runs, and the machine's busy cores.
 */
async function withCpu<T>(
  counted: readonly Counted[],
  work: () => Promise<T>,
): Promise<{ result: T; cpu: CpuUse }> {
  const backends = (
    await pool.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`,
    )
  ).rows.map(({ pid }) => pid);
  const postgresBefore = backends.map(cpuSecondsOf);
  const before = counted.map(({ pid }) => cpuSecondsOf(pid));
  const machineBefore = machineTicks();
  const result = await work();
  const after = counted.map(({ pid }) => cpuSecondsOf(pid));
  const postgresAfter = backends.map(cpuSecondsOf);
  const machineAfter = machineTicks();
  const postgresSeconds = backends.reduce((sum, _, index) => {
    const start = postgresBefore[index];
    const end = postgresAfter[index];
    return start === undefined || end === undefined ? sum : sum + end - start;
  }, 0);
  return {
    result,
    cpu: {
      seconds: [
        ...counted.flatMap(({ name }, index) => {
          const start = before[index];
          const end = after[index];
          return start === undefined || end === undefined ? [] : [{ name, seconds: end - start }];
        }),
        { name: 'postgres', seconds: postgresSeconds },
      ],
      machineCores:
        machineBefore === undefined || machineAfter === undefined
          ? undefined
          : (cpus().length * (machineAfter.busy - machineBefore.busy)) /
            (machineAfter.total - machineBefore.total),
    },
  };
}

/** Runs `work` for each item, `inFlight` at a time. */
async function inLanes<T>(
  items: readonly T[],
  inFlight: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let index = next++; index < items.length; index = next++)
      await work(items[index] as T, index);
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- HTTP

interface Answer {
  readonly status: number;
  readonly text: string;
}

// node:http rather than fetch: on a 2-core machine fetch's own CPU would show in the figures.
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
/** Each retry may draw another connection the server closed as idle from the pool. */
const MAX_STALE_RETRIES = 16;

/**
 * One request on a kept-alive connection. A reused connection that the server
 * had closed as idle just as it was reused is reset before the request was
 * read: that request is sent again (Node's documented `reusedSocket` case), as
 * often as the pool hands out such a connection; any other failure is the
 * caller's.
 */
function send(
  gateway: ServiceProcess,
  key: string,
  method: 'GET' | 'POST',
  path: string,
  body?: string,
  retried = 0,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const sent = request(
      {
        host: '127.0.0.1',
        port: gateway.port,
        path,
        method,
        agent,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() });
        });
        response.on('error', reject);
      },
    );
    sent.on('error', (error: NodeJS.ErrnoException) => {
      if (retried < MAX_STALE_RETRIES && sent.reusedSocket && error.code === 'ECONNRESET')
        send(gateway, key, method, path, body, retried + 1).then(resolve, reject);
      else reject(error);
    });
    sent.end(body);
  });
}

/** The answer's JSON body, if its status is `expected`. */
function parsed(answer: Answer, what: string, expected: number): unknown {
  if (answer.status !== expected)
    throw new Error(`${what}: answered ${answer.status}: ${answer.text.slice(0, 500)}`);
  return JSON.parse(answer.text);
}

// ---------------------------------------------------------------- events

/** About 200 bytes as JSON, as an API business's usage carries. */
function metadataOf(index: number): Record<string, string> {
  return {
    region: ['eu-west-1', 'us-east-1', 'ap-south-1'][index % 3] ?? 'eu-west-1',
    endpoint: '/v1/geoint/reports/search',
    method: 'POST',
    status: '200',
    request_id: randomUUID(),
    client: 'aegis-bench/1.0 (node)',
    trace: randomBytes(12).toString('hex'),
  };
}

/** `YYYY-MM` of a moment, UTC. */
const periodOf = (at: Date): string => at.toISOString().slice(0, 7);
const quantities = ['1', '0.5', '2.25', '3', '1.125'];

interface Batch {
  readonly body: string;
  /** Events per `customer\0period`. */
  readonly counts: ReadonlyMap<string, number>;
}

const countKey = (customerId: string, period: string): string => `${customerId}\u0000${period}`;

/** A batch of `BATCH` events, the ith for `customerOf(i)` at `timestampOf(i)`. */
function batchOf(
  tag: string,
  first: number,
  customerOf: (index: number) => string,
  timestampOf: (index: number) => Date,
): Batch {
  const counts = new Map<string, number>();
  const events: UsageEventBodyV1[] = [];
  for (let index = first; index < first + BATCH; index += 1) {
    const customerId = customerOf(index);
    const at = timestampOf(index);
    const key = countKey(customerId, periodOf(at));
    counts.set(key, (counts.get(key) ?? 0) + 1);
    events.push({
      customer_id: customerId,
      product_id: PRODUCT_ID,
      quantity: quantities[index % quantities.length] ?? '1',
      timestamp: at.toISOString(),
      idempotency_key: `${tag}-${index}`,
      metadata: metadataOf(index),
    });
  }
  return { body: JSON.stringify({ events }), counts };
}

// ---------------------------------------------------------------- the run

interface IngestFigure {
  readonly label: string;
  readonly inFlight: number;
  readonly events: number;
  /** Events per second from the first request until the last answer. */
  readonly answeredPerSecond: number;
  /** Events per second from the first request until every event was in the totals. */
  readonly perSecond: number;
  /** From the last answer until the totals held everything. */
  readonly catchUpMs: number;
  readonly batch: Latencies;
  readonly cpu: CpuUse;
}

interface QueryFigure {
  readonly label: string;
  readonly latencies: Latencies;
  readonly count: number;
}

const rate = (value: number): string => Math.round(value).toLocaleString('en-US');
const ms = (value: number): string => value.toFixed(1);
const times = (value: number, base: number): string => `${(value / base).toFixed(2)}x`;

const database = await createTestDatabase();
const prefix = createTestPrefix();
const redisPrefix = `${prefix}-redis`;
const amqpUrl = baseAmqpUrl();
const adminKey = `admin_${randomBytes(24).toString('base64url')}`;
const runTag = randomBytes(4).toString('hex');
// Connections kept (no idle timeout), so that the raw INSERT's backends are there when its CPU is counted.
const pool = new pg.Pool({
  connectionString: database.url,
  max: Math.max(...IN_FLIGHT_LEVELS),
  idleTimeoutMillis: 0,
});
const services: ServiceProcess[] = [];
const problems: string[] = [];

/** The raw baseline: `batches` multi-row INSERTs, `inFlight` connections, events/s. */
async function rawInsert(batches: number, inFlight: number, tag: string): Promise<number> {
  await pool.query(`TRUNCATE "bench_usage_raw"`);
  const columns = 7;
  const placeholders = Array.from(
    { length: BATCH },
    (_, row) =>
      `(${Array.from({ length: columns }, (_, column) => `$${row * columns + column + 1}`).join(', ')})`,
  ).join(', ');
  const sql =
    `INSERT INTO "bench_usage_raw" ("id", "customer_id", "product_id", "quantity", "occurred_at", ` +
    `"idempotency_key", "metadata") VALUES ${placeholders}`;
  const now = Date.now();
  const parameters = Array.from({ length: batches }, (_, batch) =>
    Array.from({ length: BATCH }, (_, row) => {
      const index = batch * BATCH + row;
      return [
        randomUUID(),
        `cust_bench_${index % CUSTOMERS}`,
        PRODUCT_ID,
        quantities[index % quantities.length] ?? '1',
        new Date(now + index).toISOString(),
        `${tag}-${index}`,
        JSON.stringify(metadataOf(index)),
      ];
    }).flat(),
  );
  const started = performance.now();
  await inLanes(parameters, inFlight, async (values) => {
    await pool.query(sql, values);
  });
  return (batches * BATCH) / ((performance.now() - started) / 1_000);
}

try {
  const now = new Date();
  const currentMonthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const lastMonthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1);
  const lastMonth = periodOf(new Date(lastMonthStart));
  const lastMonthLastDay = new Date(currentMonthStart - DAY_MS).toISOString().slice(0, 10);
  process.stdout.write(
    `usage benchmark: ${rate(EVENTS)} events per ingest figure at ${IN_FLIGHT_LEVELS.join(', ')} batches of ${BATCH} in flight; ` +
      `${rate(RATE)} single events/s for ${SECONDS} s; ${rate(PRELOAD)} events preloaded (${lastMonth}); ` +
      `${CUSTOMERS} customers; ${cpus().length} cores, load average ${loadavg()[0]?.toFixed(1)} at the start\n` +
      `  private names: database ${new URL(database.url).pathname.slice(1)}, broker prefix ${prefix}, Redis prefix ${redisPrefix}\n`,
  );
  const sandbox = await startServiceProcess('stripe-sandbox', { SANDBOX_WEBHOOK_URL: 'off' });
  services.push(sandbox);
  const common = {
    DATABASE_URL: database.url,
    AMQP_URL: amqpUrl,
    MESSAGING_PREFIX: prefix,
    OUTBOX_POLL_INTERVAL_MS: '100',
  };
  const [billing, metering] = await Promise.all([
    startServiceProcess('billing', { ...common, STRIPE_API_URL: sandbox.url }),
    startServiceProcess('metering', {
      ...common,
      METERING_BACKDATE_HORIZON_DAYS: '70',
      ...(CPU_PROFILE_DIR === undefined ? {} : await profiled('metering', CPU_PROFILE_DIR)),
    }),
  ]);
  services.push(billing, metering);
  const gateway = await startServiceProcess('gateway', {
    ...common,
    AEGIS_ADMIN_KEY: adminKey,
    REDIS_URL,
    REDIS_KEY_PREFIX: redisPrefix,
    // The limits must not be what is measured.
    RATE_LIMIT_CUSTOMER_REQUESTS: '1000000',
    ...(CPU_PROFILE_DIR === undefined ? {} : await profiled('gateway', CPU_PROFILE_DIR)),
  });
  services.push(gateway);
  const counted: Counted[] = [
    { name: 'gateway', pid: gateway.child.pid },
    { name: 'metering', pid: metering.child.pid },
    { name: 'billing', pid: billing.child.pid },
  ];

  const post = (path: string, body: unknown): Promise<Answer> =>
    send(gateway, adminKey, 'POST', path, JSON.stringify(body));
  const get = (path: string, query: Record<string, string>): Promise<Answer> =>
    send(gateway, adminKey, 'GET', `${path}?${new URLSearchParams(query).toString()}`);

  parsed(
    await post(PUBLIC_API_PATHS.products, {
      id: PRODUCT_ID,
      name: 'Bench API call',
      pricing_type: 'usage',
      unit_amount_decimal: '0.1',
      currency: 'usd',
      unit_label: 'call',
      aggregation: 'sum',
    }),
    'POST /api/v1/products',
    201,
  );
  const customerIds: string[] = [];
  for (let index = 0; index < CUSTOMERS + 1; index += 1) {
    const customer = parsed(
      await post(PUBLIC_API_PATHS.customers, {
        id: `cust_bench_${runTag}_${index}`,
        email: `bench-${runTag}-${index}@example.com`,
      }),
      'POST /api/v1/customers',
      201,
    ) as CustomerResourceV1;
    customerIds.push(customer.id);
  }
  const probeCustomer = customerIds.pop() ?? '';
  const bigCustomer = customerIds[0] ?? '';

  /** Events answered per customer and period: what the totals must reach. */
  const expected = new Map<string, number>();
  /** Events whose POST failed (a 504 is an unknown outcome: metering may store them later). */
  const uncertain = new Map<string, number>();
  const addTo = (totals: Map<string, number>, counts: ReadonlyMap<string, number>): void => {
    for (const [key, count] of counts) totals.set(key, (totals.get(key) ?? 0) + count);
  };
  const accepted = (counts: ReadonlyMap<string, number>): void => {
    addTo(expected, counts);
  };
  const failed = (counts: ReadonlyMap<string, number>): void => {
    addTo(uncertain, counts);
  };
  const countOf = async (customerId: string, period: string): Promise<number> => {
    const summary = parsed(
      await get(PUBLIC_API_PATHS.usageSummary, {
        customer_id: customerId,
        billing_period: period,
      }),
      'GET /api/v1/usage/summary',
      200,
    ) as UsageSummaryV1;
    return summary.products.find((p) => p.product_id === PRODUCT_ID)?.event_count ?? 0;
  };
  /** Polls the summaries until each customer's count holds everything answered; false if not in time. */
  const queryable = async (keys: Iterable<string>): Promise<boolean> => {
    const pending = new Set(keys);
    const deadline = performance.now() + QUERYABLE_TIMEOUT_MS;
    while (pending.size > 0) {
      await inLanes([...pending], POLL_LANES, async (key) => {
        const [customerId = '', period = ''] = key.split('\u0000');
        const count = await countOf(customerId, period).catch(async (error: unknown) => {
          problems.push(`while polling the totals: ${String(error)}`);
          if (process.env.BENCH_USAGE_DEBUG !== undefined) {
            const activity = await pool.query<Record<string, unknown>>(
              `SELECT pid, application_name, state, wait_event_type, wait_event,
                        now() - xact_start AS xact_age, left(query, 120) AS query
                   FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
            );
            process.stdout.write(
              `      ${String(error)}\n${JSON.stringify(activity.rows, null, 1)}\n`,
            );
          }
          return -1;
        });
        const most = (expected.get(key) ?? 0) + (uncertain.get(key) ?? 0);
        if (count > most)
          problems.push(`${customerId} ${period}: ${count} events counted, at most ${most} sent`);
        if (count >= (expected.get(key) ?? 0)) pending.delete(key);
      });
      if (pending.size === 0) return true;
      if (performance.now() > deadline) {
        problems.push(
          `${pending.size} customers' totals not complete after ${QUERYABLE_TIMEOUT_MS / 1_000} s`,
        );
        return false;
      }
      await sleep(10);
    }
    return true;
  };
  /** POSTs one batch and checks that all of it was stored; the batch's latency in ms. */
  const postBatch = async (batch: Batch, what: string): Promise<number> => {
    const started = performance.now();
    const answer = await send(gateway, adminKey, 'POST', PUBLIC_API_PATHS.usage, batch.body).catch(
      (error: unknown): Answer => ({ status: 0, text: String(error) }),
    );
    const elapsed = performance.now() - started;
    if (process.env.BENCH_USAGE_DEBUG !== undefined)
      process.stdout.write(`      ${what}: ${answer.status} in ${ms(elapsed)} ms\n`);
    if (answer.status !== 202) {
      problems.push(`${what}: answered ${answer.status}: ${answer.text.slice(0, 300)}`);
      failed(batch.counts);
      return elapsed;
    }
    const result = JSON.parse(answer.text) as RecordUsageResultV1;
    if (result.accepted !== BATCH || result.duplicates !== 0)
      problems.push(
        `${what}: ${result.accepted} accepted, ${result.duplicates} duplicates of ${BATCH}`,
      );
    accepted(batch.counts);
    return elapsed;
  };

  /**
   * Waits until metering stores nothing more for a second: work whose answer
   * timed out at the gateway may still be queued, and must not weigh on the
   * next figure.
   */
  const settled = async (): Promise<void> => {
    const storedCount = async (): Promise<number> =>
      Number(
        (await pool.query<{ n: string }>(`SELECT count(*) AS n FROM "metering"."usage_events"`))
          .rows[0]?.n,
      );
    const deadline = performance.now() + QUERYABLE_TIMEOUT_MS;
    let before = await storedCount();
    for (;;) {
      await sleep(1_000);
      const now = await storedCount();
      if (now === before || performance.now() > deadline) return;
      before = now;
    }
  };

  let ingestRound = 0;
  /** EVENTS events, now-stamped and round-robin over the customers, `inFlight` batches at a time. */
  const ingest = async (label: string, inFlight: number): Promise<IngestFigure> => {
    const tag = `ingest${(ingestRound += 1)}-${runTag}`;
    process.stdout.write(`  ${label}: ${rate(EVENTS)} events, ${inFlight} batches in flight\n`);
    const stamp = Date.now();
    const batches = Array.from({ length: EVENTS / BATCH }, (_, batch) =>
      batchOf(
        tag,
        batch * BATCH,
        (index) => customerIds[index % customerIds.length] ?? '',
        (index) => new Date(stamp + Math.floor(index / 100)),
      ),
    );
    const keys = new Set(batches.flatMap((batch) => [...batch.counts.keys()]));
    const latencies: number[] = [];
    const { result, cpu } = await withCpu(counted, async () => {
      const started = performance.now();
      await inLanes(batches, inFlight, async (batch, index) => {
        latencies.push(await postBatch(batch, `${label}, batch ${index}`));
      });
      const answered = performance.now();
      await queryable(keys);
      return { started, answered, done: performance.now() };
    });
    return {
      label,
      inFlight,
      events: EVENTS,
      answeredPerSecond: EVENTS / ((result.answered - result.started) / 1_000),
      perSecond: EVENTS / ((result.done - result.started) / 1_000),
      catchUpMs: result.done - result.answered,
      batch: latenciesOf(latencies),
      cpu,
    };
  };

  // Warm-up: batches through the whole path, so that JIT, pools and caches are warm.
  process.stdout.write(` warm-up: ${WARM_UP_BATCHES} batches\n`);
  const warmStamp = Date.now();
  await inLanes(
    Array.from({ length: WARM_UP_BATCHES }, (_, batch) =>
      batchOf(
        `warm-${runTag}`,
        batch * BATCH,
        (index) => customerIds[index % customerIds.length] ?? '',
        (index) => new Date(warmStamp + Math.floor(index / 100)),
      ),
    ),
    Math.max(...IN_FLIGHT_LEVELS),
    async (batch) => {
      await postBatch(batch, 'warm-up');
    },
  );
  await queryable(expected.keys());

  // 1. The raw baseline and 2. ingest on the (nearly) empty table, at each level.
  await pool.query(
    `CREATE TABLE "bench_usage_raw" ("id" uuid PRIMARY KEY, "customer_id" text NOT NULL, ` +
      `"product_id" text NOT NULL, "quantity" numeric NOT NULL, "occurred_at" timestamptz NOT NULL, ` +
      `"idempotency_key" text NOT NULL, "metadata" jsonb NOT NULL)`,
  );
  process.stdout.write(' raw INSERT and ingest, empty table\n');
  await rawInsert(Math.min(10, EVENTS / BATCH), Math.max(...IN_FLIGHT_LEVELS), `rawwarm-${runTag}`);
  const raw: { inFlight: number; perSecond: number; cpu: CpuUse }[] = [];
  const empty: IngestFigure[] = [];
  for (const inFlight of IN_FLIGHT_LEVELS) {
    process.stdout.write(`  raw INSERT: ${rate(EVENTS)} rows, ${inFlight} connections\n`);
    const { result: perSecond, cpu } = await withCpu([], () =>
      rawInsert(EVENTS / BATCH, inFlight, `raw${inFlight}-${runTag}`),
    );
    raw.push({ inFlight, perSecond, cpu });
    empty.push(await ingest(`ingest, ${inFlight} in flight`, inFlight));
  }
  await pool.query(`DROP TABLE "bench_usage_raw"`);
  const bestRaw = raw.reduce((best, figure) => (figure.perSecond > best.perSecond ? figure : best));
  const bestEmpty = empty.reduce((best, figure) =>
    figure.perSecond > best.perSecond ? figure : best,
  );

  // 3. Single events, open loop.
  process.stdout.write(` single events: ${rate(RATE)}/s for ${SECONDS} s (1 s warm-up first)\n`);
  /** `seconds` of single events at RATE/s, open loop; or, with `oneAtATime`, that many in turn. */
  const singles = async (
    seconds: number,
    tag: string,
    oneAtATime?: number,
  ): Promise<{
    latencies: number[];
    queryable: number[];
    lateSendMs: number;
    /** Answers per second from the first send to the last answer. */
    answeredPerSecond: number;
    cpu: CpuUse;
  }> => {
    const total = Math.round(RATE * seconds);
    const latencies: number[] = [];
    const queryableMs: number[] = [];
    const pending: Promise<void>[] = [];
    let lateSendMs = 0;
    let started = 0;
    let lastAnswer = 0;
    const today = new Date().toISOString().slice(0, 10);
    /** Whether event `id`, stamped `at`, is listed: newest first, paged until older events. */
    const listed = async (id: string, at: Date): Promise<boolean> => {
      let cursor: string | undefined;
      for (;;) {
        const page = parsed(
          await get(PUBLIC_API_PATHS.usage, {
            customer_id: probeCustomer,
            product_id: PRODUCT_ID,
            start_date: today,
            end_date: today,
            limit: '100',
            ...(cursor === undefined ? {} : { starting_after: cursor }),
          }),
          'GET /api/v1/usage',
          200,
        ) as UsageResourceV1;
        const events = page.events.data;
        if (events.some((event) => event.id === id)) return true;
        const oldest = events.at(-1);
        if (!page.events.has_more || oldest === undefined || new Date(oldest.timestamp) < at)
          return false;
        cursor = oldest.id;
      }
    };
    const followed = async (id: string, at: Date, due: number): Promise<void> => {
      const deadline = performance.now() + PROBE_TIMEOUT_MS;
      while (!(await listed(id, at))) {
        if (performance.now() > deadline) {
          problems.push(`single event ${id} not in GET /api/v1/usage after ${PROBE_TIMEOUT_MS} ms`);
          return;
        }
        await sleep(2);
      }
      queryableMs.push(performance.now() - due);
    };
    const one = async (index: number, due: number): Promise<void> => {
      const probe = index % PROBE_EVERY === 0;
      const customerId = probe ? probeCustomer : (customerIds[index % customerIds.length] ?? '');
      const at = new Date();
      const body: UsageEventBodyV1 = {
        customer_id: customerId,
        product_id: PRODUCT_ID,
        quantity: '1',
        timestamp: at.toISOString(),
        idempotency_key: `${tag}-${index}`,
        metadata: metadataOf(index),
      };
      const counts = new Map([[countKey(customerId, periodOf(at)), 1]]);
      const answer = await send(
        gateway,
        adminKey,
        'POST',
        PUBLIC_API_PATHS.usage,
        JSON.stringify(body),
      ).catch((error: unknown) => {
        failed(counts);
        throw error;
      });
      lastAnswer = performance.now();
      latencies.push(lastAnswer - due);
      if (answer.status !== 202) {
        problems.push(
          `single event ${index}: answered ${answer.status}: ${answer.text.slice(0, 300)}`,
        );
        failed(counts);
        return;
      }
      const result = JSON.parse(answer.text) as RecordUsageResultV1;
      if (result.accepted !== 1)
        problems.push(`single event ${index}: ${result.accepted} accepted`);
      else accepted(counts);
      if (probe && result.ids[0] !== undefined) await followed(result.ids[0], at, due);
    };
    const { cpu } = await withCpu(counted, async () => {
      started = performance.now();
      for (let index = 0; index < (oneAtATime ?? 0); index += 1)
        await one(index, performance.now()).catch((error: unknown) => {
          problems.push(`single event ${index}: ${String(error)}`);
        });
      for (let index = 0; oneAtATime === undefined && index < total; index += 1) {
        const due = started + (index * 1_000) / RATE;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
        lateSendMs = Math.max(lateSendMs, performance.now() - due);
        pending.push(
          one(index, due).catch((error: unknown) => {
            problems.push(`single event ${index}: ${String(error)}`);
          }),
        );
      }
      await Promise.all(pending);
    });
    return {
      latencies,
      queryable: queryableMs,
      lateSendMs,
      answeredPerSecond: latencies.length / ((lastAnswer - started) / 1_000),
      cpu,
    };
  };
  await singles(1, `singlewarm-${runTag}`);
  await queryable(expected.keys());
  await settled();
  const alone = await singles(0, `singlealone-${runTag}`, ONE_AT_A_TIME);
  const aloneLatencies = latenciesOf(alone.latencies);
  const aloneQueryable = latenciesOf(alone.queryable);
  const single = await singles(SECONDS, `single-${runTag}`);
  const singleLatencies = latenciesOf(single.latencies);
  const singleQueryable = latenciesOf(single.queryable);
  await queryable(expected.keys());

  // 4. Preload one customer's last month, then period totals.
  process.stdout.write(
    ` preload: ${rate(PRELOAD)} events for ${bigCustomer} over ${lastMonth}, ${PRELOAD_IN_FLIGHT} batches in flight\n`,
  );
  const monthMs = currentMonthStart - lastMonthStart;
  const order = Array.from({ length: PRELOAD / BATCH }, (_, batch) => batch);
  // Batches in random order, so that concurrent ones seldom share an hour's rollup row.
  for (let index = order.length - 1; index > 0; index -= 1) {
    const other = Math.floor(Math.random() * (index + 1));
    [order[index], order[other]] = [order[other] ?? 0, order[index] ?? 0];
  }
  const preloadStarted = performance.now();
  let preloaded = 0;
  const { cpu: preloadCpu } = await withCpu(counted, async () => {
    await inLanes(order, PRELOAD_IN_FLIGHT, async (batch) => {
      await postBatch(
        batchOf(
          `preload-${runTag}`,
          batch * BATCH,
          () => bigCustomer,
          (index) => new Date(lastMonthStart + Math.floor(((index + 0.5) * monthMs) / PRELOAD)),
        ),
        `preload batch ${batch}`,
      );
      preloaded += BATCH;
      if (preloaded % 100_000 === 0)
        process.stdout.write(
          `    ${rate(preloaded)} after ${((performance.now() - preloadStarted) / 1_000).toFixed(0)} s\n`,
        );
    });
    await queryable([countKey(bigCustomer, lastMonth)]);
  });
  const preloadS = (performance.now() - preloadStarted) / 1_000;
  const stored = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM "metering"."usage_events"`,
  );
  process.stdout.write(
    `    ${rate(PRELOAD)} events in ${preloadS.toFixed(1)} s (${rate(PRELOAD / preloadS)}/s); ` +
      `${rate(Number(stored.rows[0]?.n))} events stored in all\n`,
  );

  process.stdout.write(
    ` period totals: ${QUERIES} sequential requests each (after ${WARM_UP_QUERIES})\n`,
  );
  const sequential = async (
    label: string,
    call: () => Promise<number>,
    count: number,
    warmUp: number,
  ): Promise<QueryFigure> => {
    for (let index = 0; index < warmUp; index += 1) await call();
    const samples: number[] = [];
    let last = 0;
    for (let index = 0; index < count; index += 1) {
      const started = performance.now();
      last = await call();
      samples.push(performance.now() - started);
    }
    if (last !== PRELOAD) problems.push(`${label}: ${last} events counted, ${PRELOAD} preloaded`);
    return { label, latencies: latenciesOf(samples), count: last };
  };
  const rollupSql = await sequential(
    'rollup SUM with pg',
    async () => {
      const result = await pool.query<{ n: string }>(
        `SELECT sum("event_count") AS n, sum("total_quantity") AS q FROM "metering"."usage_hourly"
          WHERE "customer_id" = $1 AND "product_id" = $2 AND "hour" >= $3 AND "hour" < $4`,
        [bigCustomer, PRODUCT_ID, new Date(lastMonthStart), new Date(currentMonthStart)],
      );
      return Number(result.rows[0]?.n);
    },
    QUERIES,
    WARM_UP_QUERIES,
  );
  const summaryFigure = await sequential(
    'GET /api/v1/usage/summary',
    () => countOf(bigCustomer, lastMonth),
    QUERIES,
    WARM_UP_QUERIES,
  );
  const usageFigure = await sequential(
    'GET /api/v1/usage (a month)',
    async () =>
      (
        parsed(
          await get(PUBLIC_API_PATHS.usage, {
            customer_id: bigCustomer,
            product_id: PRODUCT_ID,
            start_date: `${lastMonth}-01`,
            end_date: lastMonthLastDay,
          }),
          'GET /api/v1/usage',
          200,
        ) as UsageResourceV1
      ).event_count,
    QUERIES,
    WARM_UP_QUERIES,
  );
  const rawScan = await sequential(
    'raw events scan with pg',
    async () => {
      const result = await pool.query<{ n: string }>(
        `SELECT count(*) AS n, sum("quantity") AS q FROM "metering"."usage_events"
          WHERE "customer_id" = $1 AND "product_id" = $2 AND "occurred_at" >= $3 AND "occurred_at" < $4`,
        [bigCustomer, PRODUCT_ID, new Date(lastMonthStart), new Date(currentMonthStart)],
      );
      return Number(result.rows[0]?.n);
    },
    RAW_SCANS,
    1,
  );

  // 5. Ingest again with the preload stored, at the level that did best on the empty table.
  process.stdout.write(` ingest with ${rate(PRELOAD)} events stored\n`);
  await settled();
  const full = await ingest(`ingest, ${rate(PRELOAD)} stored`, bestEmpty.inFlight);

  // ------------------------------------------------------------ report
  const perThousand = (cpu: CpuUse, events: number): string =>
    cpu.seconds
      .map(({ name, seconds }) => `${name} ${ms((seconds * 1e3 * 1_000) / events)} ms`)
      .join(', ');
  const cores = (cpu: CpuUse): string =>
    cpu.machineCores === undefined ? '-' : cpu.machineCores.toFixed(1);
  const ingestRow = (figure: IngestFigure): string =>
    `  ${figure.label.padEnd(36)} ${rate(figure.perSecond).padStart(8)} ${rate(figure.answeredPerSecond).padStart(9)} ` +
    `${ms(figure.catchUpMs).padStart(9)} ${ms(figure.batch.p50Ms).padStart(8)} ${ms(figure.batch.p99Ms).padStart(8)} ${cores(figure.cpu).padStart(8)}`;
  const queryRow = (figure: QueryFigure): string =>
    `  ${figure.label.padEnd(36)} ${ms(figure.latencies.p50Ms).padStart(8)} ${ms(figure.latencies.p99Ms).padStart(8)} ${ms(figure.latencies.maxMs).padStart(8)}`;
  const aim = (label: string, value: string, met: boolean): string =>
    `  ${label.padEnd(52)} ${value.padStart(22)}   ${met ? 'met' : 'NOT met'}`;
  const cpuTotal = (cpu: CpuUse): number =>
    cpu.seconds.reduce((sum, { seconds }) => sum + seconds, 0);
  const sameLevelRaw = raw.find((figure) => figure.inFlight === bestEmpty.inFlight) ?? bestRaw;
  const fullRatio = full.perSecond / bestEmpty.perSecond;
  process.stdout.write(
    [
      '',
      ' raw INSERT into a bare table (batches of 1000, one autocommitted INSERT each)',
      ...raw.map(
        ({ inFlight, perSecond }) =>
          `  ${`${inFlight} connections`.padEnd(36)} ${rate(perSecond).padStart(8)} events/s`,
      ),
      ` ingest: POST ${PUBLIC_API_PATHS.usage} {events: [${BATCH}]}, admin key, until queryable`,
      `  ${''.padEnd(36)} ${'events/s'.padStart(8)} ${'answered'.padStart(9)} ${'catch-up'.padStart(9)} ` +
        `${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'machine'.padStart(8)}`,
      ...empty.map(ingestRow),
      ingestRow(full),
      '  events/s: to queryable (first request to complete totals); answered: to the last answer;',
      '  catch-up: last answer to complete totals, ms; p50/p99: per batch; machine: busy cores (of ' +
        `${cpus().length}), whatever ran`,
      ` single events one at a time (${ONE_AT_A_TIME}, each sent when the previous was answered)`,
      `  request to answer                    p50 ${ms(aloneLatencies.p50Ms)} ms, p99 ${ms(aloneLatencies.p99Ms)} ms, max ${ms(aloneLatencies.maxMs)} ms`,
      `  request to queryable (${alone.queryable.length} probes)         p50 ${ms(aloneQueryable.p50Ms)} ms, p99 ${ms(aloneQueryable.p99Ms)} ms, max ${ms(aloneQueryable.maxMs)} ms`,
      ` single events at ${rate(RATE)}/s, open loop, ${rate(single.latencies.length)} sent (latency from when each was due)`,
      `  request to answer                    p50 ${ms(singleLatencies.p50Ms)} ms, p99 ${ms(singleLatencies.p99Ms)} ms, max ${ms(singleLatencies.maxMs)} ms`,
      `  request to queryable (${single.queryable.length} probes)        p50 ${ms(singleQueryable.p50Ms)} ms, p99 ${ms(singleQueryable.p99Ms)} ms, max ${ms(singleQueryable.maxMs)} ms`,
      `  answered ${rate(single.answeredPerSecond)}/s (first send to last answer); the load loop sent at most ` +
        `${ms(single.lateSendMs)} ms late; machine ${cores(single.cpu)} cores busy`,
      ` preload: ${rate(PRELOAD)} events for one customer over ${lastMonth}, ${PRELOAD_IN_FLIGHT} batches in flight: ` +
        `${preloadS.toFixed(1)} s, ${rate(PRELOAD / preloadS)} events/s to queryable`,
      ` period total for that customer and month (${QUERIES} sequential; raw scan ${RAW_SCANS})`,
      `  ${''.padEnd(36)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)}`,
      queryRow(rollupSql),
      queryRow(summaryFigure),
      queryRow(usageFigure),
      queryRow(rawScan),
      " CPU per 1000 events (postgres: the backends of the benchmark's database; RabbitMQ and Redis not counted)",
      ...raw.map(
        ({ inFlight, cpu }) => `  raw INSERT, ${inFlight} connections: ${perThousand(cpu, EVENTS)}`,
      ),
      ...[...empty, full].map(
        (figure) => `  ${figure.label}: ${perThousand(figure.cpu, figure.events)}`,
      ),
      `  single events: ${perThousand(single.cpu, single.latencies.length)}`,
      `  preload: ${perThousand(preloadCpu, PRELOAD)}`,
      ' ratios',
      ...empty.map((figure) => {
        const base = raw.find((r) => r.inFlight === figure.inFlight) ?? bestRaw;
        return `  ${figure.label}: ${times(figure.perSecond, base.perSecond)} the raw INSERT at ${base.inFlight} connections`;
      }),
      `  best ingest (${bestEmpty.inFlight} in flight) ${times(bestEmpty.perSecond, bestRaw.perSecond)} the best raw INSERT (${bestRaw.inFlight} connections)`,
      `  ingest with ${rate(PRELOAD)} stored: ${times(full.perSecond, bestEmpty.perSecond)} the empty-table figure (${bestEmpty.inFlight} in flight); ` +
        `CPU per event (all counted) ${times(cpuTotal(full.cpu), cpuTotal(bestEmpty.cpu))} the empty table's`,
      `  GET summary p99: ${times(summaryFigure.latencies.p99Ms, rollupSql.latencies.p99Ms)} the rollup SUM with pg`,
      ' aims (reported, never failed on)',
      aim(
        `ingest >= ${AIMS.ingestVsRaw}x the raw INSERT`,
        `${times(bestEmpty.perSecond, bestRaw.perSecond)} (${rate(bestEmpty.perSecond)}/s)`,
        bestEmpty.perSecond >= AIMS.ingestVsRaw * bestRaw.perSecond,
      ),
      aim(
        `  (same in flight: ${bestEmpty.inFlight})`,
        times(bestEmpty.perSecond, sameLevelRaw.perSecond),
        bestEmpty.perSecond >= AIMS.ingestVsRaw * sameLevelRaw.perSecond,
      ),
      aim(
        `single events p99 to answer < ${AIMS.singleP99Ms} ms`,
        `${ms(singleLatencies.p99Ms)} ms`,
        singleLatencies.p99Ms < AIMS.singleP99Ms,
      ),
      aim(
        `single events to queryable < ${AIMS.queryableMs} ms (max)`,
        `${ms(singleQueryable.maxMs)} ms`,
        singleQueryable.maxMs < AIMS.queryableMs,
      ),
      aim(
        `period total p99 < ${AIMS.periodP99Ms} ms (summary)`,
        `${ms(summaryFigure.latencies.p99Ms)} ms`,
        summaryFigure.latencies.p99Ms < AIMS.periodP99Ms,
      ),
      aim(
        `period total p99 < ${AIMS.periodP99Ms} ms (GET usage, a month)`,
        `${ms(usageFigure.latencies.p99Ms)} ms`,
        usageFigure.latencies.p99Ms < AIMS.periodP99Ms,
      ),
      aim(
        `ingest with ${rate(PRELOAD)} stored within ${AIMS.fullSlowdown * 100} % of empty`,
        times(full.perSecond, bestEmpty.perSecond),
        fullRatio >= 1 - AIMS.fullSlowdown,
      ),
      '',
    ].join('\n'),
  );
  if (problems.length > 0) {
    // Grouped by kind: the same message but for its numbers.
    const kinds = new Map<string, { count: number; first: string }>();
    for (const problem of problems) {
      const kind = problem
        .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>')
        .replace(/\d+(\.\d+)?/g, '#');
      const seen = kinds.get(kind);
      kinds.set(kind, { count: (seen?.count ?? 0) + 1, first: seen?.first ?? problem });
    }
    process.stderr.write(
      `the benchmark saw ${problems.length} errors:\n` +
        [...kinds.values()].map(({ count, first }) => `  ${count} x ${first}\n`).join(''),
    );
    process.exitCode = 1;
  }
} finally {
  const failures: unknown[] = [];
  const attempt = async (work: () => Promise<unknown>): Promise<void> => {
    await work().catch((error: unknown) => failures.push(error));
  };
  agent.destroy();
  if (process.env.BENCH_USAGE_DEBUG !== undefined)
    for (const service of services)
      process.stdout.write(`--- ${service.service}\n${service.output().slice(-5_000)}\n`);
  for (const service of services)
    if (service.child.exitCode !== null || service.child.signalCode !== null)
      process.stderr.write(
        `${service.service} exited during the run (${service.child.exitCode ?? service.child.signalCode}):\n` +
          `${service.output().slice(-3_000)}\n`,
      );
  await attempt(() => Promise.all(services.map((service) => service.stop())));
  await attempt(() => pool.end());
  await attempt(() =>
    deleteServiceTopologies(amqpUrl, [
      topologyNames(prefix, 'billing', DEFAULT_RETRY_DELAYS_MS),
      topologyNames(prefix, 'metering', DEFAULT_RETRY_DELAYS_MS),
      topologyNames(prefix, 'gateway', DEFAULT_RETRY_DELAYS_MS),
    ]),
  );
  await attempt(() => deleteRedisKeys(redisPrefix));
  await attempt(() => database.drop());
  for (const failure of failures) process.stderr.write(`cleanup: ${String(failure)}\n`);
}
