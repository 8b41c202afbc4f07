import { randomUUID } from 'node:crypto';
import {
  BILLING_CUSTOMER_CREATED_V1,
  BILLING_TRANSACTION_CREATED_V1,
  BILLING_TRANSACTION_UPDATED_V1,
  STRIPE_EVENT_APPLIED_V1,
  stripeEventName,
  type BillingCustomerV1,
  type BillingTransactionV1,
  type Envelope,
  type EventName,
  type EventPayload,
  type StripeEventAppliedV1,
  versionOf,
} from '@aegis/contracts';
import { AmqpRpcClient, AmqpServer, topologyNames } from '@aegis/messaging';
import type { RunningService } from '@aegis/platform';
import {
  baseAmqpUrl,
  createTestDatabase,
  createTestPrefix,
  deleteServiceTopologies,
  publishStripeEvent,
  startServiceProcess,
  useTestEnvironment,
  waitFor,
  type ServiceProcess,
  type TestDatabase,
  startTestService,
  sandboxStripe,
  waitUntilReady,
  listenForEvents,
  consumedCount,
} from '@aegis/testing';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import Stripe from 'stripe';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module.js';

const RETRY_DELAYS_MS = [100, 500];

export interface MirrorSnapshot {
  readonly customers: Record<string, unknown>[];
  readonly transactions: Record<string, unknown>[];
}

/**
 * The Stripe sandbox in a process of its own (webhooks off), billing in this
 * process on the test's database and broker prefix, an SDK client for the
 * sandbox, and a queue that collects what billing publishes. Stripe events
 * reach billing as webhook-ingest fans them out: on the events exchange,
 * routing key and type `stripe.<type>`, message id the event id.
 */
/** billing's events the harness collects. */
const COLLECTED_EVENT_TYPES = [
  STRIPE_EVENT_APPLIED_V1,
  BILLING_CUSTOMER_CREATED_V1,
  BILLING_TRANSACTION_CREATED_V1,
  BILLING_TRANSACTION_UPDATED_V1,
] as const;

export class BillingHarness {
  readonly receipts: StripeEventAppliedV1[] = [];
  readonly transactionEvents: Envelope<string, BillingTransactionV1>[] = [];
  readonly customerEvents: BillingCustomerV1[] = [];
  private constructor(
    private readonly database: TestDatabase,
    private readonly sandbox: ServiceProcess,
    private readonly service: RunningService,
    private readonly broker: ChannelModel,
    private readonly channel: ConfirmChannel,
    private readonly prefix: string,
    readonly stripe: Stripe,
    readonly dataSource: DataSource,
  ) {}

  static async start(): Promise<BillingHarness> {
    const database = await createTestDatabase();
    const prefix = createTestPrefix();
    const sandbox = await startServiceProcess('stripe-sandbox', { SANDBOX_WEBHOOK_URL: 'off' });
    useTestEnvironment({
      databaseUrl: database.url,
      amqpUrl: baseAmqpUrl(),
      prefix,
      env: {
        STRIPE_API_URL: sandbox.url,
        STRIPE_REFETCH_PER_SECOND: '100',
        MESSAGING_RETRY_DELAYS_MS: RETRY_DELAYS_MS.join(','),
        OUTBOX_POLL_INTERVAL_MS: '100',
      },
    });
    const service = await startTestService(AppModule, 'billing');
    const broker = await connect(baseAmqpUrl());
    const channel = await broker.createConfirmChannel();
    const stripe = sandboxStripe(sandbox.port, 'sk_test_billing');
    const harness = new BillingHarness(
      database,
      sandbox,
      service,
      broker,
      channel,
      prefix,
      stripe,
      service.app.get(DataSource),
    );
    await waitUntilReady(service.url, { what: 'billing to be ready' });
    await harness.collectPublishedEvents();
    return harness;
  }

  async stop(): Promise<void> {
    await this.service.app.close();
    await this.broker.close();
    await this.sandbox.stop();
    await deleteServiceTopologies(baseAmqpUrl(), [this.names]);
    await this.database.drop();
  }

  /** Billing's own RPC client: calls go over the broker to billing's RPC queue, as any caller's. */
  get rpc(): AmqpRpcClient {
    return this.service.app.get(AmqpRpcClient);
  }

  get names(): ReturnType<typeof topologyNames> {
    return topologyNames(this.prefix, 'billing', RETRY_DELAYS_MS);
  }

  /** The Stripe event types billing subscribes to, as its handlers declare them. */
  handles(event: Stripe.Event): boolean {
    return this.service.app.get(AmqpServer).eventRoutingKeys.includes(stripeEventName(event.type));
  }

  /** Every event the sandbox recorded, oldest first. */
  async allEvents(): Promise<Stripe.Event[]> {
    const newestFirst = await this.stripe.events.list({ limit: 100 }).autoPagingToArray({
      limit: 10_000,
    });
    return newestFirst.reverse();
  }

  /**
   * Publishes the events as webhook-ingest fans them out; `messageIds` gives
   * each its message id (default: the event id; a forced replay uses new
   * ones). Returns the message ids of those billing handles.
   */
  async publish(
    events: readonly Stripe.Event[],
    messageIds?: readonly string[],
  ): Promise<string[]> {
    const handled: string[] = [];
    for (const [index, event] of events.entries()) {
      const id = messageIds?.[index] ?? event.id;
      publishStripeEvent(this.channel, this.names.eventsExchange, event, id);
      if (this.handles(event)) handled.push(id);
    }
    await this.channel.waitForConfirms();
    return handled;
  }

  /** Publishes the events and waits until billing committed every one it handles. */
  async deliver(events: readonly Stripe.Event[], messageIds?: readonly string[]): Promise<void> {
    await this.waitUntilApplied(await this.publish(events, messageIds));
  }

  /**
   * Delivers the events one at a time, each applied before the next is sent,
   * so billing applies them in exactly this order; `replay` sends each under
   * a new message id, as a forced replay would.
   */
  async deliverInOrder(events: readonly Stripe.Event[], { replay = false } = {}): Promise<void> {
    for (const event of events) await this.deliver([event], [replay ? randomUUID() : event.id]);
  }

  /**
   * Publishes one of another service's domain events as its outbox relay
   * does: routing key and type the event's name, message id the envelope's id
   * (`messageId`, default a new one). Returns the message id.
   */
  async publishEvent<K extends EventName>(
    type: K,
    data: EventPayload<K>,
    { messageId, source = 'disputes' }: { messageId?: string; source?: string } = {},
  ): Promise<string> {
    const id = messageId ?? randomUUID();
    const envelope: Envelope<K, EventPayload<K>> = {
      id,
      type,
      version: versionOf(type),
      occurredAt: new Date().toISOString(),
      source,
      correlationId: randomUUID(),
      data,
    };
    this.channel.publish(this.names.eventsExchange, type, Buffer.from(JSON.stringify(envelope)), {
      persistent: true,
      contentType: 'application/json',
      messageId: id,
      type,
    });
    await this.channel.waitForConfirms();
    return id;
  }

  /** publishEvent, then waits until billing committed it. */
  async deliverEvent<K extends EventName>(
    type: K,
    data: EventPayload<K>,
    options: { messageId?: string; source?: string } = {},
  ): Promise<string> {
    const messageId = await this.publishEvent(type, data, options);
    await this.waitUntilApplied([messageId]);
    return messageId;
  }

  async waitUntilApplied(messageIds: readonly string[]): Promise<void> {
    const expected = new Set(messageIds).size;
    await waitFor(
      async () => {
        const [row] = await this.dataSource.query<{ applied: string }[]>(
          `SELECT count(*) AS applied FROM "billing"."inbox" WHERE "message_id" = ANY($1)`,
          [[...messageIds]],
        );
        return Number(row?.applied);
      },
      (applied) => applied === expected,
      { what: `billing to apply ${expected} messages`, timeoutMs: 30_000 },
    );
  }

  /**
   * Waits until billing's outbox has nothing left to publish and the test
   * queue got all of it that it listens to (not, say, a dead-letter notice).
   */
  async waitUntilPublished(): Promise<void> {
    const total = async (): Promise<{ outbox: number; unpublished: number }> => {
      const [row] = await this.dataSource.query<{ outbox: string; unpublished: string }[]>(
        `SELECT count(*) FILTER (WHERE "message_type" = ANY($1)) AS outbox,
                count(*) FILTER (WHERE "published_at" IS NULL) AS unpublished
           FROM "billing"."outbox"`,
        [[...COLLECTED_EVENT_TYPES]],
      );
      return { outbox: Number(row?.outbox), unpublished: Number(row?.unpublished) };
    };
    await waitFor(
      async () => ({ ...(await total()), received: this.received }),
      ({ outbox, unpublished, received }) => unpublished === 0 && received === outbox,
      { what: "billing's outbox to reach the test queue" },
    );
  }

  /** Deliveries billing's consumer settled with this outcome so far (its own metric). */
  consumed(outcome: 'applied' | 'duplicate'): Promise<number> {
    return consumedCount(this.service.url, outcome);
  }

  async deadLetterCount(): Promise<number> {
    return (await this.channel.checkQueue(this.names.deadLetterQueue)).messageCount;
  }

  async snapshot(): Promise<MirrorSnapshot> {
    return {
      customers: await this.dataSource.query(
        `SELECT * FROM "billing"."customers" ORDER BY "stripe_customer_id"`,
      ),
      transactions: await this.dataSource.query(
        `SELECT * FROM "billing"."billing_transactions" ORDER BY "transaction_id"`,
      ),
    };
  }

  private received = 0;

  private async collectPublishedEvents(): Promise<void> {
    await listenForEvents(
      this.channel,
      this.names.eventsExchange,
      [...COLLECTED_EVENT_TYPES],
      (envelope) => {
        this.received += 1;
        if (envelope.type === STRIPE_EVENT_APPLIED_V1) {
          this.receipts.push(envelope.data as StripeEventAppliedV1);
        } else if (envelope.type === BILLING_CUSTOMER_CREATED_V1) {
          this.customerEvents.push(envelope.data as BillingCustomerV1);
        } else {
          this.transactionEvents.push(envelope as Envelope<string, BillingTransactionV1>);
        }
      },
    );
  }
}
