/**
 * `npm start`: checks PostgreSQL and RabbitMQ, migrates every schema, starts
 * every app in its own process (output prefixed with the app's name), waits
 * until each answers /health/ready and prints where to look.
 *
 * Ctrl-C (SIGINT), SIGTERM or SIGHUP stops them all: SIGTERM to each, SIGKILL to any
 * still running after 10 s, then exit 0. If an app exits on its own,
 * everything is stopped and the exit code is 1.
 *
 * `<APP>_PORT` (e.g. WEBHOOK_INGEST_PORT) overrides an app's port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DEFAULT_AMQP_URL, DEFAULT_DATABASE_URL } from '@aegis/config';
import { DEV_ADMIN_KEY_FILE } from '@aegis/contracts';
import { redactUrl } from '@aegis/persistence';
import { developmentAdminKey } from './dev-admin-key.js';
import { migrateAll } from './migrate.js';
import { checkInfrastructure, envSetting } from './preflight.js';
import { SERVICES, portVariableOf, type ServiceEntry } from './services.js';

const READY_TIMEOUT_MS = 60_000;
const READY_POLL_INTERVAL_MS = 250;
const STOP_GRACE_MS = 10_000;
/** dist/ (this file is dist/tools/start.js). */
const distRoot = fileURLToPath(new URL('..', import.meta.url));
const tagWidth = Math.max(...SERVICES.map((service) => service.name.length)) + 2;

interface RunningApp {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  readonly child: ChildProcess;
  exited: boolean;
  /** Last /health/ready answer: an HTTP status, or 0 for no answer. */
  lastStatus: number;
}

const state = { stopping: false };
const running: RunningApp[] = [];

function prefixLines(
  stream: NodeJS.ReadableStream | null,
  tag: string,
  out: NodeJS.WriteStream,
): void {
  if (stream === null) return;
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) =>
    out.write(`${tag} ${line}\n`),
  );
}

/** The app's port: `<APP>_PORT` if set, else its default. Exits 2 on a value that is not a port. */
function portOf({ name, defaultPort }: ServiceEntry): number {
  const variable = portVariableOf(name);
  const given = process.env[variable];
  if (given === undefined || given.trim() === '') return defaultPort;
  const port = Number(given);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    process.stderr.write(`${variable}=${given} is not a TCP port (1-65535)\n`);
    process.exit(2);
  }
  return port;
}

function startApp(name: string, port: number, env: Record<string, string> = {}): RunningApp {
  const child = spawn(
    process.execPath,
    ['--enable-source-maps', `${distRoot}apps/${name}/src/main.js`],
    {
      env: { ...process.env, ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const tag = `[${name}]`.padEnd(tagWidth);
  prefixLines(child.stdout, tag, process.stdout);
  prefixLines(child.stderr, tag, process.stderr);
  const app: RunningApp = {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    exited: false,
    lastStatus: 0,
  };
  child.on('error', (error) => {
    // Could not be spawned at all; 'exit' may not follow.
    if (app.exited) return;
    app.exited = true;
    process.stderr.write(`${name} could not be started: ${error.message}; stopping everything\n`);
    void stopAll(1);
  });
  child.on('exit', (code, signal) => {
    app.exited = true;
    if (state.stopping) return;
    process.stderr.write(
      `${name} exited unexpectedly (${signal ?? `exit code ${code ?? '?'}`}); stopping everything\n`,
    );
    void stopAll(1);
  });
  return app;
}

async function readyStatus(app: RunningApp): Promise<number> {
  try {
    const response = await fetch(`${app.url}/health/ready`, {
      signal: AbortSignal.timeout(1_000),
    });
    await response.body?.cancel();
    return response.status;
  } catch {
    return 0;
  }
}

/** Polls /health/ready until 200, the app exits, everything stops, or the timeout. */
async function waitUntilReady(app: RunningApp): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!app.exited && !state.stopping) {
    app.lastStatus = await readyStatus(app);
    if (app.lastStatus === 200) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_INTERVAL_MS));
  }
  return false;
}

/** SIGTERM to every running app, SIGKILL after the grace period, then exit. */
async function stopAll(exitCode: number): Promise<void> {
  if (state.stopping) return;
  state.stopping = true;
  const alive = running.filter((app) => !app.exited);
  if (alive.length > 0) process.stderr.write(`stopping ${alive.length} app(s)…\n`);
  for (const app of alive) app.child.kill('SIGTERM');
  const forced = setTimeout(() => {
    for (const app of alive) {
      if (app.exited) continue;
      process.stderr.write(`${app.name} did not stop within ${STOP_GRACE_MS} ms; killing it\n`);
      app.child.kill('SIGKILL');
    }
  }, STOP_GRACE_MS);
  await Promise.all(
    alive.map((app) =>
      app.exited
        ? Promise.resolve()
        : new Promise<void>((resolve) => app.child.once('exit', () => resolve())),
    ),
  );
  clearTimeout(forced);
  process.exit(exitCode);
}

function statusText(app: RunningApp, ready: boolean): string {
  if (ready) return '200 ready';
  if (app.exited) return 'exited';
  return app.lastStatus === 0 ? 'no answer' : `${app.lastStatus} not ready`;
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_cell, column) =>
    Math.max(...rows.map((row) => row[column]?.length ?? 0)),
  );
  return rows.map((row) =>
    `  ${row.map((cell, column) => cell.padEnd(widths?.[column] ?? 0)).join('  ')}`.trimEnd(),
  );
}

// Stop cleanly from here on, including during the checks and migrations.
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
process.on('SIGHUP', () => void stopAll(0));
// Last resort: never leave an app behind, whatever ends this process.
process.on('exit', () => {
  for (const app of running) if (!app.exited) app.child.kill('SIGKILL');
});

const ports = SERVICES.map(portOf);
await checkInfrastructure();
const databaseUrl = envSetting('DATABASE_URL', DEFAULT_DATABASE_URL);
const amqpUrl = envSetting('AMQP_URL', DEFAULT_AMQP_URL);
try {
  await migrateAll(databaseUrl, SERVICES);
} catch (error) {
  process.stderr.write(`migration failed: ${(error as Error).message}\n`);
  process.exit(1);
}

const portOfService = (name: string): number =>
  ports[SERVICES.findIndex((service) => service.name === name)] ?? 0;
// With a Stripe key of its own the system talks to Stripe; otherwise the sandbox stands in.
const useSandbox = envSetting('STRIPE_SECRET_KEY', '') === '';
const sandboxEnv = {
  // The sandbox delivers its webhooks to webhook-ingest wherever this run put it.
  SANDBOX_WEBHOOK_URL: envSetting(
    'SANDBOX_WEBHOOK_URL',
    `http://127.0.0.1:${portOfService('webhook-ingest')}/webhooks/stripe`,
  ),
};

// The services call the sandbox wherever this run put it.
const serviceEnv: Record<string, string> = useSandbox
  ? {
      STRIPE_API_URL: envSetting(
        'STRIPE_API_URL',
        `http://127.0.0.1:${portOfService('stripe-sandbox')}`,
      ),
    }
  : {};

// Where npm start runs (the workspace root): where the CLI looks for the key too.
const adminKey = developmentAdminKey(process.cwd());
const gatewayEnv = {
  ...serviceEnv,
  AEGIS_ADMIN_KEY: adminKey.key,
  // A development machine's webhook receivers listen on localhost (docs/webhooks.md).
  WEBHOOK_ALLOW_PRIVATE_URLS: envSetting('WEBHOOK_ALLOW_PRIVATE_URLS', 'true'),
};
const meteringEnv = {
  ...serviceEnv,
  // `aegis seed` records three months of usage on a fresh machine (docs/cli.md).
  METERING_BACKDATE_HORIZON_DAYS: envSetting('METERING_BACKDATE_HORIZON_DAYS', '100'),
};
const ENV_OF_SERVICE: Readonly<Record<string, Record<string, string>>> = {
  'stripe-sandbox': sandboxEnv,
  gateway: gatewayEnv,
  metering: meteringEnv,
};
const envOf = (name: string): Record<string, string> => ENV_OF_SERVICE[name] ?? serviceEnv;

for (const [index, { name }] of SERVICES.entries()) {
  if (state.stopping) break;
  if (name === 'stripe-sandbox' && !useSandbox) continue;
  running.push(startApp(name, ports[index] ?? 0, envOf(name)));
}

const readiness = await Promise.all(running.map(waitUntilReady));
if (!state.stopping) {
  const prefix = envSetting('MESSAGING_PREFIX', 'aegis');
  process.stdout.write(
    [
      '',
      'Aegis Payments is running:',
      '',
      ...table([
        ['app', 'URL', 'health/ready'],
        ...running.map((app, index) => [
          app.name,
          app.url,
          statusText(app, readiness[index] === true),
        ]),
      ]),
      '',
      'Every app answers GET /health/live, /health/ready and /metrics (Prometheus).',
      '',
      `API:       http://127.0.0.1:${portOfService('gateway')}/api/v1 (docs at /api/docs)`,
      `Dashboard: http://127.0.0.1:${portOfService('gateway')}/dashboard (sign in with the admin key)`,
      adminKey.file === null
        ? 'Admin key: AEGIS_ADMIN_KEY as you set it'
        : `Admin key: ${adminKey.key} (kept in ${DEV_ADMIN_KEY_FILE}, which the CLI reads)`,
      `Try:       ${portOfService('gateway') === 3000 ? '' : `AEGIS_URL=http://127.0.0.1:${portOfService('gateway')} `}npm run aegis -- customers list`,
      `           curl -H "Authorization: Bearer ${adminKey.file === null ? '$AEGIS_ADMIN_KEY' : adminKey.key}" http://127.0.0.1:${portOfService('gateway')}/api/v1/customers`,
      '',
      useSandbox
        ? `Stripe:   the sandbox at http://127.0.0.1:${portOfService('stripe-sandbox')} (any sk_test_ key; recent objects and events at /_sandbox), webhooks to ${sandboxEnv.SANDBOX_WEBHOOK_URL}`
        : 'Stripe:   STRIPE_SECRET_KEY is set, so the services use Stripe itself and the sandbox is not started',
      `Database: ${redactUrl(databaseUrl)} (one schema per app)`,
      `Broker:   ${redactUrl(amqpUrl)}, topic exchange ${prefix}.events; each consuming app has queues ${prefix}.<app>, ${prefix}.<app>.retry.<delay>ms and ${prefix}.<app>.dlq`,
      'Press Ctrl-C to stop everything.',
      '',
    ].join('\n'),
  );
  if (readiness.some((ready) => !ready)) {
    process.stderr.write(
      `not every app became ready within ${READY_TIMEOUT_MS / 1_000} s; see its log lines above\n`,
    );
  }
}
