import { randomBytes } from 'node:crypto';
import { DEFAULT_RETRY_DELAYS_MS } from '@aegis/config';
import { PUBLIC_API_PATHS, type CreatedApiKeyV1, type CustomerResourceV1 } from '@aegis/contracts';
import { topologyNames } from '@aegis/messaging';
import {
  baseAmqpUrl,
  createTestDatabase,
  createTestPrefix,
  deleteServiceTopologies,
  freePort,
  sandboxStripe,
  startServiceProcess,
  type ServiceProcess,
  type TestDatabase,
} from '@aegis/testing';
import { Redis } from 'ioredis';
import type Stripe from 'stripe';
import { DataSource } from 'typeorm';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The settings each process of a harness was started with, to start it again after a crash. */
const settingsOf = new WeakMap<ServiceProcess, Record<string, string>>();

async function startRemembered(
  service: ServiceProcess['service'],
  env: Record<string, string>,
): Promise<ServiceProcess> {
  const started = await startServiceProcess(service, env);
  settingsOf.set(started, env);
  return started;
}

export interface ApiAnswer<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/**
 * The gateway as it runs: two replicas (processes) sharing one database and
 * Redis, billing and metering behind them, and the Stripe sandbox; each run
 * has its own database, broker prefix and Redis key prefix.
 */
export class GatewayHarness {
  readonly adminKey = `admin_${randomBytes(24).toString('base64url')}`;
  /** Every key a test was given: none of them may ever appear in a log. */
  readonly issuedSecrets: string[] = [];
  private readonly extra: ServiceProcess[] = [];
  /** Services beside billing and metering that this run started (webhook-ingest, subscriptions, disputes). */
  private readonly extraServices: ServiceProcess[] = [];

  private constructor(
    readonly database: TestDatabase,
    readonly prefix: string,
    readonly redisPrefix: string,
    public sandbox: ServiceProcess,
    public billing: ServiceProcess,
    public metering: ServiceProcess,
    readonly replicas: ServiceProcess[],
    readonly stripe: Stripe,
    readonly sql: DataSource,
  ) {
    this.issuedSecrets.push(this.adminKey);
  }

  /**
   * `withIngest`: webhook-ingest runs too, and the sandbox delivers its
   * webhooks to it (otherwise the sandbox sends none). `withSubscriptions`:
   * the subscriptions service runs too, on the sandbox. `withDisputes`: the
   * disputes service runs too, on the sandbox, with `disputesEnv` (e.g.
   * EFW_AUTO_REFUND_MAX_CENTS). `billingEnv`: further settings of billing
   * (e.g. the Stripe breaker's); `ingestEnv`: of webhook-ingest.
   */
  static async start({
    replicas = 2,
    withIngest = false,
    withSubscriptions = false,
    withDisputes = false,
    billingEnv = {},
    disputesEnv = {},
    ingestEnv = {},
  }: {
    replicas?: number;
    withIngest?: boolean;
    withSubscriptions?: boolean;
    withDisputes?: boolean;
    billingEnv?: Record<string, string>;
    disputesEnv?: Record<string, string>;
    ingestEnv?: Record<string, string>;
  } = {}): Promise<GatewayHarness> {
    const database = await createTestDatabase();
    const prefix = createTestPrefix();
    const redisPrefix = `${prefix}-redis`;
    const ingestPort = withIngest ? await freePort() : undefined;
    const sandbox = await startRemembered('stripe-sandbox', {
      SANDBOX_WEBHOOK_URL:
        ingestPort === undefined ? 'off' : `http://127.0.0.1:${ingestPort}/webhooks/stripe`,
    });
    const common = {
      DATABASE_URL: database.url,
      AMQP_URL: baseAmqpUrl(),
      MESSAGING_PREFIX: prefix,
      OUTBOX_POLL_INTERVAL_MS: '100',
    };
    const [billing, metering, ...extraServices] = await Promise.all([
      startRemembered('billing', { ...common, STRIPE_API_URL: sandbox.url, ...billingEnv }),
      startRemembered('metering', common),
      ...(ingestPort === undefined
        ? []
        : [
            startServiceProcess('webhook-ingest', {
              ...common,
              STRIPE_API_URL: sandbox.url,
              PORT: String(ingestPort),
              // Its bad-signature counts under this run's Redis prefix, deleted at stop.
              REDIS_URL,
              REDIS_KEY_PREFIX: redisPrefix,
              ...ingestEnv,
            }),
          ]),
      ...(withSubscriptions
        ? [startServiceProcess('subscriptions', { ...common, STRIPE_API_URL: sandbox.url })]
        : []),
      ...(withDisputes
        ? [
            startServiceProcess('disputes', {
              ...common,
              STRIPE_API_URL: sandbox.url,
              ...disputesEnv,
            }),
          ]
        : []),
    ]);
    const sql = new DataSource({ type: 'postgres', url: database.url });
    await sql.initialize();
    const harness = new GatewayHarness(
      database,
      prefix,
      redisPrefix,
      sandbox,
      billing,
      metering,
      [],
      sandboxStripe(sandbox.port, 'sk_test_gateway'),
      sql,
    );
    harness.extraServices.push(...extraServices);
    for (let index = 0; index < replicas; index += 1)
      harness.replicas.push(await harness.startReplica());
    return harness;
  }

  /** Another gateway process on this run's database, broker and Redis (or other settings). */
  async startReplica(env: Record<string, string> = {}): Promise<ServiceProcess> {
    const replica = await startRemembered('gateway', {
      DATABASE_URL: this.database.url,
      AMQP_URL: baseAmqpUrl(),
      MESSAGING_PREFIX: this.prefix,
      OUTBOX_POLL_INTERVAL_MS: '100',
      AEGIS_ADMIN_KEY: this.adminKey,
      REDIS_URL: REDIS_URL,
      REDIS_KEY_PREFIX: this.redisPrefix,
      // Everything a replica logs is scanned for keys afterwards.
      LOG_LEVEL: 'debug',
      ...env,
    });
    if (!this.replicas.includes(replica)) this.extra.push(replica);
    return replica;
  }

  /**
   * A crash and a restart: SIGKILL `target` (a gateway replica, billing or
   * metering of this run; nothing of it finishes), wait `downMs`, then start
   * it again with the same settings on the same port, in the old one's place
   * (`replicas`, `billing`, `metering`). The old process's output is kept for
   * `gatewayLogs`.
   */
  async crashAndRestart(target: ServiceProcess, { downMs = 0 } = {}): Promise<ServiceProcess> {
    const settings = settingsOf.get(target);
    const replica = this.replicas.indexOf(target);
    const slot =
      replica >= 0
        ? 'replica'
        : target === this.metering
          ? 'metering'
          : target === this.billing
            ? 'billing'
            : undefined;
    if (settings === undefined || slot === undefined)
      throw new Error(`${target.service} is not a replica, billing or metering of this harness`);
    await target.kill();
    if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
    const restarted = await startRemembered(target.service, {
      ...settings,
      PORT: String(target.port),
    });
    if (slot === 'replica') {
      this.replicas[replica] = restarted;
      // Its output stays in gatewayLogs; stopping a dead process does nothing.
      if (!this.extra.includes(target)) this.extra.push(target);
    } else if (slot === 'metering') this.metering = restarted;
    else this.billing = restarted;
    return restarted;
  }

  /** webhook-ingest, when started `withIngest`. */
  get ingest(): ServiceProcess | undefined {
    return this.extraServices.find((service) => service.service === 'webhook-ingest');
  }

  /** The subscriptions service, when started `withSubscriptions`. */
  get subscriptions(): ServiceProcess | undefined {
    return this.extraServices.find((service) => service.service === 'subscriptions');
  }

  /** The disputes service, when started `withDisputes`. */
  get disputes(): ServiceProcess | undefined {
    return this.extraServices.find((service) => service.service === 'disputes');
  }

  /** Stripe goes away: the sandbox stops (SIGTERM); nothing listens on its port until `startSandbox`. */
  async stopSandbox(): Promise<void> {
    await this.sandbox.stop();
  }

  /** Stripe is back: the sandbox starts again with its settings on its port (its state in memory is gone). */
  async startSandbox(): Promise<ServiceProcess> {
    const settings = settingsOf.get(this.sandbox);
    if (settings === undefined) throw new Error('the sandbox was not started by this harness');
    this.sandbox = await startRemembered('stripe-sandbox', {
      ...settings,
      PORT: String(this.sandbox.port),
    });
    return this.sandbox;
  }

  get gateway(): ServiceProcess {
    const [first] = this.replicas;
    if (first === undefined) throw new Error('no gateway replica');
    return first;
  }

  /** Everything every gateway process of this run wrote. */
  gatewayLogs(): string {
    return [...this.replicas, ...this.extra].map((replica) => replica.output()).join('\n');
  }

  async request<T = unknown>(
    method: string,
    path: string,
    {
      key = this.adminKey,
      body,
      headers = {},
      via = this.gateway,
    }: {
      key?: string | null;
      body?: unknown;
      headers?: Record<string, string>;
      via?: ServiceProcess;
    } = {},
  ): Promise<ApiAnswer<T>> {
    const response = await fetch(`${via.url}${path}`, {
      method,
      headers: {
        ...(key === null ? {} : { authorization: `Bearer ${key}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined
        ? {}
        : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    const parsed: unknown = text === '' ? null : JSON.parse(text);
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  async createCustomer(body: Record<string, unknown> = {}): Promise<CustomerResourceV1> {
    const answer = await this.request<CustomerResourceV1>('POST', PUBLIC_API_PATHS.customers, {
      body: { email: `c-${randomBytes(4).toString('hex')}@example.com`, ...body },
    });
    if (answer.status !== 201) throw new Error(`customer not created: ${JSON.stringify(answer)}`);
    return answer.body;
  }

  async createKey(
    customerId: string,
    body: Record<string, unknown> = {},
  ): Promise<CreatedApiKeyV1> {
    const answer = await this.request<CreatedApiKeyV1>(
      'POST',
      PUBLIC_API_PATHS.customerApiKeys(customerId),
      {
        body: { name: 'test key', scopes: [], ...body },
      },
    );
    if (answer.status !== 201) throw new Error(`key not created: ${JSON.stringify(answer)}`);
    this.issuedSecrets.push(answer.body.key);
    return answer.body;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.replicas, ...this.extra].map((replica) => replica.stop()));
    await Promise.all(
      [this.billing, this.metering, this.sandbox, ...this.extraServices].map((service) =>
        service.stop(),
      ),
    );
    await this.sql.destroy();
    await deleteServiceTopologies(baseAmqpUrl(), [
      topologyNames(this.prefix, 'billing', DEFAULT_RETRY_DELAYS_MS),
      topologyNames(this.prefix, 'metering', DEFAULT_RETRY_DELAYS_MS),
      topologyNames(this.prefix, 'gateway', DEFAULT_RETRY_DELAYS_MS),
      topologyNames(this.prefix, 'webhook-ingest', DEFAULT_RETRY_DELAYS_MS),
      topologyNames(this.prefix, 'subscriptions', DEFAULT_RETRY_DELAYS_MS),
      topologyNames(this.prefix, 'disputes', DEFAULT_RETRY_DELAYS_MS),
    ]);
    const redis = new Redis(REDIS_URL);
    const leftovers = await redis.keys(`${this.redisPrefix}:*`);
    if (leftovers.length > 0) await redis.del(...leftovers);
    await redis.quit();
    await this.database.drop();
  }
}
