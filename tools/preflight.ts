/**
 * Checks that PostgreSQL and RabbitMQ answer before anything starts, and says
 * in one line per problem what is unreachable and how to start it. Every check
 * is bounded (client timeouts and a hard timer), so it never hangs.
 *
 * `node dist/tools/preflight.js` runs both checks; `npm test` runs it first.
 */
import { pathToFileURL } from 'node:url';
import { DEFAULT_AMQP_URL, DEFAULT_DATABASE_URL } from '@aegis/config';
import { redactUrl } from '@aegis/persistence';
import { connect } from 'amqplib';
import pg from 'pg';

/** Client-level connect timeout of each check. */
const CONNECT_TIMEOUT_MS = 3_000;
/** Hard limit of a whole check, whatever the client does. */
const CHECK_TIMEOUT_MS = 5_000;

export const START_POSTGRES =
  'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';
export const START_RABBITMQ = 'rabbitmq-server -detached && rabbitmqctl await_startup';

/** A setting as the services read it (libs/config): unset or empty means the default. */
export function envSetting(name: string, fallback: string): string {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
}

/** One line, whatever the error looks like (Node's AggregateError has an empty message). */
function describe(error: unknown): string {
  if (error instanceof AggregateError && error.message === '') {
    return error.errors.map(describe).join('; ') || 'connection failed';
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const text =
      error.message !== '' ? error.message : typeof code === 'string' ? code : error.name;
    return text.replace(/\s+/g, ' ').trim();
  }
  return String(error);
}

/** Resolves with what `work` resolves with, or rejects after `CHECK_TIMEOUT_MS`. */
async function bounded<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)),
      CHECK_TIMEOUT_MS,
    );
    timer.unref();
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function pingPostgres(databaseUrl: string): Promise<void> {
  // The maintenance database: the application database may not exist yet (migrate creates it).
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  const client = new pg.Client({
    connectionString: url.toString(),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  client.on('error', () => undefined); // a late socket error must not crash the process
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    void client.end().catch(() => undefined);
  }
}

async function pingRabbitMq(amqpUrl: string): Promise<void> {
  const connection = await connect(amqpUrl, { timeout: CONNECT_TIMEOUT_MS });
  connection.on('error', () => undefined);
  await connection.close();
}

/** Undefined when PostgreSQL answers; otherwise the one line that says why and how to start it. */
export async function checkPostgres(databaseUrl: string): Promise<string | undefined> {
  try {
    await bounded(pingPostgres(databaseUrl), 'PostgreSQL');
    return undefined;
  } catch (error) {
    const where = redactUrl(databaseUrl);
    // The server answered but said no (bad user, password, pg_hba rule): starting it will not help.
    if (error instanceof pg.DatabaseError)
      return `PostgreSQL at ${where} refused the connection (${describe(error)}); check DATABASE_URL`;
    return `PostgreSQL is not reachable at ${where} (${describe(error)}); start it with: ${START_POSTGRES}`;
  }
}

/** Undefined when RabbitMQ answers; otherwise the one line that says why and how to start it. */
export async function checkRabbitMq(amqpUrl: string): Promise<string | undefined> {
  try {
    await bounded(pingRabbitMq(amqpUrl), 'RabbitMQ');
    return undefined;
  } catch (error) {
    const where = redactUrl(amqpUrl);
    const reason = describe(error);
    // The broker answered but closed the handshake (bad credentials, unknown vhost).
    if (/Handshake terminated by server|ConnectionClose|ACCESS.REFUSED|NOT.ALLOWED/.test(reason))
      return `RabbitMQ at ${where} refused the connection (${reason}); check AMQP_URL (user, password, vhost)`;
    return `RabbitMQ is not reachable at ${where} (${reason}); start it with: ${START_RABBITMQ}`;
  }
}

export interface InfrastructureChecks {
  /** Check RabbitMQ as well as PostgreSQL (default true; migrations need only the database). */
  readonly broker?: boolean;
}

/**
 * Resolves when PostgreSQL (DATABASE_URL) and RabbitMQ (AMQP_URL) both answer;
 * otherwise prints one line per unreachable server on stderr and exits 1.
 */
export async function checkInfrastructure(options: InfrastructureChecks = {}): Promise<void> {
  const databaseUrl = envSetting('DATABASE_URL', DEFAULT_DATABASE_URL);
  const amqpUrl = envSetting('AMQP_URL', DEFAULT_AMQP_URL);
  const problems = (
    await Promise.all([
      checkPostgres(databaseUrl),
      options.broker === false ? undefined : checkRabbitMq(amqpUrl),
    ])
  ).filter((problem): problem is string => problem !== undefined);
  if (problems.length === 0) return;
  for (const problem of problems) process.stderr.write(`${problem}\n`);
  process.exit(1);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await checkInfrastructure();
}
