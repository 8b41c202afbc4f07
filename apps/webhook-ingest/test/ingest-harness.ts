import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Envelope } from '@aegis/contracts';
import type { RpcRemoteError } from '@aegis/messaging';
import {
  deleteBrokerObjects,
  freePort,
  startServiceProcess,
  waitFor,
  type ServiceProcess,
  sandboxStripe,
} from '@aegis/testing';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { Redis } from 'ioredis';
import pg from 'pg';
import Stripe from 'stripe';

export const WEBHOOK_SECRET = 'whsec_ingest_test_current';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The Redis key prefix of a test's webhook-ingest (bad-signature counts), from its broker prefix. */
export function redisPrefixOf(prefix: string): string {
  return `${prefix}-redis`;
}

/** Deletes the Redis keys a test's webhook-ingest left (they would expire on their own). */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    const leftovers = await redis.keys(`${redisPrefixOf(prefix)}:*`);
    if (leftovers.length > 0) await redis.del(...leftovers);
  } finally {
    await redis.quit();
  }
}
export const PREVIOUS_WEBHOOK_SECRET = 'whsec_ingest_test_previous';

export interface IngestSettings {
  readonly databaseUrl: string;
  readonly amqpUrl: string;
  readonly prefix: string;
  readonly env?: Record<string, string>;
  readonly nodeArgs?: readonly string[];
}

/** webhook-ingest as `npm start` runs it (compiled main.js, own process), on the test's database and prefix. */
export function startIngest(settings: IngestSettings): Promise<ServiceProcess> {
  return startServiceProcess(
    'webhook-ingest',
    {
      DATABASE_URL: settings.databaseUrl,
      AMQP_URL: settings.amqpUrl,
      MESSAGING_PREFIX: settings.prefix,
      STRIPE_WEBHOOK_SECRET: `${WEBHOOK_SECRET},${PREVIOUS_WEBHOOK_SECRET}`,
      OUTBOX_POLL_INTERVAL_MS: '100',
      REDIS_URL,
      REDIS_KEY_PREFIX: redisPrefixOf(settings.prefix),
      ...settings.env,
    },
    { nodeArgs: settings.nodeArgs },
  );
}

export interface RunningSandbox {
  readonly process: ServiceProcess;
  readonly stripe: Stripe;
  readonly url: string;
}

/** The Stripe sandbox in its own process, and an SDK client for it. */
export async function startSandbox(env: Record<string, string>): Promise<RunningSandbox> {
  const sandbox = await startServiceProcess('stripe-sandbox', {
    SANDBOX_WEBHOOK_RETRY_DELAYS_MS: '200,500',
    ...env,
  });
  const stripe = sandboxStripe(sandbox.port, 'sk_test_ingest', { maxNetworkRetries: 0 });
  return { process: sandbox, stripe, url: sandbox.url };
}

/** Ports for a sandbox and an ingest that point at each other, before either starts. */
export async function pairedPorts(): Promise<{ sandboxPort: number; ingestPort: number }> {
  const sandboxPort = await freePort();
  let ingestPort = await freePort();
  while (ingestPort === sandboxPort) ingestPort = await freePort();
  return { sandboxPort, ingestPort };
}

export function signatureFor(
  payload: string,
  secret = WEBHOOK_SECRET,
  timestamp = Math.floor(Date.now() / 1_000),
): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
}

/** POSTs a webhook body with a signature header (none if `signature` is null). */
export function postWebhook(
  ingestUrl: string,
  payload: string,
  signature: string | null = signatureFor(payload),
): Promise<Response> {
  return fetch(`${ingestUrl}/webhooks/stripe`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      ...(signature === null ? {} : { 'stripe-signature': signature }),
    },
    body: payload,
  });
}

export function newEventId(): string {
  return `evt_test_${randomBytes(8).toString('hex')}`;
}

/** A `customer.created` event shaped as Stripe sends it, with a fresh id. */
export function syntheticEvent(overrides: Partial<Stripe.Event> = {}): Stripe.Event {
  const created = Math.floor(Date.now() / 1_000);
  const customerId = `cus_test_${randomBytes(6).toString('hex')}`;
  return {
    id: newEventId(),
    object: 'event',
    api_version: Stripe.API_VERSION,
    created,
    livemode: false,
    pending_webhooks: 1,
    request: { id: `req_${randomBytes(6).toString('hex')}`, idempotency_key: null },
    type: 'customer.created',
    data: {
      object: {
        id: customerId,
        object: 'customer',
        created,
        email: `${customerId}@example.com`,
        livemode: false,
        metadata: {},
      },
    },
    ...overrides,
  } as Stripe.Event;
}

export interface PublishedMessage {
  readonly routingKey: string;
  readonly messageId: string | undefined;
  readonly envelope: Envelope<string, Stripe.Event>;
}

/**
 * A queue bound to `<prefix>.events` with `stripe.#`: sees everything
 * webhook-ingest fans out. Durable, so messages wait in it while it is closed.
 */
export class EventTap {
  readonly messages: PublishedMessage[] = [];

  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: Channel,
    readonly queue: string,
  ) {}

  static async open(amqpUrl: string, prefix: string): Promise<EventTap> {
    const connection = await connect(amqpUrl);
    const channel = await connection.createChannel();
    const exchange = `${prefix}.events`;
    const queue = `${prefix}.test-tap`;
    await channel.assertExchange(exchange, 'topic', { durable: true });
    await channel.assertQueue(queue, { durable: true });
    await channel.bindQueue(queue, exchange, 'stripe.#');
    const tap = new EventTap(connection, channel, queue);
    await channel.consume(
      queue,
      (message) => {
        if (message === null) return;
        tap.messages.push({
          routingKey: message.fields.routingKey,
          messageId: message.properties.messageId as string | undefined,
          envelope: JSON.parse(message.content.toString('utf8')) as PublishedMessage['envelope'],
        });
      },
      { noAck: true },
    );
    return tap;
  }

  /** Messages carrying the Stripe event `eventId`. */
  of(eventId: string): PublishedMessage[] {
    return this.messages.filter((message) => message.envelope.data.id === eventId);
  }

  async waitFor(eventId: string, count = 1): Promise<PublishedMessage[]> {
    return waitFor(
      () => Promise.resolve(this.of(eventId)),
      (found) => found.length >= count,
      { what: `${count} publication(s) of ${eventId}` },
    );
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }

  static async delete(amqpUrl: string, prefix: string): Promise<void> {
    await deleteBrokerObjects(amqpUrl, [`${prefix}.test-tap`], []);
  }
}

export interface StoredEvent {
  event_id: string;
  event_type: string;
  delivery_count: number;
  received_via: string;
  published_at: Date | null;
  replay_count: number;
}

/** Reads the ingest schema directly, as an operator would. */
export class IngestDatabase {
  private readonly pool: pg.Pool;

  constructor(url: string) {
    this.pool = new pg.Pool({ connectionString: url, max: 2 });
  }

  async event(eventId: string): Promise<StoredEvent | undefined> {
    const result = await this.pool.query<StoredEvent>(
      `SELECT "event_id", "event_type", "delivery_count", "received_via", "published_at", "replay_count"
         FROM "ingest"."stripe_webhook_events" WHERE "event_id" = $1`,
      [eventId],
    );
    return result.rows[0];
  }

  async storedIds(): Promise<Set<string>> {
    const result = await this.pool.query<{ event_id: string }>(
      `SELECT "event_id" FROM "ingest"."stripe_webhook_events"`,
    );
    return new Set(result.rows.map((row) => row.event_id));
  }

  /** Outbox rows carrying the event, published or not. */
  async outboxRowsOf(eventId: string): Promise<number> {
    const result = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM "ingest"."outbox" WHERE "envelope" -> 'data' ->> 'id' = $1`,
      [eventId],
    );
    return Number(result.rows[0]?.n);
  }

  async waitUntilPublished(eventId: string): Promise<StoredEvent> {
    const stored = await waitFor(
      () => this.event(eventId),
      (row) => row?.published_at !== null && row?.published_at !== undefined,
      { what: `${eventId} to be published` },
    );
    if (stored === undefined) throw new Error(`${eventId} is not stored`);
    return stored;
  }

  query<R extends pg.QueryResultRow>(
    sql: string,
    values: unknown[] = [],
  ): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>(sql, values);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** The fields an `invalid_request` refusal names, once each, as the RPC server lists its problems. */
export function fieldsAtFault(refusal: RpcRemoteError): string[] {
  const problems = refusal.message.replace(/^invalid payload for \S+: /, '').split('; ');
  return [...new Set(problems.map((problem) => /^[\w.]+/.exec(problem)?.[0] ?? problem))];
}

/**
 * Stands between webhook-ingest and the sandbox. Counts `GET /v1/events`
 * requests and, once told, holds the n-th one unanswered (a backfill stuck
 * mid-way at a known page, to be interrupted there) or answers it and all
 * after it with Stripe's 500 (Stripe unavailable).
 */
export class StripeApiProxy {
  /** Paths (with query) of every `GET /v1/events` request, in order. */
  readonly eventListRequests: string[] = [];
  private interference: { from: number; action: 'hold' | 'fail' } | null = null;
  private readonly held: ServerResponse[] = [];
  private server: Server | null = null;

  constructor(private readonly target: string) {}

  get url(): string {
    const address = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  get heldRequests(): number {
    return this.held.length;
  }

  /** Holds the event-list request `ordinal` requests from now (1 = the next one) and all after it. */
  holdEventList(ordinal: number): void {
    this.interference = { from: this.eventListRequests.length + ordinal, action: 'hold' };
  }

  /** Fails the event-list request `ordinal` requests from now and all after it. */
  failEventList(ordinal: number): void {
    this.interference = { from: this.eventListRequests.length + ordinal, action: 'fail' };
  }

  /** Stops interfering; requests already held are dropped, as a crashed client's would be. */
  passThrough(): void {
    this.interference = null;
    for (const response of this.held.splice(0)) response.destroy();
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const path = request.url ?? '/';
      if (request.method === 'GET' && path.startsWith('/v1/events?')) {
        this.eventListRequests.push(path);
        const interference = this.interference;
        if (interference !== null && this.eventListRequests.length >= interference.from) {
          request.resume();
          if (interference.action === 'hold') this.held.push(response);
          else
            response.writeHead(500, { 'content-type': 'application/json' }).end(
              JSON.stringify({
                error: { type: 'api_error', message: 'Stripe is unavailable (test proxy)' },
              }),
            );
          return;
        }
      }
      const forwarded = httpRequest(
        `${this.target}${path}`,
        { method: request.method, headers: request.headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      forwarded.on('error', () => response.destroy());
      request.pipe(forwarded);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.passThrough();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
