/**
 * `npm run bench:invoicing`: an invoice run from metered usage against the
 * Stripe sandbox (issue text: "an invoice run for 10,000 customers with usage:
 * invoices per second and Stripe calls per invoice; the local part beside one
 * raw SQL GROUP BY over the same usage, aim ≤ 2×; how close the run comes to
 * the configured Stripe write rate, aim ≥ 90 % of it with no failed invoice").
 * Prints figures, ratios and the aims; it fails on errors (a failed invoice, a
 * wrong amount, a call that should not have been made), never on time.
 *
 *   setup        a usage product priced at 80 (minor units per unit) and a free
 *                twin priced at 0; CUSTOMERS customers through billing's
 *                `billing.customer.get_or_create.v1` (one Stripe customer each),
 *                with billing's write bucket at SETUP_WRITES/s and the sandbox
 *                not rate-limited; each given a default card (`pm_card_visa`
 *                attached, `invoice_settings.default_payment_method`) straight
 *                at the sandbox, so invoices are charged; EVENTS events per
 *                customer in each of the two months before this one, through
 *                `metering.usage.record.v1` in batches of 1000: the free
 *                product's in the month before last, the priced one's in last
 *                month, each in the last day of its month. Then billing and the
 *                sandbox restart with the measured rate (the sandbox keeps its
 *                state in the run's database).
 *   GROUP BY     the baseline: `SELECT customer_id, product_id, sum(quantity)`
 *                over metering's events of the month before last, GROUP BY 1, 2
 *                (timed BASELINE_RUNS times with pg, the median reported).
 *   local part   an invoice run (`billing.invoice_run.start.v1`) of the month
 *                before last: the same usage, but priced at 0, so every invoice
 *                is "nothing to pay" (docs/invoicing.md) and never reaches Stripe:
 *                the run's listing, each customer's claim (metering's
 *                aggregation), the pricing and the invoice's lines and totals,
 *                with no Stripe call (checked: the proxy must see none).
 *   Stripe run   an invoice run of last month, priced: each invoice's draft, item,
 *                finalization and payment at the sandbox, billing's write bucket
 *                at WRITES/s and the sandbox refusing more than that with 429s.
 *
 * Stripe calls are counted by a recording proxy in this process between
 * billing and the sandbox (bench-support.ts `startRecordingProxy`): every
 * request billing sends, each 429 and retry included, with its route, status
 * and times. Run times are billing's own (the run's createdAt to completedAt).
 *
 * Every process (billing, metering, the sandbox) runs from dist/ on a private
 * database and broker prefix, all removed afterwards (no Redis is used).
 * metering's back-dating horizon is raised to 70 days, so that the month
 * before last can be recorded whatever today's date.
 *
 * Options: --customers <n> (10000), --events-per-customer <n> (5),
 * --writes-per-second <n> (25: billing's STRIPE_WRITES_PER_SECOND and the
 * sandbox's SANDBOX_RATE_LIMIT_PER_SECOND), --sandbox-rate-limit <n> (the
 * sandbox's limit of all requests, reads too, as Stripe's global limit counts
 * them; default the writes per second, 0 none), --concurrency <n> (8: billing's
 * INVOICE_RUN_CONCURRENCY), --setup-writes-per-second <n> (100, the most billing
 * accepts), --setup-in-flight <n> (32), --baseline-runs <n> (5).
 * --local-only leaves the Stripe run out. BENCH_INVOICING_CPU_PROF=<dir> writes
 * V8 CPU profiles of billing and metering, from their restart to the end, there
 * (cpu-profile-preload.ts); BENCH_INVOICING_DEBUG=1 prints the services' last
 * output at the end.
 */
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DEFAULT_RETRY_DELAYS_MS } from '@aegis/config';
import {
  BILLING_CUSTOMER_GET_OR_CREATE_V1,
  BILLING_INVOICE_LIST_V1,
  BILLING_INVOICE_RUN_GET_V1,
  BILLING_INVOICE_RUN_START_V1,
  BILLING_PRODUCT_CREATE_V1,
  MAX_PAGE_LIMIT,
  MAX_USAGE_BATCH,
  METERING_USAGE_RECORD_V1,
  type InvoiceRunV1,
  type InvoiceV1,
  type UsageEventInputV1,
} from '@aegis/contracts';
import { topologyNames } from '@aegis/messaging';
import {
  TestRpcCaller,
  baseAmqpUrl,
  createTestDatabase,
  createTestPrefix,
  deleteServiceTopologies,
  sandboxStripe,
  startServiceProcess,
  waitFor,
  type ServiceProcess,
} from '@aegis/testing';
import pg from 'pg';
import {
  cpuSecondsOf,
  inLanes,
  percentile,
  profiled,
  startCpuCount,
  startRecordingProxy,
  type CountedProcess,
  type CpuCount,
  type RecordedRequest,
  type RecordingProxy,
} from './bench-support.js';

const { values: options } = parseArgs({
  options: {
    customers: { type: 'string', default: '10000' },
    'events-per-customer': { type: 'string', default: '5' },
    'writes-per-second': { type: 'string', default: '25' },
    /** Default: the writes per second; 0: none. */
    'sandbox-rate-limit': { type: 'string' },
    concurrency: { type: 'string', default: '8' },
    'setup-writes-per-second': { type: 'string', default: '100' },
    'setup-in-flight': { type: 'string', default: '32' },
    'baseline-runs': { type: 'string', default: '5' },
    'local-only': { type: 'boolean', default: false },
  },
});

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} must be a whole number ≥ 1`);
  return value;
}

const CUSTOMERS = positive('customers', options.customers);
const EVENTS = positive('events-per-customer', options['events-per-customer']);
const WRITES = positive('writes-per-second', options['writes-per-second']);
const SANDBOX_LIMIT =
  options['sandbox-rate-limit'] === '0'
    ? undefined
    : positive('sandbox-rate-limit', options['sandbox-rate-limit'] ?? String(WRITES));
const CONCURRENCY = positive('concurrency', options.concurrency);
const SETUP_WRITES = positive('setup-writes-per-second', options['setup-writes-per-second']);
const SETUP_IN_FLIGHT = positive('setup-in-flight', options['setup-in-flight']);
const BASELINE_RUNS = positive('baseline-runs', options['baseline-runs']);
const LOCAL_ONLY = options['local-only'];
const DEBUG = process.env.BENCH_INVOICING_DEBUG !== undefined;
const CPU_PROFILE_DIR = process.env.BENCH_INVOICING_CPU_PROF;

const AIMS = {
  /** The local part at most this many times one raw GROUP BY over the same usage. */
  localVsGroupBy: 2,
  /** Stripe writes per second at least this share of the configured rate. */
  writeRateShare: 0.9,
} as const;

const PAID_PRODUCT = 'bench_call';
const FREE_PRODUCT = 'bench_free_call';
/** Minor units per unit: each quantity below times this is a whole number of cents. */
const UNIT_AMOUNT = 80;
const QUANTITIES = ['1', '0.5', '2.25', '3', '1.125'];
const DAY_MS = 86_400_000;
const LOCAL_POLL_MS = 100;
const RUN_POLL_MS = 1_000;
const PROGRESS_EVERY_MS = 30_000;
/** A run whose done + failed count does not move for this long is stuck: an error. */
const STALL_MS = 180_000;
const RPC_TIMEOUT_MS = 30_000;

// ---------------------------------------------------------------- helpers

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const rate = (value: number): string =>
  Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '-';
const fixed = (value: number, digits = 1): string =>
  Number.isFinite(value) ? value.toFixed(digits) : '-';
const times = (value: number, base: number): string => `${fixed(value / base, 2)}x`;
const seconds = (ms: number): string => `${fixed(ms / 1_000)} s`;
/** `YYYY-MM` of a moment, UTC. */
const periodOf = (at: number): string => new Date(at).toISOString().slice(0, 7);
/** Exact decimal text without trailing zeros, to compare PostgreSQL's numeric with metering's. */
const plainDecimal = (text: string): string =>
  text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;

function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

/** The value of one customer's EVENTS events of a month (the quantities in turn), and its price. */
function expectedOf(events: number): { value: string; amount: number } {
  // Thousandths: every quantity has at most three decimals.
  let thousandths = 0;
  for (let index = 0; index < events; index += 1)
    thousandths += Math.round(Number(QUANTITIES[index % QUANTITIES.length]) * 1_000);
  const whole = Math.floor(thousandths / 1_000);
  const rest = String(thousandths % 1_000).padStart(3, '0');
  return {
    value: plainDecimal(`${whole}.${rest}`),
    amount: (thousandths * UNIT_AMOUNT) / 1_000,
  };
}

/**
 * How many of the requests at `sorted` (ms) a token bucket of `perSecond`
 * (holding one second's worth, full at the start, as billing's and the
 * sandbox's are) would not have let through: writes sent faster than the
 * configured rate. One token of slack absorbs the jitter of their arrival.
 */
function beyondBucket(sorted: readonly number[], perSecond: number): number {
  let tokens = perSecond + 1;
  let at = sorted[0] ?? 0;
  let beyond = 0;
  for (const time of sorted) {
    tokens = Math.min(perSecond + 1, tokens + ((time - at) / 1_000) * perSecond);
    at = time;
    if (tokens >= 1) tokens -= 1;
    else beyond += 1;
  }
  return beyond;
}

/** An error answer's Stripe message (`error.code: error.message`), or its start. */
function stripeErrorOf(body: string | undefined): string {
  try {
    const { error } = JSON.parse(body ?? '') as { error?: { code?: string; message?: string } };
    return `${error?.code ?? ''}: ${error?.message ?? ''}`;
  } catch {
    return (body ?? '').slice(0, 100);
  }
}

/** The most timestamps (ms, sorted) that fall in any window of `windowMs`. */
function mostInWindow(sorted: readonly number[], windowMs: number): number {
  let most = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last += 1) {
    while ((sorted[last] ?? 0) - (sorted[first] ?? 0) >= windowMs) first += 1;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

// ---------------------------------------------------------------- the run

const database = await createTestDatabase();
const prefix = createTestPrefix();
const amqpUrl = baseAmqpUrl();
const runTag = randomBytes(3).toString('hex');
const pool = new pg.Pool({
  connectionString: database.url,
  max: 2,
  application_name: 'bench-invoicing',
});
const services = new Set<ServiceProcess>();
const problems: string[] = [];
let caller: TestRpcCaller | undefined;
let proxy: RecordingProxy | undefined;

/**
 * CPU of the PostgreSQL backends serving the services on the run's database
 * over a stretch of work: sampled every half second, so that connections a
 * pool opens or closes meanwhile are counted for the time they were seen (a
 * backend that opened and closed between two samples is missed).
 */
function startPostgresCpuCount(): () => Promise<number> {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  let started = false;
  const sample = async (): Promise<void> => {
    const { rows } = await pool.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
        WHERE datname = current_database() AND application_name <> 'bench-invoicing'`,
    );
    for (const { pid } of rows) {
      const used = cpuSecondsOf(pid);
      if (used === undefined) continue;
      // A backend first seen after the start opened during the work: all its CPU is the work's.
      if (!first.has(pid)) first.set(pid, started ? 0 : used);
      last.set(pid, used);
    }
    started = true;
  };
  let sampling = sample();
  const timer = setInterval(() => {
    sampling = sampling.then(sample).catch((error: unknown) => {
      problems.push(`sampling PostgreSQL's CPU: ${String(error)}`);
    });
  }, 500);
  return async () => {
    clearInterval(timer);
    await sampling;
    await sample();
    let total = 0;
    for (const [pid, end] of last) total += end - (first.get(pid) ?? end);
    return total;
  };
}

/** Transactions and rows of the run's database so far (pg_stat_database). */
interface DatabaseCounts {
  readonly transactions: number;
  readonly inserted: number;
  readonly updated: number;
  readonly deleted: number;
}

/**
 * PostgreSQL 15 flushes a backend's counts at most once a second while it is
 * busy and within ten seconds once it is idle: reading them after this long
 * without work on the database counts everything done before.
 */
const STATS_SETTLE_MS = 11_000;

async function databaseCounts(): Promise<DatabaseCounts> {
  const { rows } = await pool.query<Record<keyof DatabaseCounts, string>>(
    `SELECT xact_commit + xact_rollback AS transactions, tup_inserted AS inserted,
            tup_updated AS updated, tup_deleted AS deleted
       FROM pg_stat_database WHERE datname = current_database()`,
  );
  const row = rows[0];
  return {
    transactions: Number(row?.transactions),
    inserted: Number(row?.inserted),
    updated: Number(row?.updated),
    deleted: Number(row?.deleted),
  };
}

interface MeasuredRun {
  readonly run: InvoiceRunV1;
  /** billing's own: the run's createdAt to its completedAt. */
  readonly durationMs: number;
  readonly startedAt: number;
  readonly completedAt: number;
  readonly cpu: CpuCount;
  readonly postgresSeconds: number;
  /** What PostgreSQL counted on the run's database meanwhile (pg_stat_database). */
  readonly database: DatabaseCounts;
  /** (ms since the start, invoices done) at each poll. */
  readonly progress: readonly { readonly atMs: number; readonly done: number }[];
}

/** Stops everything the run started and removes what it created; once, however often asked. */
let cleaning: Promise<void> | undefined;
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    const failures: unknown[] = [];
    const attempt = async (work: () => Promise<unknown>): Promise<void> => {
      await work().catch((error: unknown) => failures.push(error));
    };
    if (DEBUG)
      for (const service of services)
        process.stdout.write(`--- ${service.service}\n${service.output().slice(-5_000)}\n`);
    for (const service of services)
      if (service.child.exitCode !== null || service.child.signalCode !== null)
        process.stderr.write(
          `${service.service} exited during the run (${service.child.exitCode ?? service.child.signalCode}):\n` +
            `${service.output().slice(-3_000)}\n`,
        );
    await attempt(async () => caller?.close());
    await attempt(() => Promise.all([...services].map((service) => service.stop())));
    await attempt(async () => proxy?.close());
    await attempt(() => pool.end());
    await attempt(() =>
      deleteServiceTopologies(amqpUrl, [
        topologyNames(prefix, 'billing', DEFAULT_RETRY_DELAYS_MS),
        topologyNames(prefix, 'metering', DEFAULT_RETRY_DELAYS_MS),
        topologyNames(prefix, 'gateway', DEFAULT_RETRY_DELAYS_MS),
      ]),
    );
    await attempt(() => database.drop());
    for (const failure of failures) process.stderr.write(`cleanup: ${String(failure)}\n`);
  })();
  return cleaning;
}
// Interrupted (Ctrl-C): the private database, queues and processes go all the same.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    process.stderr.write(`${signal}: cleaning up\n`);
    void cleanUp().finally(() => process.exit(130));
  });

try {
  const now = new Date();
  const currentMonthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const lastMonthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1);
  const lastMonth = periodOf(lastMonthStart);
  const monthBefore = periodOf(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 1));
  process.stdout.write(
    `invoicing benchmark: ${rate(CUSTOMERS)} customers, ${EVENTS} events each in ${monthBefore} (free) and ${lastMonth} (priced); ` +
      `Stripe writes ${WRITES}/s, sandbox limit ${SANDBOX_LIMIT === undefined ? 'none' : `${SANDBOX_LIMIT}/s`}, ` +
      `run concurrency ${CONCURRENCY}; ${cpus().length} cores, ` +
      `load average ${fixed(loadavg()[0] ?? 0)} at the start\n` +
      `  private names: database ${new URL(database.url).pathname.slice(1)}, broker prefix ${prefix}\n`,
  );

  // ------------------------------------------------------------ processes
  const startSandbox = (rateLimit: number | undefined): Promise<ServiceProcess> =>
    startServiceProcess('stripe-sandbox', {
      SANDBOX_WEBHOOK_URL: 'off',
      // Its state survives the restart between the set-up and the measured runs.
      SANDBOX_DATABASE_URL: database.url,
      ...(rateLimit === undefined ? {} : { SANDBOX_RATE_LIMIT_PER_SECOND: String(rateLimit) }),
    });
  const common = {
    DATABASE_URL: database.url,
    AMQP_URL: amqpUrl,
    MESSAGING_PREFIX: prefix,
  };
  const startBilling = async (
    writesPerSecond: number,
    stripeUrl: string,
    profile: boolean,
  ): Promise<ServiceProcess> =>
    startServiceProcess('billing', {
      ...common,
      STRIPE_API_URL: stripeUrl,
      STRIPE_WRITES_PER_SECOND: String(writesPerSecond),
      INVOICE_RUN_CONCURRENCY: String(CONCURRENCY),
      ...(profile && CPU_PROFILE_DIR !== undefined
        ? await profiled('billing', CPU_PROFILE_DIR)
        : {}),
    });
  const startMetering = async (profile: boolean): Promise<ServiceProcess> =>
    startServiceProcess('metering', {
      ...common,
      METERING_BACKDATE_HORIZON_DAYS: '70',
      ...(profile && CPU_PROFILE_DIR !== undefined
        ? await profiled('metering', CPU_PROFILE_DIR)
        : {}),
    });
  const started = async (service: Promise<ServiceProcess>): Promise<ServiceProcess> => {
    const running = await service;
    services.add(running);
    return running;
  };
  const stopped = async (service: ServiceProcess): Promise<void> => {
    await service.stop();
    services.delete(service);
  };

  let sandbox = await started(startSandbox(undefined));
  proxy = await startRecordingProxy(sandbox.url);
  let billing = await started(startBilling(SETUP_WRITES, proxy.url, false));
  let metering = await started(startMetering(false));
  caller = await TestRpcCaller.open(amqpUrl, prefix, RPC_TIMEOUT_MS);
  const rpc = caller.rpc;

  // ------------------------------------------------------------ set-up
  const setupStarted = performance.now();
  for (const [productId, name, unitAmountDecimal] of [
    [PAID_PRODUCT, 'Bench API call', String(UNIT_AMOUNT)],
    [FREE_PRODUCT, 'Bench API call (free)', '0'],
  ] as const) {
    await rpc.call(BILLING_PRODUCT_CREATE_V1, {
      productId,
      name,
      pricingType: 'usage',
      currency: 'usd',
      unitLabel: 'calls',
      aggregation: 'sum',
      unitAmountDecimal,
    });
  }
  await waitFor(
    async () =>
      Number(
        (
          await pool.query<{ n: string }>(
            `SELECT count(*) AS n FROM "metering"."meters" WHERE "product_id" = ANY($1)`,
            [[PAID_PRODUCT, FREE_PRODUCT]],
          )
        ).rows[0]?.n,
      ),
    (count) => count === 2,
    { timeoutMs: 30_000, what: "metering's copy of the two products" },
  );

  const customerIds = Array.from(
    { length: CUSTOMERS },
    (_, index) => `cust_binv_${runTag}_${String(index).padStart(6, '0')}`,
  );
  const stripeIds: string[] = [];
  const customersStarted = performance.now();
  await inLanes(customerIds, SETUP_IN_FLIGHT, async (customerId, index) => {
    const { customer } = await rpc.call(BILLING_CUSTOMER_GET_OR_CREATE_V1, {
      customerId,
      email: `${customerId}@example.com`,
    });
    stripeIds[index] = customer.stripeCustomerId;
    if ((index + 1) % 2_000 === 0)
      process.stdout.write(
        `    ${rate(index + 1)} customers after ${seconds(performance.now() - customersStarted)}\n`,
      );
  });
  const customersMs = performance.now() - customersStarted;

  const stripe = sandboxStripe(sandbox.port, 'sk_test_aegis_bench', { maxNetworkRetries: 2 });
  const cardsStarted = performance.now();
  await inLanes(stripeIds, SETUP_IN_FLIGHT, async (stripeCustomerId) => {
    const card = await stripe.paymentMethods.attach('pm_card_visa', {
      customer: stripeCustomerId,
    });
    await stripe.customers.update(stripeCustomerId, {
      invoice_settings: { default_payment_method: card.id },
    });
  });
  const cardsMs = performance.now() - cardsStarted;

  /** Each customer's EVENTS events of `productId` in the last day of the month ending at `monthEnd`. */
  const usageOf = (productId: string, monthEnd: number): UsageEventInputV1[] =>
    customerIds.flatMap((customerId, customer) =>
      Array.from({ length: EVENTS }, (_, event) => ({
        customerId,
        productId,
        quantity: QUANTITIES[event % QUANTITIES.length] ?? '1',
        timestamp: new Date(
          monthEnd - 1_000 - (((customer * EVENTS + event) * 7_919) % (DAY_MS - 1_000)),
        ).toISOString(),
        idempotencyKey: `binv-${productId}-${event}`,
      })),
    );
  const usage = [
    ...usageOf(FREE_PRODUCT, lastMonthStart),
    ...usageOf(PAID_PRODUCT, currentMonthStart),
  ];
  const batches = Array.from({ length: Math.ceil(usage.length / MAX_USAGE_BATCH) }, (_, batch) =>
    usage.slice(batch * MAX_USAGE_BATCH, (batch + 1) * MAX_USAGE_BATCH),
  );
  const usageStarted = performance.now();
  let recorded = 0;
  await inLanes(batches, 4, async (events, index) => {
    const reply = await rpc.call(METERING_USAGE_RECORD_V1, { events });
    recorded += reply.accepted;
    if (reply.accepted !== events.length)
      problems.push(
        `usage batch ${index}: ${reply.accepted} accepted, ${reply.duplicates} duplicates of ${events.length}`,
      );
  });
  const usageMs = performance.now() - usageStarted;
  const setupMs = performance.now() - setupStarted;
  process.stdout.write(
    ` set-up in ${seconds(setupMs)}: ${rate(CUSTOMERS)} customers through billing in ${seconds(customersMs)} ` +
      `(${rate(CUSTOMERS / (customersMs / 1_000))}/s, write bucket ${SETUP_WRITES}/s), ` +
      `default cards in ${seconds(cardsMs)}, ${rate(recorded)} usage events in ${seconds(usageMs)}\n`,
  );

  // ------------------------------------------------------------ the measured rate
  // metering too, so that a CPU profile (BENCH_INVOICING_CPU_PROF) holds the runs only.
  await Promise.all([stopped(billing), stopped(sandbox), stopped(metering)]);
  [sandbox, metering] = await Promise.all([
    started(startSandbox(SANDBOX_LIMIT)),
    started(startMetering(true)),
  ]);
  proxy.setTarget(sandbox.url);
  billing = await started(startBilling(WRITES, proxy.url, true));
  const counted: CountedProcess[] = [
    { name: 'billing', pid: billing.child.pid },
    { name: 'metering', pid: metering.child.pid },
    { name: 'sandbox', pid: sandbox.child.pid },
  ];

  // ------------------------------------------------------------ baseline
  const groupBySql = `SELECT "customer_id", "product_id", sum("quantity") AS "value"
      FROM "metering"."usage_events"
     WHERE "occurred_at" >= $1 AND "occurred_at" < $2
     GROUP BY 1, 2`;
  const groupByMs: number[] = [];
  let grouped: { customer_id: string; product_id: string; value: string }[] = [];
  for (let index = 0; index < BASELINE_RUNS; index += 1) {
    const begun = performance.now();
    grouped = (
      await pool.query<{ customer_id: string; product_id: string; value: string }>(groupBySql, [
        new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 1)),
        new Date(lastMonthStart),
      ])
    ).rows;
    groupByMs.push(performance.now() - begun);
  }
  const groupBy = median(groupByMs);
  const expected = expectedOf(EVENTS);
  if (grouped.length !== CUSTOMERS)
    problems.push(`GROUP BY: ${grouped.length} rows, ${CUSTOMERS} customers`);
  for (const row of grouped)
    if (plainDecimal(row.value) !== expected.value || row.product_id !== FREE_PRODUCT)
      problems.push(`GROUP BY: ${row.customer_id} ${row.product_id} ${row.value}`);

  // ------------------------------------------------------------ the two runs
  const measuredRun = async (
    billingPeriod: string,
    pollMs: number,
    label: string,
  ): Promise<MeasuredRun> => {
    await sleep(STATS_SETTLE_MS);
    const countsBefore = await databaseCounts();
    const stopCpu = startCpuCount(counted);
    const stopPostgres = startPostgresCpuCount();
    const begun = performance.now();
    const { run: first } = await rpc.call(BILLING_INVOICE_RUN_START_V1, { billingPeriod });
    const progress: { atMs: number; done: number }[] = [];
    let run = first;
    let reported = begun;
    let moved = begun;
    while (run.status !== 'completed') {
      await sleep(pollMs);
      run = (await rpc.call(BILLING_INVOICE_RUN_GET_V1, { runId: first.id })).run;
      const done = run.done + run.failed;
      if (done !== (progress.at(-1)?.done ?? 0)) moved = performance.now();
      progress.push({ atMs: performance.now() - begun, done });
      if (performance.now() - moved > STALL_MS)
        throw new Error(
          `${label}: no invoice done for ${STALL_MS / 1_000} s (${done} of ${run.total ?? 'not listed'}); ` +
            `billing's last output:\n${billing.output().slice(-3_000)}`,
        );
      if (performance.now() - reported >= PROGRESS_EVERY_MS) {
        reported = performance.now();
        const elapsed = (reported - begun) / 1_000;
        process.stdout.write(
          `    ${label}: ${rate(run.done)} done, ${rate(run.failed)} failed of ${run.total === null ? 'listing' : rate(run.total)} ` +
            `after ${fixed(elapsed, 0)} s (${fixed(run.done / elapsed)}/s)\n`,
        );
      }
    }
    const cpu = stopCpu();
    const postgresSeconds = await stopPostgres();
    // Only this benchmark's idle polling touches the database while the counts settle.
    await sleep(STATS_SETTLE_MS);
    const countsAfter = await databaseCounts();
    const startedAt = new Date(run.createdAt).getTime();
    const completedAt = new Date(run.completedAt ?? run.createdAt).getTime();
    return {
      run,
      durationMs: completedAt - startedAt,
      startedAt,
      completedAt,
      cpu,
      postgresSeconds,
      database: {
        transactions: countsAfter.transactions - countsBefore.transactions,
        inserted: countsAfter.inserted - countsBefore.inserted,
        updated: countsAfter.updated - countsBefore.updated,
        deleted: countsAfter.deleted - countsBefore.deleted,
      },
      progress,
    };
  };

  /** Every invoice of the period, through billing's list (newest first, a page at a time). */
  const invoicesOf = async (billingPeriod: string): Promise<InvoiceV1[]> => {
    const all: InvoiceV1[] = [];
    let startingAfter: string | undefined;
    for (;;) {
      const page = await rpc.call(BILLING_INVOICE_LIST_V1, {
        billingPeriod,
        limit: MAX_PAGE_LIMIT,
        ...(startingAfter === undefined ? {} : { startingAfter }),
      });
      all.push(...page.invoices);
      if (!page.hasMore || page.invoices.length === 0) return all;
      startingAfter = page.invoices.at(-1)?.id;
    }
  };

  /** Checks a run's invoices: one per customer, each line's value the GROUP BY's, amounts as priced. */
  const checkInvoices = (
    label: string,
    invoices: readonly InvoiceV1[],
    productId: string,
    amount: number,
    stripeSide: boolean,
  ): void => {
    const faults = new Map<string, { count: number; first: string }>();
    const fault = (kind: string, detail: string): void => {
      const seen = faults.get(kind);
      faults.set(kind, { count: (seen?.count ?? 0) + 1, first: seen?.first ?? detail });
    };
    const customers = new Set(invoices.map((invoice) => invoice.customerId));
    if (invoices.length !== CUSTOMERS || customers.size !== CUSTOMERS)
      fault('count', `${invoices.length} invoices for ${customers.size} of ${CUSTOMERS} customers`);
    for (const invoice of invoices) {
      const [line, ...more] = invoice.lines;
      if (line === undefined || more.length > 0 || line.productId !== productId)
        fault('lines', `${invoice.id}: ${invoice.lines.length} lines`);
      else if (plainDecimal(line.value) !== expected.value || line.eventCount !== EVENTS)
        fault('value', `${invoice.id}: ${line.value} of ${line.eventCount} events`);
      if (invoice.amountDue !== amount)
        fault('amount', `${invoice.id}: amount due ${invoice.amountDue}, ${amount} priced`);
      if (invoice.status !== 'paid' || invoice.pendingStripe)
        fault('status', `${invoice.id}: ${invoice.status}, ${invoice.lastError ?? ''}`);
      if (stripeSide !== (invoice.stripeInvoiceId !== null))
        fault('stripe', `${invoice.id}: Stripe invoice ${invoice.stripeInvoiceId ?? 'none'}`);
      if (stripeSide && invoice.amountPaid !== amount)
        fault('paid', `${invoice.id}: ${invoice.amountPaid} paid of ${amount}`);
      if (stripeSide && invoice.collectionMethod !== 'charge_automatically')
        fault('collection', `${invoice.id}: ${invoice.collectionMethod ?? 'none'}`);
    }
    for (const [kind, { count, first }] of faults)
      problems.push(`${label}: ${count} invoices wrong (${kind}), e.g. ${first}`);
  };

  process.stdout.write(
    ` local part: invoice run of ${monthBefore}, priced at 0 (no Stripe call)\n`,
  );
  proxy.clear();
  const local = await measuredRun(monthBefore, LOCAL_POLL_MS, 'local part');
  const localCalls = proxy.requests().length;
  if (localCalls > 0)
    problems.push(`local part: ${localCalls} Stripe calls, none expected (nothing to pay)`);
  if (local.run.failed > 0 || local.run.done !== CUSTOMERS)
    problems.push(
      `local part: ${local.run.done} done, ${local.run.failed} failed of ${CUSTOMERS}: ` +
        local.run.failures
          .slice(0, 3)
          .map((f) => `${f.customerId}: ${f.reason}`)
          .join('; '),
    );
  checkInvoices('local part', await invoicesOf(monthBefore), FREE_PRODUCT, 0, false);

  const cpuPerInvoice = (figure: MeasuredRun): string =>
    [
      ...figure.cpu.seconds.map(({ name, seconds: used }) => ({ name, used })),
      { name: 'postgres', used: figure.postgresSeconds },
    ]
      .map(({ name, used }) => `${name} ${fixed((used * 1_000) / CUSTOMERS, 2)} ms`)
      .join(', ');
  const databasePerInvoice = ({ database: counts }: MeasuredRun): string =>
    `${fixed(counts.transactions / CUSTOMERS)} transactions, rows ${fixed(counts.inserted / CUSTOMERS)} inserted, ` +
    `${fixed(counts.updated / CUSTOMERS)} updated, ${fixed(counts.deleted / CUSTOMERS)} deleted`;
  const cores = (cpu: CpuCount): string =>
    cpu.machineCores === undefined ? '-' : fixed(cpu.machineCores);
  const aim = (label: string, value: string, met: boolean): string =>
    `  ${label.padEnd(58)} ${value.padStart(26)}   ${met ? 'met' : 'NOT met'}`;

  /** The Stripe run, checked; its report's lines, its ratio line and its aims' lines. */
  const stripeRun = async (): Promise<{
    lines: string[];
    ratios: string[];
    aims: string[];
  }> => {
    process.stdout.write(
      ` Stripe run: invoice run of ${lastMonth}, ${WRITES} writes/s, about ${seconds(
        (CUSTOMERS * 4 * 1_000) / WRITES,
      )} at 4 writes an invoice\n`,
    );
    if (proxy === undefined) throw new Error('no recording proxy');
    proxy.clear();
    const paid = await measuredRun(lastMonth, RUN_POLL_MS, 'Stripe run');
    const calls: readonly RecordedRequest[] = [...proxy.requests()];
    const paidInvoices = await invoicesOf(lastMonth);
    checkInvoices('Stripe run', paidInvoices, PAID_PRODUCT, expected.amount, true);
    if (paid.run.failed > 0)
      problems.push(
        `Stripe run: ${paid.run.failed} failed invoices: ` +
          paid.run.failures
            .slice(0, 3)
            .map((f) => `${f.customerId}: ${f.reason}`)
            .join('; '),
      );

    const inWindow = calls.filter(
      (call) => call.startedAt >= paid.startedAt && call.startedAt <= paid.completedAt,
    );
    const writes = inWindow.filter((call) => call.method !== 'GET');
    const reads = inWindow.filter((call) => call.method === 'GET');
    const writeTimes = writes.map((call) => call.startedAt).sort((a, b) => a - b);
    const tooMany = inWindow.filter((call) => call.status === 429).length;
    const readsTooMany = reads.filter((call) => call.status === 429).length;
    const overEager = beyondBucket(writeTimes, WRITES);
    /** Failed invoices by reason, the most frequent first. */
    const reasons = new Map<string, number>();
    for (const failure of paid.run.failures)
      reasons.set(failure.reason, (reasons.get(failure.reason) ?? 0) + 1);
    const otherErrors = inWindow.filter((call) => call.status !== 429 && call.status >= 400);
    const sentToStripe = paidInvoices.filter((invoice) => invoice.stripeInvoiceId !== null).length;
    const runS = paid.durationMs / 1_000;
    const writesPerSecond = writes.length / runS;
    const firstWrite = writeTimes[0] ?? paid.startedAt;
    const lastWrite = writeTimes.at(-1) ?? paid.completedAt;
    const steadyWrites = (writes.length - 1) / Math.max(0.001, (lastWrite - firstWrite) / 1_000);
    interface RouteFigure {
      count: number;
      tooMany: number;
      errors: Map<string, number>;
      ms: number[];
    }
    const routes = new Map<string, RouteFigure>();
    for (const call of inWindow) {
      const key = `${call.method} ${call.route}`;
      const entry: RouteFigure = routes.get(key) ?? {
        count: 0,
        tooMany: 0,
        errors: new Map<string, number>(),
        ms: [],
      };
      entry.count += 1;
      if (call.status === 429) entry.tooMany += 1;
      else if (call.status >= 400 || call.status === 0) {
        const what = `${call.status} ${stripeErrorOf(call.errorBody)}`;
        entry.errors.set(what, (entry.errors.get(what) ?? 0) + 1);
      }
      entry.ms.push(call.endedAt - call.startedAt);
      routes.set(key, entry);
    }
    const callMs = inWindow.map((call) => call.endedAt - call.startedAt).sort((a, b) => a - b);
    const inFlightAtSandbox = callMs.reduce((sum, value) => sum + value, 0) / paid.durationMs;
    /** The sandbox's median answer time over the calls of the first or last tenth of the run's time. */
    const tenthMedian = (last: boolean): number => {
      const span = (paid.completedAt - paid.startedAt) / 10;
      const from = last ? paid.completedAt - span : paid.startedAt;
      return percentile(
        inWindow
          .filter((call) => call.startedAt >= from && call.startedAt <= from + span)
          .map((call) => call.endedAt - call.startedAt)
          .sort((a, b) => a - b),
        0.5,
      );
    };
    // Invoices per second over the first and the last tenth of the run's invoices.
    const total = paid.run.done + paid.run.failed;
    const at = (done: number): number =>
      paid.progress.find((sample) => sample.done >= done)?.atMs ?? Number.NaN;
    const tenth = Math.max(1, Math.floor(total / 10));
    const firstTenth = tenth / (at(tenth) / 1_000);
    const lastTenth = tenth / ((at(total) - at(total - tenth)) / 1_000);
    return {
      lines: [
        ` Stripe run: the invoice run of ${lastMonth} (${rate(paid.run.done)} done, ${rate(paid.run.failed)} failed, ` +
          `${rate(sentToStripe)} sent to Stripe)`,
        `  ${seconds(paid.durationMs)}, ${fixed(paid.run.done / runS, 2)} invoices/s ` +
          `(first tenth ${fixed(firstTenth, 2)}/s, last tenth ${fixed(lastTenth, 2)}/s); machine ${cores(paid.cpu)} cores busy`,
        `  Stripe calls ${rate(inWindow.length)}: ${fixed(inWindow.length / CUSTOMERS, 2)} an invoice of the run ` +
          `(writes ${fixed(writes.length / CUSTOMERS, 2)}, reads ${fixed(reads.length / CUSTOMERS, 2)}); ` +
          `429s ${rate(tooMany)} (${rate(readsTooMany)} of them reads); other errors ${rate(otherErrors.length)}`,
        `  writes ${fixed(writesPerSecond, 2)}/s over the run (${times(writesPerSecond, WRITES)} the configured ${WRITES}/s), ` +
          `${fixed(steadyWrites, 2)}/s first to last write; most in any second ${mostInWindow(writeTimes, 1_000)}; ` +
          `${rate(overEager)} beyond a ${WRITES}/s token bucket`,
        ...(paid.run.failed === 0
          ? []
          : [
              `  failed invoices by reason (of the ${paid.run.failures.length} the run lists):`,
              ...[...reasons]
                .sort((a, b) => b[1] - a[1])
                .map(
                  ([reason, count]) => `    ${rate(count).padStart(6)}  ${reason.slice(0, 160)}`,
                ),
            ]),
        `  sandbox answer p50 ${fixed(percentile(callMs, 0.5))} ms, p99 ${fixed(percentile(callMs, 0.99))} ms; ` +
          `${fixed(inFlightAtSandbox, 2)} calls in flight there on average; ` +
          `p50 ${fixed(tenthMedian(false))} ms in the first tenth of the run, ${fixed(tenthMedian(true))} ms in the last`,
        `  CPU per invoice: ${cpuPerInvoice(paid)}`,
        `  the database per invoice (the sandbox's own state included): ${databasePerInvoice(paid)}`,
        '  calls by route (count, per invoice of the run, 429s, p50 / p99 ms; other errors below each)',
        ...[...routes]
          .sort((a, b) => b[1].count - a[1].count)
          .flatMap(([route, entry]) => {
            const sorted = [...entry.ms].sort((a, b) => a - b);
            return [
              `    ${route.padEnd(40)} ${rate(entry.count).padStart(7)}  ${fixed(entry.count / CUSTOMERS, 2).padStart(5)}  ${rate(entry.tooMany).padStart(5)}  ${fixed(percentile(sorted, 0.5))} / ${fixed(percentile(sorted, 0.99))}`,
              ...[...entry.errors].map(
                ([what, count]) => `      ${rate(count).padStart(6)} x ${what.slice(0, 140)}`,
              ),
            ];
          }),
      ],
      ratios: [`  Stripe run ${times(paid.durationMs, local.durationMs)} the local part's time`],
      aims: [
        aim(
          `Stripe writes >= ${AIMS.writeRateShare * 100} % of ${WRITES}/s`,
          `${fixed((writesPerSecond / WRITES) * 100)} %`,
          writesPerSecond >= AIMS.writeRateShare * WRITES,
        ),
        aim('no failed invoice', `${paid.run.failed} failed`, paid.run.failed === 0),
      ],
    };
  };
  const stripeReport = LOCAL_ONLY ? undefined : await stripeRun();

  // ------------------------------------------------------------ report
  process.stdout.write(
    [
      '',
      ` baseline: one raw GROUP BY over ${monthBefore}'s ${rate(CUSTOMERS * EVENTS)} events (pg, ${BASELINE_RUNS} runs)`,
      `  median ${fixed(groupBy)} ms (first ${fixed(groupByMs[0] ?? Number.NaN)} ms, ` +
        `min ${fixed(Math.min(...groupByMs))} ms), ${rate(grouped.length)} rows`,
      ` local part: the invoice run of ${monthBefore} (${rate(CUSTOMERS)} invoices, nothing to pay)`,
      `  ${seconds(local.durationMs)} (run created to completed), ${fixed(CUSTOMERS / (local.durationMs / 1_000))} invoices/s, ` +
        `${fixed(local.durationMs / CUSTOMERS, 2)} ms an invoice; ${localCalls} Stripe calls; machine ${cores(local.cpu)} cores busy`,
      `  CPU per invoice: ${cpuPerInvoice(local)}`,
      `  the database per invoice: ${databasePerInvoice(local)}`,
      ...(stripeReport?.lines ?? [' Stripe run: left out (--local-only)']),
      ' ratios',
      `  local part ${times(local.durationMs, groupBy)} the GROUP BY (${seconds(local.durationMs)} vs ${fixed(groupBy)} ms)`,
      ...(stripeReport?.ratios ?? []),
      ' aims (reported, never failed on)',
      aim(
        `local part <= ${AIMS.localVsGroupBy}x one raw GROUP BY`,
        times(local.durationMs, groupBy),
        local.durationMs <= AIMS.localVsGroupBy * groupBy,
      ),
      ...(stripeReport?.aims ?? []),
      ` load average ${fixed(loadavg()[0] ?? 0)} at the end`,
      '',
    ].join('\n'),
  );
  if (problems.length > 0) {
    process.stderr.write(
      `the benchmark saw ${problems.length} errors:\n${problems
        .slice(0, 30)
        .map((problem) => `  ${problem}\n`)
        .join('')}`,
    );
    process.exitCode = 1;
  }
} finally {
  await cleanUp();
}
