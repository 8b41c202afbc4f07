/**
 * The Stripe event spine end to end: the sandbox delivers signed webhooks
 * (shuffled and duplicated) to webhook-ingest, which stores and fans them
 * out; billing and subscriptions mirror Stripe in their own schemas. Each
 * app runs in a process of its own, as under `npm start`.
 */
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, it, expect } from '@jest/globals';
import { promisify } from 'node:util';
import { DEFAULT_STRIPE_WEBHOOK_SECRET } from '@aegis/config';
import {
  BILLING_CUSTOMER_GET_OR_CREATE_V1,
  INGEST_BACKFILL_GET_V1,
  INGEST_BACKFILL_START_V1,
  INGEST_STRIPE_EVENT_REPLAY_V1,
  SERVICE_NAMES,
} from '@aegis/contracts';
import { AmqpRpcClient, topologyNames } from '@aegis/messaging';
import {
  baseAmqpUrl,
  createTestDatabase,
  createTestPrefix,
  deleteServiceTopologies,
  freePort,
  startServiceProcess,
  waitFor,
  type ServiceProcess,
  type TestDatabase,
  defined,
  sandboxStripe,
  withRpcCaller,
} from '@aegis/testing';
import pg from 'pg';
import Stripe from 'stripe';

const run = promisify(execFile);
const DAY = 24 * 60 * 60;
const RETRY_DELAYS_MS = '200,1000';
const MIRROR_TIMEOUT_MS = 60_000;

interface TransactionRow {
  stripe_payment_intent_id: string | null;
  stripe_charge_id: string | null;
  stripe_customer_id: string | null;
  amount_cents: string;
  amount_refunded_cents: string;
  currency: string;
  status: string;
}

interface SubscriptionRow {
  stripe_subscription_id: string;
  stripe_customer_id: string;
  price_id: string | null;
  status: string;
  cancel_at_period_end: boolean;
  current_period_start: Date | null;
  current_period_end: Date | null;
}

interface CustomerRow {
  stripe_customer_id: string;
  email: string | null;
  name: string | null;
  deleted_at: Date | null;
}

function seconds(date: Date | null): number | null {
  return date === null ? null : Math.floor(date.getTime() / 1000);
}

/** What billing must hold for a payment intent, from Stripe's current state. */
function expectedTransaction(
  intent: Stripe.PaymentIntent,
): Omit<TransactionRow, 'stripe_customer_id'> {
  const charge = typeof intent.latest_charge === 'object' ? intent.latest_charge : null;
  const refunded = charge?.amount_refunded ?? 0;
  let status = 'pending';
  if (intent.status === 'succeeded') {
    status =
      refunded === 0 ? 'succeeded' : refunded >= intent.amount ? 'refunded' : 'partially_refunded';
  } else if (intent.status === 'canceled') {
    status = 'cancelled';
  } else if (charge?.status === 'failed') {
    status = 'failed';
  }
  return {
    stripe_payment_intent_id: intent.id,
    stripe_charge_id: charge?.id ?? null,
    amount_cents: String(intent.amount),
    amount_refunded_cents: String(refunded),
    currency: intent.currency,
    status,
  };
}

describe('the Stripe event spine: sandbox → webhook-ingest → billing and subscriptions', () => {
  let database: TestDatabase;
  let db: pg.Pool;
  const prefix = createTestPrefix();
  let sandbox: ServiceProcess;
  let ingest: ServiceProcess;
  let billing: ServiceProcess;
  let subscriptions: ServiceProcess;
  let stripe: Stripe;
  let serviceEnv: Record<string, string>;

  /** Every object of a Stripe list, newest first. */
  async function all<T>(list: Stripe.ApiListPromise<T>): Promise<T[]> {
    const items: T[] = [];
    for await (const item of list) items.push(item);
    return items;
  }

  async function transactions(): Promise<TransactionRow[]> {
    const { rows } = await db.query<TransactionRow>(
      `SELECT stripe_payment_intent_id, stripe_charge_id, stripe_customer_id, amount_cents,
              amount_refunded_cents, currency, status
         FROM billing.billing_transactions ORDER BY stripe_payment_intent_id`,
    );
    return rows;
  }

  /**
   * Billing's and subscriptions' tables against Stripe's state now: one
   * transaction per payment intent with its charge, amounts and status; each
   * customer; each subscription. Returns the differences (none: mirrored).
   */
  async function mirrorDifferences(): Promise<string[]> {
    const differences: string[] = [];
    const intents = await all(
      stripe.paymentIntents.list({ limit: 100, expand: ['data.latest_charge'] }),
    );
    const rows = new Map((await transactions()).map((row) => [row.stripe_payment_intent_id, row]));
    for (const intent of intents) {
      const row = rows.get(intent.id);
      const expected = expectedTransaction(intent);
      const actual =
        row === undefined
          ? null
          : {
              stripe_payment_intent_id: row.stripe_payment_intent_id,
              stripe_charge_id: row.stripe_charge_id,
              amount_cents: row.amount_cents,
              amount_refunded_cents: row.amount_refunded_cents,
              currency: row.currency,
              status: row.status,
            };
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        differences.push(
          `${intent.id}: ${JSON.stringify(actual)} is not ${JSON.stringify(expected)}`,
        );
      }
    }
    if (rows.size !== intents.length) {
      differences.push(`${rows.size} transactions for ${intents.length} payment intents`);
    }
    const customers = await db.query<CustomerRow>(
      'SELECT stripe_customer_id, email, name, deleted_at FROM billing.customers',
    );
    const customerRows = new Map(customers.rows.map((row) => [row.stripe_customer_id, row]));
    for (const customer of await all(stripe.customers.list({ limit: 100 }))) {
      const row = customerRows.get(customer.id);
      if (row?.email !== customer.email || row.name !== (customer.name ?? null)) {
        differences.push(`customer ${customer.id}: ${JSON.stringify(row)}`);
      }
    }
    const subscriptionRows = await db.query<SubscriptionRow>(
      `SELECT stripe_subscription_id, stripe_customer_id, price_id, status, cancel_at_period_end,
              current_period_start, current_period_end FROM subscriptions.subscriptions`,
    );
    const byId = new Map(subscriptionRows.rows.map((row) => [row.stripe_subscription_id, row]));
    for (const subscription of await all(
      stripe.subscriptions.list({ status: 'all', limit: 100 }),
    )) {
      const row = byId.get(subscription.id);
      const [item] = subscription.items.data;
      const expected = {
        status: subscription.status,
        price: item?.price.id ?? null,
        cancelAtPeriodEnd: subscription.cancel_at_period_end,
        start: item?.current_period_start ?? null,
        end: item?.current_period_end ?? null,
      };
      const actual =
        row === undefined
          ? null
          : {
              status: row.status,
              price: row.price_id,
              cancelAtPeriodEnd: row.cancel_at_period_end,
              start: seconds(row.current_period_start),
              end: seconds(row.current_period_end),
            };
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        differences.push(
          `subscription ${subscription.id}: ${JSON.stringify(actual)} is not ${JSON.stringify(expected)}`,
        );
      }
    }
    return differences;
  }

  async function waitUntilMirrored(what: string): Promise<void> {
    await waitFor(mirrorDifferences, (differences) => differences.length === 0, {
      timeoutMs: MIRROR_TIMEOUT_MS,
      intervalMs: 250,
      what: `billing and subscriptions to mirror Stripe (${what})`,
    });
  }

  /** Everything billing and subscriptions hold, for before/after comparisons. */
  async function snapshot(): Promise<string> {
    const tables = await Promise.all([
      db.query(
        `SELECT transaction_id, customer_id, stripe_payment_intent_id, stripe_charge_id, stripe_invoice_id,
                amount_cents, amount_refunded_cents, currency, status, metadata
           FROM billing.billing_transactions ORDER BY transaction_id`,
      ),
      db.query(
        'SELECT customer_id, stripe_customer_id, email, name, metadata, deleted_at FROM billing.customers ORDER BY customer_id',
      ),
      db.query(
        `SELECT subscription_id, status, price_id, current_period_start, current_period_end,
                cancel_at_period_end, canceled_at, trial_end, version
           FROM subscriptions.subscriptions ORDER BY subscription_id`,
      ),
      db.query('SELECT count(*) AS n FROM subscriptions.subscription_history'),
    ]);
    return JSON.stringify(tables.map((result): unknown[] => result.rows));
  }

  /** Receipts webhook-ingest collected: (event, service) pairs and receipts in all. */
  async function receiptTotals(): Promise<{ pairs: number; receipts: number }> {
    const { rows } = await db.query<{ pairs: string; receipts: string | null }>(
      'SELECT count(*) AS pairs, sum(receipt_count) AS receipts FROM ingest.stripe_event_receipts',
    );
    return { pairs: Number(rows[0]?.pairs), receipts: Number(rows[0]?.receipts ?? 0) };
  }

  /** Calls RPC routes over the run's broker prefix, as the gateway does, on a connection of its own. */
  function withRpc<T>(use: (rpc: AmqpRpcClient) => Promise<T>): Promise<T> {
    return withRpcCaller(baseAmqpUrl(), prefix, use);
  }

  async function pay(
    customer: string,
    card: string,
    amount: number,
  ): Promise<Stripe.PaymentIntent> {
    return stripe.paymentIntents.create({
      amount,
      currency: 'usd',
      customer,
      payment_method: card,
      allowed_payment_method_types: ['card'],
      confirm: true,
    });
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    db = new pg.Pool({ connectionString: database.url, max: 2 });
    const [sandboxPort, ingestPort] = [await freePort(), await freePort()];
    serviceEnv = {
      DATABASE_URL: database.url,
      AMQP_URL: baseAmqpUrl(),
      MESSAGING_PREFIX: prefix,
      MESSAGING_RETRY_DELAYS_MS: RETRY_DELAYS_MS,
      STRIPE_API_URL: `http://127.0.0.1:${sandboxPort}`,
      STRIPE_WEBHOOK_SECRET: DEFAULT_STRIPE_WEBHOOK_SECRET,
      OUTBOX_POLL_INTERVAL_MS: '200',
    };
    [ingest, billing, subscriptions] = await Promise.all([
      startServiceProcess('webhook-ingest', { ...serviceEnv, PORT: String(ingestPort) }),
      startServiceProcess('billing', serviceEnv),
      startServiceProcess('subscriptions', serviceEnv),
    ]);
    sandbox = await startServiceProcess('stripe-sandbox', {
      PORT: String(sandboxPort),
      SANDBOX_WEBHOOK_URL: `${ingest.url}/webhooks/stripe`,
      STRIPE_WEBHOOK_SECRET: DEFAULT_STRIPE_WEBHOOK_SECRET,
      SANDBOX_WEBHOOK_RETRY_DELAYS_MS: '200,500,1000',
      SANDBOX_WEBHOOK_ORDER: 'shuffled',
      SANDBOX_WEBHOOK_DUPLICATES: 'true',
    });
    stripe = sandboxStripe(sandboxPort, 'sk_test_e2e', { maxNetworkRetries: 2 });
  });

  afterAll(async () => {
    await Promise.all([sandbox, ingest, billing, subscriptions].map((service) => service.stop()));
    await db.end();
    await deleteServiceTopologies(
      baseAmqpUrl(),
      SERVICE_NAMES.map((service) =>
        topologyNames(prefix, service, RETRY_DELAYS_MS.split(',').map(Number)),
      ),
    );
    await database.drop();
  });

  it("mirrors a customer's payments and a subscription's whole life exactly", async () => {
    const payer = await stripe.customers.create({ email: 'payer@example.com', name: 'Payer' });
    const paid = await pay(payer.id, 'pm_card_visa', 2_500);
    expect(paid.status).toBe('succeeded');
    await expect(pay(payer.id, 'pm_card_chargeDeclined', 1_200)).rejects.toThrow(
      Stripe.errors.StripeCardError,
    );
    const declined = defined(
      (await stripe.paymentIntents.list({ customer: payer.id, limit: 1 })).data[0],
      'the declined payment intent',
    );
    const retried = await stripe.paymentIntents.confirm(declined.id, {
      payment_method: 'pm_card_visa',
    });
    expect(retried.status).toBe('succeeded');
    await stripe.refunds.create({ payment_intent: paid.id, amount: 500 });
    await stripe.refunds.create({ payment_intent: paid.id });
    await stripe.customers.update(payer.id, { name: 'Payer Renamed' });

    // Near the real date: the sandbox, like Stripe, keeps events for 30 days.
    const start = Math.floor(Date.now() / 1000 / DAY) * DAY - DAY;
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
    const subscriber = await stripe.customers.create({
      email: 'subscriber@example.com',
      test_clock: clock.id,
      payment_method: 'pm_card_visa',
      invoice_settings: { default_payment_method: 'pm_card_visa' },
    });
    const product = await stripe.products.create({ name: 'Agent seat' });
    const basic = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 2_000,
      recurring: { interval: 'month' },
    });
    const pro = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 5_000,
      recurring: { interval: 'month' },
    });
    const advance = async (to: number): Promise<void> => {
      await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: to });
      await waitFor(
        () => stripe.testHelpers.testClocks.retrieve(clock.id),
        (current) => current.status === 'ready',
        { what: 'the test clock' },
      );
    };
    const subscription = await stripe.subscriptions.create({
      customer: subscriber.id,
      items: [{ price: basic.id }],
      trial_period_days: 7,
    });
    expect(subscription.status).toBe('trialing');
    // Each stage is waited for, so the mirror's history holds each status: webhooks come shuffled,
    // and a consumer that first hears of a subscription after its trial never sees it trialing.
    await waitUntilMirrored('trialing');
    await advance(start + 8 * DAY);
    const item = defined(
      (await stripe.subscriptions.retrieve(subscription.id)).items.data[0],
      'the subscription item',
    );
    await stripe.subscriptions.update(subscription.id, { items: [{ id: item.id, price: pro.id }] });
    await waitUntilMirrored('after the trial and the price change');

    const declining = await stripe.paymentMethods.attach('pm_card_chargeDeclined', {
      customer: subscriber.id,
    });
    await stripe.customers.update(subscriber.id, {
      invoice_settings: { default_payment_method: declining.id },
    });
    await advance(start + 40 * DAY);
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('past_due');
    await waitUntilMirrored('past due after a declined renewal');
    const visa = await stripe.paymentMethods.attach('pm_card_visa', { customer: subscriber.id });
    await stripe.customers.update(subscriber.id, {
      invoice_settings: { default_payment_method: visa.id },
    });
    await advance(start + 44 * DAY);
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('active');
    await stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
    await waitUntilMirrored('recovered, ending at the period end');
    await advance(start + 80 * DAY);
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('canceled');
    await waitUntilMirrored('ended');

    const history = await db.query<{ to_status: string }>(
      `SELECT h.to_status FROM subscriptions.subscription_history h
         JOIN subscriptions.subscriptions s USING (subscription_id)
        WHERE s.stripe_subscription_id = $1 AND h.outcome <> 'noted' ORDER BY h.version`,
      [subscription.id],
    );
    const statuses = history.rows
      .map((row) => row.to_status)
      .filter((status, index, list) => status !== list[index - 1]);
    expect(statuses).toStrictEqual(['trialing', 'active', 'past_due', 'active', 'canceled']);
    const [retriedRow] = (await transactions()).filter(
      (row) => row.stripe_payment_intent_id === declined.id,
    );
    expect(retriedRow?.status).toBe('succeeded');
  });

  it('changes nothing when every event is delivered again twice, in random order, freshly signed', async () => {
    // Every webhook of the story has been delivered (the sandbox retries until accepted).
    const events = await waitFor(
      () => all(stripe.events.list({ limit: 100 })),
      (list) => list.every((event) => event.pending_webhooks === 0),
      { timeoutMs: MIRROR_TIMEOUT_MS, what: 'every webhook to be delivered' },
    );
    await waitUntilMirrored('before the redeliveries');
    const before = await snapshot();
    const deliveries = events
      .flatMap((event) => [event, event])
      .map((event) => ({ event, order: randomInt(1_000_000) }))
      .sort((a, b) => a.order - b.order)
      .map(({ event }) => event);
    for (const event of deliveries) {
      const payload = JSON.stringify(event);
      const response = await fetch(`${ingest.url}/webhooks/stripe`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': Stripe.webhooks.generateTestHeaderString({
            payload,
            secret: DEFAULT_STRIPE_WEBHOOK_SECRET,
          }),
        },
        body: payload,
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { outcome: string }).outcome).toBe('duplicate');
    }
    // Past the inboxes too: a forced replay makes billing and subscriptions apply every event again.
    const receiptsBefore = await receiptTotals();
    const replayed = await withRpc((rpc) =>
      rpc.call(INGEST_STRIPE_EVENT_REPLAY_V1, {
        from: '2000-01-01T00:00:00Z',
        to: '2100-01-01T00:00:00Z',
        force: true,
      }),
    );
    expect(replayed.forced).toBe(true);
    expect(replayed.republished).toBeGreaterThanOrEqual(events.length);
    // Each service that applied an event sends one more receipt for it.
    await waitFor(
      receiptTotals,
      (totals) => totals.receipts === receiptsBefore.receipts + receiptsBefore.pairs,
      { timeoutMs: MIRROR_TIMEOUT_MS, what: 'a receipt for every replayed event' },
    );
    expect(await mirrorDifferences()).toStrictEqual([]);
    expect(await snapshot()).toBe(before);
  });

  it('loses and doubles nothing across a broker restart', async () => {
    const customer = await stripe.customers.create({ email: 'outage@example.com' });
    await run('rabbitmqctl', ['-q', 'stop_app']);
    try {
      // webhook-ingest keeps answering: the events wait in its outbox.
      for (const amount of [1_000, 2_000, 3_000]) await pay(customer.id, 'pm_card_visa', amount);
      await waitFor(
        () =>
          db.query<{ n: string }>(
            `SELECT count(*) AS n FROM ingest.stripe_webhook_events
            WHERE payload->'data'->'object'->>'customer' = $1 AND event_type = 'payment_intent.succeeded'`,
            [customer.id],
          ),
        (result) => Number(result.rows[0]?.n) === 3,
        { what: 'webhooks stored while the broker is down' },
      );
    } finally {
      await run('rabbitmqctl', ['-q', 'start_app']);
      await run('rabbitmqctl', ['-q', 'await_startup']);
    }
    await waitUntilMirrored('after the broker came back');
    const rows = (await transactions()).filter((row) => row.stripe_customer_id === customer.id);
    expect(rows.map((row) => row.amount_cents).sort()).toStrictEqual(['1000', '2000', '3000']);
  });

  it('loses and doubles nothing when a consumer is killed mid-stream', async () => {
    const customer = await stripe.customers.create({ email: 'crash@example.com' });
    const burst = Promise.all(
      Array.from({ length: 12 }, (_, index) => pay(customer.id, 'pm_card_visa', 100 + index)),
    );
    await waitFor(
      async () =>
        (await transactions()).filter((row) => row.stripe_customer_id === customer.id).length,
      (count) => count >= 1,
      { what: 'billing to start on the burst' },
    );
    await billing.kill();
    await burst;
    billing = await startServiceProcess('billing', { ...serviceEnv, PORT: String(billing.port) });
    await waitUntilMirrored('after billing was killed and restarted');
    const rows = (await transactions()).filter((row) => row.stripe_customer_id === customer.id);
    expect(rows.length).toBe(12);
    expect(new Set(rows.map((row) => row.stripe_payment_intent_id)).size).toBe(12);
  });

  it('recovers by backfill every event whose webhook was dropped', async () => {
    const endpoints = await stripe.webhookEndpoints.list();
    const endpoint = defined(
      endpoints.data.find((candidate) => candidate.url.startsWith(ingest.url)),
      'the webhook endpoint of webhook-ingest',
    );
    const since = new Date(Date.now() - 5_000).toISOString();
    await stripe.webhookEndpoints.update(endpoint.id, { disabled: true });
    const customer = await stripe.customers.create({ email: 'dropped@example.com' });
    const missed = [
      await pay(customer.id, 'pm_card_visa', 4_200),
      await pay(customer.id, 'pm_card_visa', 4_300),
    ];
    await stripe.webhookEndpoints.update(endpoint.id, { disabled: false });
    const stored = await db.query(
      "SELECT 1 FROM ingest.stripe_webhook_events WHERE payload->'data'->'object'->>'id' = $1",
      [missed[0]?.id],
    );
    expect(stored.rowCount).toBe(0);

    const finished = await withRpc(async (rpc) => {
      const started = await rpc.call(INGEST_BACKFILL_START_V1, { since });
      expect(started.status).toBe('running');
      return waitFor(
        () => rpc.call(INGEST_BACKFILL_GET_V1, { runId: started.id }),
        (progress) => progress.status !== 'running',
        { timeoutMs: MIRROR_TIMEOUT_MS, what: 'the backfill' },
      );
    });
    expect(finished.status).toBe('done');
    expect(finished.ingested).toBeGreaterThanOrEqual(4);
    await waitUntilMirrored('after the backfill');
    const rows = (await transactions()).filter((row) => row.stripe_customer_id === customer.id);
    expect(rows.map((row) => row.status)).toStrictEqual(['succeeded', 'succeeded']);
  });

  it('keeps one customer id: a customer registered through billing owns its payment and subscription under that id', async () => {
    await withRpc(async (rpc) => {
      const customerId = `cust_e2e_${randomInt(1_000_000_000)}`;
      const { customer } = await rpc.call(BILLING_CUSTOMER_GET_OR_CREATE_V1, {
        customerId,
        email: 'one-id@example.com',
      });
      expect(customer.customerId).toBe(customerId);
      const card = await stripe.paymentMethods.attach('pm_card_visa', {
        customer: customer.stripeCustomerId,
      });
      await stripe.customers.update(customer.stripeCustomerId, {
        invoice_settings: { default_payment_method: card.id },
      });
      const paid = await pay(customer.stripeCustomerId, card.id, 1_800);
      const product = await stripe.products.create({ name: 'One-id seat' });
      const price = await stripe.prices.create({
        product: product.id,
        currency: 'usd',
        unit_amount: 3_000,
        recurring: { interval: 'month' },
      });
      const subscription = await stripe.subscriptions.create({
        customer: customer.stripeCustomerId,
        items: [{ price: price.id }],
      });

      const payment = await waitFor(
        async () =>
          (
            await db.query<{ customer_id: string | null }>(
              'SELECT customer_id FROM billing.billing_transactions WHERE stripe_payment_intent_id = $1',
              [paid.id],
            )
          ).rows,
        (rows) => rows.length === 1,
        { timeoutMs: MIRROR_TIMEOUT_MS, what: 'billing to record the payment' },
      );
      expect(payment).toStrictEqual([{ customer_id: customerId }]);
      const subscribed = await waitFor(
        async () =>
          (
            await db.query<{ customer_id: string }>(
              'SELECT customer_id FROM subscriptions.subscriptions WHERE stripe_subscription_id = $1',
              [subscription.id],
            )
          ).rows,
        (rows) => rows.length === 1,
        { timeoutMs: MIRROR_TIMEOUT_MS, what: 'subscriptions to record the subscription' },
      );
      expect(subscribed).toStrictEqual([{ customer_id: customerId }]);
      const registered = await db.query<{ customer_id: string }>(
        'SELECT customer_id FROM billing.customers WHERE stripe_customer_id = $1',
        [customer.stripeCustomerId],
      );
      expect(registered.rows).toStrictEqual([{ customer_id: customerId }]);
    });
  });
});
