/**
 * `npm run bench:gateway`: the gateway's key verification and metered proxy
 * under load (IN_FLIGHT requests in flight, autocannon), each beside a bare
 * baseline measured in the same run on the same machine, Redis and database.
 * Prints figures, ratios and the aims; it fails on errors (connection errors,
 * timeouts, non-2xx answers, answers that did not do the job, usage that never
 * reached metering), never on time.
 *
 *   baseline       a bare node:http server in its own process: parse the JSON
 *                  body, one Redis INCR, answer (the least verify's job needs)
 *   verify         POST /api/v1/api_keys/verify {key, scope} with the admin key
 *   verify+usage   the same with `usage`: each call also commits an outbox row,
 *                  which the relay publishes and metering stores (waited for
 *                  after the run, outside the measured time)
 *   direct         a node:http upstream in its own process answering small JSON
 *   proxy          the same upstream through GET /proxy/bench/… with a customer
 *                  key (key, scope and rate limit checked, the call metered)
 *
 * Each figure is one fixed-duration run after a warm-up of its own. Beside
 * requests/s and latency it counts CPU time (Linux /proc): of the serving
 * process (and metering's) per answer, and of the whole machine, so that a
 * figure taken on a busy shared machine can still be read. Every
 * process (gateway, billing, metering, the Stripe sandbox, the two reference
 * servers) runs from dist/ on a private database, broker prefix and Redis key
 * prefix, all removed afterwards.
 *
 * BENCH_DURATION_S, BENCH_WARM_UP_S, BENCH_CONCURRENCY change the run;
 * BENCH_GATEWAY_CPU_PROF=<dir> writes a V8 CPU profile of the gateway process
 * there when it stops (cpu-profile-preload.ts).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { DEFAULT_RETRY_DELAYS_MS } from '@aegis/config';
import { PUBLIC_API_PATHS, type CreatedApiKeyV1, type CustomerResourceV1 } from '@aegis/contracts';
import { topologyNames } from '@aegis/messaging';
import {
  baseAmqpUrl,
  compiledPath,
  createTestDatabase,
  createTestPrefix,
  deleteServiceTopologies,
  startServiceProcess,
  waitFor,
  type ServiceProcess,
} from '@aegis/testing';
import autocannon from 'autocannon';
import pg from 'pg';
import {
  REDIS_URL,
  cpuSecondsOf,
  deleteRedisKeys,
  machineTicks,
  percentile,
  profiled,
} from './bench-support.js';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const WARM_UP_S = Number(process.env.BENCH_WARM_UP_S ?? 3);
const IN_FLIGHT = Number(process.env.BENCH_CONCURRENCY ?? 50);
const CPU_PROFILE_DIR = process.env.BENCH_GATEWAY_CPU_PROF;
const METERING_TIMEOUT_MS = 120_000;

const AIMS = { verifyPerSecond: 5_000, verifyP99Ms: 10, proxyVsDirect: 0.5 } as const;
const ROUTE = 'bench';
const SCOPE = 'bench:read';
const PRODUCT_ID = 'api_call';
const UPSTREAM_BODY = JSON.stringify({ object: 'bench_item', id: 'item_1', ok: true });

/** One request, repeated by every connection, and what a successful answer's body holds. */
interface LoadSpec {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly succeeded: (body: string) => boolean;
}

interface Measured {
  readonly perSecond: number;
  readonly responses: number;
  readonly elapsedS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** 2xx answers whose body showed success. */
  readonly ok: number;
  /** Connection errors and timeouts. */
  readonly errors: number;
  readonly non2xx: number;
  /** 2xx answers whose body did not show success (e.g. `valid: false`). */
  readonly wrongBody: number;
  readonly statuses: string;
  /** CPU (user + system) of each counted process during the measured run; the serving one first. */
  readonly cpu: readonly ProcessCpu[];
  /** The whole machine's busy CPU while measured, in cores (everything else running counts too). */
  readonly machineCores?: number;
}

/** A process whose CPU a scenario counts. */
interface Counted {
  readonly name: string;
  readonly pid: number | undefined;
}

interface ProcessCpu {
  readonly name: string;
  /** CPU time per answer. */
  readonly perRequestUs: number;
  /** CPU time per second, as a share of one core. */
  readonly share: number;
}

interface Scenario {
  readonly label: string;
  readonly measured?: Measured;
  readonly unavailable?: string;
}

/** `seconds` of `spec` with IN_FLIGHT connections, one request in flight on each. */
function fire(spec: LoadSpec, seconds: number): Promise<Measured> {
  const latenciesMs: number[] = [];
  let twoHundreds = 0;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const instance = autocannon(
      {
        url: spec.url,
        method: spec.method,
        headers: spec.headers,
        ...(spec.body === undefined ? {} : { body: spec.body }),
        connections: IN_FLIGHT,
        pipelining: 1,
        duration: seconds,
        timeout: 10,
        verifyBody: (body) =>
          spec.succeeded(typeof body === 'string' ? body : (body?.toString('utf8') ?? '')),
      },
      (error: unknown, result: autocannon.Result) => {
        if (error !== null && error !== undefined) {
          reject(
            error instanceof Error ? error : new Error(`autocannon: ${JSON.stringify(error)}`),
          );
          return;
        }
        const elapsedS = (performance.now() - started) / 1_000;
        // autocannon's mismatches count non-2xx answers too: no success body comes with one.
        const wrongBody = Math.max(0, result.mismatches - result.non2xx);
        latenciesMs.sort((a, b) => a - b);
        resolve({
          perSecond: latenciesMs.length / elapsedS,
          responses: latenciesMs.length,
          elapsedS,
          p50Ms: percentile(latenciesMs, 0.5),
          p99Ms: percentile(latenciesMs, 0.99),
          ok: twoHundreds - wrongBody,
          errors: result.errors,
          non2xx: result.non2xx,
          wrongBody,
          cpu: [],
          statuses: Object.entries(result.statusCodeStats ?? {})
            .map(([status, { count = 0 }]) => `${status}: ${count}`)
            .join(', '),
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      latenciesMs.push(responseTimeMs);
      if (statusCode >= 200 && statusCode < 300) twoHundreds += 1;
    });
  });
}

/**
 * A warm-up run, then the measured one, during which the CPU of the `counted`
 * processes (the serving one first) and of the machine is counted; problems of
 * either run are added to `problems`.
 */
async function runScenario(
  label: string,
  spec: LoadSpec,
  counted: readonly Counted[],
  problems: string[],
): Promise<Measured> {
  process.stdout.write(`  ${label}: warm-up ${WARM_UP_S} s, then ${DURATION_S} s measured\n`);
  const warmUp = await fire(spec, WARM_UP_S);
  const cpuBefore = counted.map(({ pid }) => cpuSecondsOf(pid));
  const machineBefore = machineTicks();
  const measured = await fire(spec, DURATION_S);
  const cpuAfter = counted.map(({ pid }) => cpuSecondsOf(pid));
  const machineAfter = machineTicks();
  const machine =
    machineBefore === undefined || machineAfter === undefined
      ? {}
      : {
          machineCores:
            (cpus().length * (machineAfter.busy - machineBefore.busy)) /
            (machineAfter.total - machineBefore.total),
        };
  const cpu = counted.flatMap(({ name }, index): ProcessCpu[] => {
    const before = cpuBefore[index];
    const after = cpuAfter[index];
    if (before === undefined || after === undefined) return [];
    const seconds = after - before;
    return [
      {
        name,
        perRequestUs: (seconds * 1e6) / measured.responses,
        share: seconds / measured.elapsedS,
      },
    ];
  });
  for (const [run, figures] of [
    ['warm-up', warmUp],
    ['measured run', measured],
  ] as const) {
    if (figures.errors + figures.non2xx + figures.wrongBody > 0)
      problems.push(
        `${label} (${run}): ${figures.errors} connection errors or timeouts, ${figures.non2xx} non-2xx, ` +
          `${figures.wrongBody} 2xx answers that did not succeed (statuses ${figures.statuses})`,
      );
  }
  return { ...measured, cpu, ...machine, ok: warmUp.ok + measured.ok };
}

interface BenchServer {
  readonly url: string;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** One of gateway-bench-servers.js's servers in a process of its own. */
async function startBenchServer(
  kind: 'baseline' | 'upstream',
  env: Record<string, string>,
): Promise<BenchServer> {
  const script = fileURLToPath(new URL('./gateway-bench-servers.js', import.meta.url));
  const child = spawn(process.execPath, ['--enable-source-maps', script, kind], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /listening (\d+)/.exec(output);
      if (listening !== null) resolve(Number(listening[1]));
    });
    child.once('exit', (code) => {
      reject(new Error(`bench ${kind} server exited (${code}) before listening:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function call(
  gateway: ServiceProcess,
  key: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; text: string; body: unknown }> {
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    // not JSON: the caller looks at status and text
  }
  return { status: response.status, text, body: parsed };
}

/** Whether /proxy/<route>/… reaches the upstream; the reason if not. */
async function proxyUnavailable(gateway: ServiceProcess, customerKey: string): Promise<string> {
  const hasProxy = existsSync(compiledPath('apps/gateway/src/proxy'));
  try {
    const answer = await call(
      gateway,
      customerKey,
      'GET',
      PUBLIC_API_PATHS.proxy(ROUTE, 'items/1'),
    );
    if (answer.status === 200 && answer.text === UPSTREAM_BODY) return '';
    return `GET ${PUBLIC_API_PATHS.proxy(ROUTE, 'items/1')} answered ${answer.status}${hasProxy ? '' : ' (no apps/gateway/src/proxy in this build)'}`;
  } catch (error) {
    return `GET ${PUBLIC_API_PATHS.proxy(ROUTE, 'items/1')} failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

async function usageEventCount(pool: pg.Pool): Promise<number> {
  const result = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM "metering"."usage_events"`,
  );
  return Number(result.rows[0]?.n);
}

/** Waits until metering holds `expected` usage events; how long that took after the run, or a problem. */
async function meteringCaughtUp(
  pool: pg.Pool,
  label: string,
  expected: number,
  problems: string[],
): Promise<string> {
  const started = performance.now();
  try {
    await waitFor(
      () => usageEventCount(pool),
      (n) => n >= expected,
      { timeoutMs: METERING_TIMEOUT_MS, intervalMs: 100, what: `${label}: usage in metering` },
    );
    return `${((performance.now() - started) / 1_000).toFixed(1)} s`;
  } catch {
    const arrived = await usageEventCount(pool);
    problems.push(
      `${label}: only ${arrived} of ${expected} usage events reached metering within ${METERING_TIMEOUT_MS / 1_000} s`,
    );
    return 'not all';
  }
}

const rate = (value: number): string => Math.round(value).toLocaleString('en-US');
const ms = (value: number): string => value.toFixed(1);
const times = (value: number, base: number): string => `${(value / base).toFixed(2)}x`;

function row(scenario: Scenario): string {
  const label = `  ${scenario.label.padEnd(44)}`;
  const figures = scenario.measured;
  if (figures === undefined) return `${label} ${scenario.unavailable ?? 'not measured'}`;
  const [served] = figures.cpu;
  const cpuUs = served === undefined ? '-' : rate(served.perRequestUs);
  const cpuShare = served === undefined ? '-' : `${Math.round(served.share * 100)}%`;
  return [
    label,
    rate(figures.perSecond).padStart(8),
    ms(figures.p50Ms).padStart(7),
    ms(figures.p99Ms).padStart(7),
    String(figures.errors).padStart(7),
    String(figures.non2xx).padStart(7),
    String(figures.wrongBody).padStart(7),
    cpuUs.padStart(8),
    cpuShare.padStart(6),
    (figures.machineCores === undefined ? '-' : figures.machineCores.toFixed(1)).padStart(7),
  ].join(' ');
}

function aim(label: string, value: string, met: boolean | undefined): string {
  const verdict = met === undefined ? 'not measured' : met ? 'met' : 'NOT met';
  return `  ${label.padEnd(44)} ${value.padStart(10)}   ${verdict}`;
}

const database = await createTestDatabase();
const prefix = createTestPrefix();
const redisPrefix = `${prefix}-redis`;
const amqpUrl = baseAmqpUrl();
const adminKey = `admin_${randomBytes(24).toString('base64url')}`;
const routesDir = await mkdtemp(join(tmpdir(), 'aegis-bench-gateway-'));
const pool = new pg.Pool({ connectionString: database.url, max: 2 });
const services: ServiceProcess[] = [];
const servers: BenchServer[] = [];
const problems: string[] = [];
try {
  process.stdout.write(
    `gateway benchmark: ${IN_FLIGHT} in flight, ${DURATION_S} s per figure after ${WARM_UP_S} s warm-up; ` +
      `${cpus().length} cores, load average ${loadavg()[0]?.toFixed(1)} at the start (a shared machine shows in the figures)\n` +
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
    startServiceProcess('metering', common),
  ]);
  services.push(billing, metering);
  const baseline = await startBenchServer('baseline', {
    BENCH_REDIS_URL: REDIS_URL,
    BENCH_REDIS_KEY: `${redisPrefix}:bench:baseline`,
  });
  servers.push(baseline);
  const upstream = await startBenchServer('upstream', { BENCH_UPSTREAM_BODY: UPSTREAM_BODY });
  servers.push(upstream);
  const routesFile = join(routesDir, 'routes.json');
  await writeFile(
    routesFile,
    JSON.stringify({
      routes: [
        {
          name: ROUTE,
          upstream: upstream.url,
          product_id: PRODUCT_ID,
          quantity: 1,
          scope: SCOPE,
          timeout_ms: 10_000,
        },
      ],
    }),
  );
  const gateway = await startServiceProcess('gateway', {
    ...common,
    AEGIS_ADMIN_KEY: adminKey,
    REDIS_URL,
    REDIS_KEY_PREFIX: redisPrefix,
    GATEWAY_ROUTES_FILE: routesFile,
    // The limits must not be what is measured.
    RATE_LIMIT_CUSTOMER_REQUESTS: '1000000',
    ...(CPU_PROFILE_DIR === undefined ? {} : await profiled('gateway', CPU_PROFILE_DIR)),
  });
  services.push(gateway);

  const customer = await call(gateway, adminKey, 'POST', PUBLIC_API_PATHS.customers, {
    email: `bench-${prefix}@example.com`,
  });
  if (customer.status !== 201) throw new Error(`customer not created: ${customer.text}`);
  const created = await call(
    gateway,
    adminKey,
    'POST',
    PUBLIC_API_PATHS.customerApiKeys((customer.body as CustomerResourceV1).id),
    { name: 'bench', scopes: [SCOPE], rate_limit: { requests: 1_000_000, per_seconds: 1 } },
  );
  if (created.status !== 201) throw new Error(`key not created: ${created.text}`);
  const customerKey = (created.body as CreatedApiKeyV1).key;

  const json = { 'content-type': 'application/json' };
  const admin = { ...json, authorization: `Bearer ${adminKey}` };
  const verifyBody = { key: customerKey, scope: SCOPE };
  const isValid = (body: string): boolean => body.includes('"valid":true');
  const gatewayCpu = { name: 'gateway', pid: gateway.child.pid };
  const meteringCpu = { name: 'metering', pid: metering.child.pid };
  const upstreamCpu = { name: 'upstream', pid: upstream.pid };
  process.stdout.write(' running\n');

  const baselineFigures = await runScenario(
    'baseline',
    {
      url: `${baseline.url}/verify`,
      method: 'POST',
      headers: json,
      body: JSON.stringify(verifyBody),
      succeeded: isValid,
    },
    [{ name: 'baseline', pid: baseline.pid }],
    problems,
  );
  const verifyFigures = await runScenario(
    'verify',
    {
      url: `${gateway.url}${PUBLIC_API_PATHS.verifyApiKey}`,
      method: 'POST',
      headers: admin,
      body: JSON.stringify(verifyBody),
      succeeded: (body) => isValid(body) && !body.includes('usage_event_id'),
    },
    [gatewayCpu],
    problems,
  );
  const usageBefore = await usageEventCount(pool);
  const usageFigures = await runScenario(
    'verify with usage',
    {
      url: `${gateway.url}${PUBLIC_API_PATHS.verifyApiKey}`,
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ ...verifyBody, usage: { product_id: PRODUCT_ID, quantity: 1 } }),
      succeeded: (body) => isValid(body) && body.includes('"usage_event_id"'),
    },
    [gatewayCpu, meteringCpu],
    problems,
  );
  const usageMetered = await meteringCaughtUp(
    pool,
    'verify with usage',
    usageBefore + usageFigures.ok,
    problems,
  );
  process.stdout.write(
    `    ${usageFigures.ok.toLocaleString('en-US')} usage events (warm-up included) all in metering ${usageMetered} after the run\n`,
  );

  const directFigures = await runScenario(
    'direct upstream',
    {
      url: `${upstream.url}/items/1`,
      method: 'GET',
      headers: {},
      succeeded: (body) => body === UPSTREAM_BODY,
    },
    [upstreamCpu],
    problems,
  );
  const unavailable = await proxyUnavailable(gateway, customerKey);
  let proxyFigures: Measured | undefined;
  if (unavailable === '') {
    const proxyBefore = await usageEventCount(pool);
    proxyFigures = await runScenario(
      'proxy',
      {
        url: `${gateway.url}${PUBLIC_API_PATHS.proxy(ROUTE, 'items/1')}`,
        method: 'GET',
        headers: { authorization: `Bearer ${customerKey}` },
        succeeded: (body) => body === UPSTREAM_BODY,
      },
      [gatewayCpu, meteringCpu, upstreamCpu],
      problems,
    );
    const proxyMetered = await meteringCaughtUp(
      pool,
      'proxy',
      proxyBefore + proxyFigures.ok,
      problems,
    );
    process.stdout.write(
      `    ${proxyFigures.ok.toLocaleString('en-US')} proxied calls (warm-up included) all metered ${proxyMetered} after the run\n`,
    );
  } else {
    process.stdout.write(`  proxy: not available (${unavailable})\n`);
  }

  const scenarios: Scenario[] = [
    { label: 'baseline: node:http + one Redis INCR', measured: baselineFigures },
    { label: 'verify (admin key; no usage)', measured: verifyFigures },
    { label: 'verify with usage (an outbox row per call)', measured: usageFigures },
    { label: 'direct upstream: node:http, small JSON', measured: directFigures },
    {
      label: `proxy: GET /proxy/${ROUTE}/items/1, customer key`,
      ...(proxyFigures === undefined
        ? { unavailable: `proxy not available: ${unavailable}` }
        : { measured: proxyFigures }),
    },
  ];
  const proxyLine =
    proxyFigures === undefined
      ? `  proxy: not available (${unavailable})`
      : `  proxy: ${times(proxyFigures.perSecond, directFigures.perSecond)} the direct upstream's throughput; ` +
        `adds ${ms(proxyFigures.p50Ms - directFigures.p50Ms)} ms at p50, ${ms(proxyFigures.p99Ms - directFigures.p99Ms)} ms at p99`;
  process.stdout.write(
    [
      '',
      `  ${'scenario'.padEnd(44)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ` +
        `${'errors'.padStart(7)} ${'non-2xx'.padStart(7)} ${'failed'.padStart(7)} ` +
        `${'cpu µs'.padStart(8)} ${'cpu'.padStart(6)} ${'machine'.padStart(7)}`,
      ...scenarios.map(row),
      '  errors: connection errors and timeouts; failed: 2xx whose body did not show success;',
      '  cpu µs, cpu: CPU time (user + system) of the serving process per answer, and its share of one',
      '  core, while measured (the gateway includes its outbox relay; metering and PostgreSQL are apart);',
      `  machine: cores busy on the whole machine (of ${cpus().length}), whatever ran, the load generator included`,
      ' CPU per call of each process counted (PostgreSQL, RabbitMQ and Redis are not)',
      ...scenarios.flatMap(({ label, measured }) =>
        measured === undefined || measured.cpu.length < 2
          ? []
          : [
              `  ${label.split(':')[0] ?? label}: ` +
                measured.cpu
                  .map(({ name, perRequestUs }) => `${name} ${rate(perRequestUs)} µs`)
                  .join(', '),
            ],
      ),
      ' ratios',
      `  verify: ${times(verifyFigures.perSecond, baselineFigures.perSecond)} the baseline's throughput; ` +
        `p50 ${times(verifyFigures.p50Ms, baselineFigures.p50Ms)}, p99 ${times(verifyFigures.p99Ms, baselineFigures.p99Ms)} the baseline's`,
      `  verify with usage: ${times(usageFigures.perSecond, baselineFigures.perSecond)} the baseline's throughput; ` +
        `p50 ${times(usageFigures.p50Ms, baselineFigures.p50Ms)}, p99 ${times(usageFigures.p99Ms, baselineFigures.p99Ms)} the baseline's`,
      proxyLine,
      ' aims (reported, never failed on)',
      aim(
        `verify >= ${rate(AIMS.verifyPerSecond)}/s`,
        `${rate(verifyFigures.perSecond)}/s`,
        verifyFigures.perSecond >= AIMS.verifyPerSecond,
      ),
      aim(
        `verify p99 <= ${AIMS.verifyP99Ms} ms`,
        `${ms(verifyFigures.p99Ms)} ms`,
        verifyFigures.p99Ms <= AIMS.verifyP99Ms,
      ),
      aim(
        `verify with usage >= ${rate(AIMS.verifyPerSecond)}/s`,
        `${rate(usageFigures.perSecond)}/s`,
        usageFigures.perSecond >= AIMS.verifyPerSecond,
      ),
      aim(
        `verify with usage p99 <= ${AIMS.verifyP99Ms} ms`,
        `${ms(usageFigures.p99Ms)} ms`,
        usageFigures.p99Ms <= AIMS.verifyP99Ms,
      ),
      aim(
        `proxy >= ${AIMS.proxyVsDirect.toFixed(2)}x direct throughput`,
        proxyFigures === undefined ? '-' : times(proxyFigures.perSecond, directFigures.perSecond),
        proxyFigures === undefined
          ? undefined
          : proxyFigures.perSecond >= AIMS.proxyVsDirect * directFigures.perSecond,
      ),
      '',
    ].join('\n'),
  );
  if (problems.length > 0) throw new Error(`the benchmark saw errors:\n  ${problems.join('\n  ')}`);
} finally {
  const failures: unknown[] = [];
  const attempt = async (work: () => Promise<unknown>): Promise<void> => {
    await work().catch((error: unknown) => failures.push(error));
  };
  await attempt(() => Promise.all(services.map((service) => service.stop())));
  await attempt(() => Promise.all(servers.map((server) => server.stop())));
  await attempt(() => pool.end());
  await attempt(() =>
    deleteServiceTopologies(amqpUrl, [
      topologyNames(prefix, 'billing', DEFAULT_RETRY_DELAYS_MS),
      topologyNames(prefix, 'metering', DEFAULT_RETRY_DELAYS_MS),
      topologyNames(prefix, 'gateway', DEFAULT_RETRY_DELAYS_MS),
    ]),
  );
  await attempt(() => deleteRedisKeys(redisPrefix));
  await attempt(() => rm(routesDir, { recursive: true, force: true }));
  await attempt(() => database.drop());
  for (const failure of failures) process.stderr.write(`cleanup: ${String(failure)}\n`);
}
