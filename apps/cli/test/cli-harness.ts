import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RETRY_DELAYS_MS } from '@aegis/config';
import { DEV_ADMIN_KEY_FILE, type ServiceName } from '@aegis/contracts';
import { topologyNames } from '@aegis/messaging';
import {
  baseAmqpUrl,
  compiledPath,
  createTestDatabase,
  createTestPrefix,
  deleteServiceTopologies,
  startServiceProcess,
  type ServiceProcess,
  type TestDatabase,
} from '@aegis/testing';
import { Redis } from 'ioredis';

const CLI = compiledPath('apps/cli/src/main.js');
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Variables on top of the test process's own, AEGIS_URL and AEGIS_API_KEY. */
  readonly env?: Record<string, string>;
  /** Default: a directory of the test's own without a development key file. */
  readonly cwd?: string;
}

/** A new admin key, as the gateway wants it (at least 32 characters). */
export function newAdminKey(): string {
  return `admin_${randomBytes(24).toString('base64url')}`;
}

/**
 * The compiled `aegis` CLI, run as a user runs it: in a process of its own,
 * pointed at one gateway with one key (through AEGIS_URL and AEGIS_API_KEY
 * unless a test says otherwise), in a working directory of its own.
 */
export class AegisCli {
  private constructor(
    readonly gatewayUrl: string,
    readonly apiKey: string,
    /** A working directory without `.aegis/dev-admin-key`. */
    readonly workDir: string,
  ) {}

  static async create(gatewayUrl: string, apiKey: string): Promise<AegisCli> {
    return new AegisCli(gatewayUrl, apiKey, await mkdtemp(join(tmpdir(), 'aegis-cli-')));
  }

  /** A working directory whose `.aegis/dev-admin-key` holds `key`. */
  async workDirWithKeyFile(key: string): Promise<string> {
    const directory = await mkdtemp(join(this.workDir, 'workspace-'));
    await mkdir(join(directory, '.aegis'));
    await writeFile(join(directory, DEV_ADMIN_KEY_FILE), `${key}\n`, { mode: 0o600 });
    return directory;
  }

  async cleanUp(): Promise<void> {
    await rm(this.workDir, { recursive: true, force: true });
  }

  private envOf(env: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { ...process.env, AEGIS_URL: this.gatewayUrl, AEGIS_API_KEY: this.apiKey, ...env };
  }

  run(args: string[], { env, cwd = this.workDir }: CliOptions = {}): Promise<CliRun> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [CLI, ...args],
        { env: this.envOf(env), cwd },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  inBackground(args: string[]): { stdout: () => string; done: Promise<CliRun> } {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: this.envOf(),
      cwd: this.workDir,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const done = once(child, 'exit').then(([code]) => ({
      code: typeof code === 'number' ? code : -1,
      stdout,
      stderr,
    }));
    return { stdout: () => stdout, done };
  }
}

/** The gateway in a process of its own, on the test's database, broker prefix and Redis prefix. */
export function startGateway(settings: {
  readonly databaseUrl: string;
  readonly prefix: string;
  readonly adminKey: string;
}): Promise<ServiceProcess> {
  return startServiceProcess('gateway', {
    DATABASE_URL: settings.databaseUrl,
    AMQP_URL: baseAmqpUrl(),
    MESSAGING_PREFIX: settings.prefix,
    OUTBOX_POLL_INTERVAL_MS: '100',
    AEGIS_ADMIN_KEY: settings.adminKey,
    REDIS_URL,
    REDIS_KEY_PREFIX: redisPrefixOf(settings.prefix),
  });
}

function redisPrefixOf(prefix: string): string {
  return `${prefix}-redis`;
}

/** Deletes what a gateway on this prefix left in Redis. */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    const leftovers = await redis.keys(`${redisPrefixOf(prefix)}:*`);
    if (leftovers.length > 0) await redis.del(...leftovers);
  } finally {
    await redis.quit();
  }
}

/**
 * What the CLI's tests run against: the sandbox, billing (and metering when
 * asked), and a gateway with its own admin key, on a database, broker prefix
 * and Redis prefix of their own; `stop` removes all of it.
 */
export class CliStack {
  private constructor(
    private readonly database: TestDatabase,
    private readonly prefix: string,
    private readonly services: readonly ServiceProcess[],
    private readonly consumers: readonly ServiceName[],
    readonly gateway: ServiceProcess,
    readonly adminKey: string,
    readonly aegis: AegisCli,
  ) {}

  /** `metering`, `subscriptions`: those services run too (subscriptions on the sandbox). */
  static async start(
    options: { readonly metering?: boolean; readonly subscriptions?: boolean } = {},
  ): Promise<CliStack> {
    const database = await createTestDatabase();
    const prefix = createTestPrefix();
    const adminKey = newAdminKey();
    const sandbox = await startServiceProcess('stripe-sandbox', { SANDBOX_WEBHOOK_URL: 'off' });
    const common = {
      DATABASE_URL: database.url,
      AMQP_URL: baseAmqpUrl(),
      MESSAGING_PREFIX: prefix,
      OUTBOX_POLL_INTERVAL_MS: '100',
    };
    const consumers: ServiceName[] = [
      'billing',
      ...(options.metering === true ? (['metering'] as const) : []),
      ...(options.subscriptions === true ? (['subscriptions'] as const) : []),
    ];
    const started = await Promise.all(
      consumers.map((service) =>
        startServiceProcess(
          service,
          service === 'metering' ? common : { ...common, STRIPE_API_URL: sandbox.url },
        ),
      ),
    );
    const gateway = await startGateway({ databaseUrl: database.url, prefix, adminKey });
    const aegis = await AegisCli.create(gateway.url, adminKey);
    return new CliStack(
      database,
      prefix,
      [sandbox, ...started],
      consumers,
      gateway,
      adminKey,
      aegis,
    );
  }

  /** The Stripe sandbox this stack's services call. */
  get sandbox(): ServiceProcess {
    const sandbox = this.services.find((service) => service.service === 'stripe-sandbox');
    if (sandbox === undefined) throw new Error('the stack has no sandbox');
    return sandbox;
  }

  async stop(): Promise<void> {
    await this.gateway.stop();
    await Promise.all(this.services.map((service) => service.stop()));
    await deleteServiceTopologies(
      baseAmqpUrl(),
      [...this.consumers, 'gateway' as const].map((service) =>
        topologyNames(this.prefix, service, DEFAULT_RETRY_DELAYS_MS),
      ),
    );
    await deleteRedisKeys(this.prefix);
    await this.database.drop();
    await this.aegis.cleanUp();
  }
}
