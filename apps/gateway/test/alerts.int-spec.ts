import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BILLING_TRANSACTION_UPDATED_V1,
  DISPUTE_CREATED_V1,
  DISPUTE_DEADLINE_APPROACHING_V1,
  DISPUTE_UPDATED_V1,
  OPERATIONS_API_PATHS,
  SUBSCRIPTION_ENDED_V1,
  SUBSCRIPTION_UPDATED_V1,
  type AlertResourceV1,
  type BillingTransactionV1,
  type DisputeStateV1,
  type EventName,
  type EventPayload,
  type ListV1,
  type ProblemV1,
  type SubscriptionStateV1,
} from '@aegis/contracts';
import { topologyNames } from '@aegis/messaging';
import { baseAmqpUrl, consumedCount } from '@aegis/testing';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { GatewayHarness } from './gateway-harness.js';

let harness: GatewayHarness;
let broker: ChannelModel;
let channel: ConfirmChannel;

beforeAll(async () => {
  harness = await GatewayHarness.start();
  broker = await connect(baseAmqpUrl());
  channel = await broker.createConfirmChannel();
});

afterAll(async () => {
  await broker.close();
  await harness.stop();
});

/** Publishes a domain event as a service's outbox relay does: on the events exchange, message id = envelope id. */
async function publish<K extends EventName>(
  type: K,
  data: EventPayload<K>,
  id: string = randomUUID(),
): Promise<string> {
  const envelope = {
    id,
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    source: 'test',
    correlationId: randomUUID(),
    data,
  };
  channel.publish(
    topologyNames(harness.prefix, 'gateway', []).eventsExchange,
    type,
    Buffer.from(JSON.stringify(envelope)),
    { persistent: true, contentType: 'application/json', messageId: id, type },
  );
  await channel.waitForConfirms();
  return id;
}

async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The envelope ids the gateway's inbox holds, of `ids`. */
async function consumed(ids: readonly string[]): Promise<number> {
  const [row] = await harness.sql.query<{ count: string }[]>(
    `SELECT count(*) AS "count" FROM "gateway"."inbox" WHERE "message_id" = ANY ($1)`,
    [ids],
  );
  return Number(row?.count ?? 0);
}

async function waitConsumed(ids: readonly string[]): Promise<void> {
  await eventually(
    () => consumed(ids),
    (count) => count === ids.length,
    'the events consumed',
  );
}

/** `aegis_alerts_raised_total{type}` summed over every replica. */
async function raisedMetric(type: string): Promise<number> {
  let sum = 0;
  for (const replica of harness.replicas) {
    const text = await (await fetch(`${replica.url}/metrics`)).text();
    for (const line of text.split('\n'))
      if (line.startsWith('aegis_alerts_raised_total{') && line.includes(`type="${type}"`))
        sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

async function duplicates(): Promise<number> {
  let sum = 0;
  for (const replica of harness.replicas) sum += await consumedCount(replica.url, 'duplicate');
  return sum;
}

async function alertsOf(query = ''): Promise<ListV1<AlertResourceV1>> {
  const answer = await harness.request<ListV1<AlertResourceV1>>(
    'GET',
    `${OPERATIONS_API_PATHS.alerts}${query}`,
  );
  expect(answer.status).toBe(200);
  return answer.body;
}

async function alertsWithCause(causeKey: string): Promise<AlertResourceV1[]> {
  const [type] = causeKey.split(':');
  return (await alertsOf(`?type=${type ?? ''}&limit=100`)).data.filter(
    (alert) => alert.cause_key === causeKey,
  );
}

function failedTransaction(overrides: Partial<BillingTransactionV1> = {}): BillingTransactionV1 {
  return {
    transactionId: randomUUID(),
    customerId: 'cust_alerts1',
    stripeCustomerId: 'cus_alerts1',
    stripeChargeId: `ch_${randomUUID().replaceAll('-', '')}`,
    stripePaymentIntentId: `pi_${randomUUID().replaceAll('-', '')}`,
    stripeInvoiceId: null,
    status: 'failed',
    previousStatus: 'processing',
    amountCents: 4_250,
    amountRefundedCents: 0,
    currency: 'eur',
    updatedAt: new Date().toISOString(),
    ...overrides,
  };
}

function subscriptionState(overrides: Partial<SubscriptionStateV1> = {}): SubscriptionStateV1 {
  return {
    subscriptionId: randomUUID(),
    stripeSubscriptionId: `sub_${randomUUID().replaceAll('-', '')}`,
    customerId: 'cust_alerts2',
    stripeCustomerId: 'cus_alerts2',
    priceId: 'price_analyst',
    quantity: 1,
    unitAmount: 199_900,
    currency: 'usd',
    status: 'active',
    previousStatus: 'active',
    currentPeriodStart: '2026-12-01T00:00:00.000Z',
    currentPeriodEnd: '2027-01-01T00:00:00.000Z',
    cancelAtPeriodEnd: false,
    canceledAt: null,
    trialEnd: null,
    updatedAt: new Date().toISOString(),
    ...overrides,
  };
}

function disputeState(overrides: Partial<DisputeStateV1> = {}): DisputeStateV1 {
  return {
    disputeId: randomUUID(),
    stripeDisputeId: `dp_${randomUUID().replaceAll('-', '')}`,
    stripeChargeId: `ch_${randomUUID().replaceAll('-', '')}`,
    stripePaymentIntentId: null,
    customerId: 'cust_alerts3',
    amount: 7_700,
    currency: 'usd',
    status: 'needs_response',
    previousStatus: null,
    reason: 'fraudulent',
    evidenceDueBy: '2026-12-20T23:59:59.000Z',
    feeCents: 1_500,
    amountWithdrawn: 7_700,
    evidenceSubmitted: false,
    updatedAt: new Date().toISOString(),
    ...overrides,
  };
}

describe('alerts', () => {
  it('a failed payment raises one alert under a duplicate delivery and a replay, and /metrics counts it once', async () => {
    const before = await raisedMetric('payment_failed');
    const duplicatesBefore = await duplicates();
    const transaction = failedTransaction({
      failureCode: 'insufficient_funds',
      failureMessage: 'Your card has insufficient funds.',
    });
    const id = randomUUID();
    await publish(BILLING_TRANSACTION_UPDATED_V1, transaction, id);
    await publish(BILLING_TRANSACTION_UPDATED_V1, transaction, id);
    const replay = await publish(BILLING_TRANSACTION_UPDATED_V1, transaction);
    await waitConsumed([id, replay]);
    await eventually(duplicates, (count) => count >= duplicatesBefore + 1, 'the duplicate');

    const [alert, ...more] = await alertsWithCause(`payment_failed:${transaction.transactionId}`);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({
      object: 'alert',
      type: 'payment_failed',
      customer_id: 'cust_alerts1',
      source_event_id: id,
      data: {
        transaction_id: transaction.transactionId,
        customer_id: 'cust_alerts1',
        amount_cents: 4_250,
        currency: 'eur',
        failure_code: 'insufficient_funds',
        failure_reason: 'Your card has insufficient funds.',
        stripe_charge_id: transaction.stripeChargeId,
      },
    });
    expect(alert?.summary).toContain('4250 eur');
    await eventually(
      () => raisedMetric('payment_failed'),
      (count) => count === before + 1,
      'the metric',
    );
    expect(await raisedMetric('payment_failed')).toBe(before + 1);
  });

  it('raises each rule once per cause: cancellation, high value, dispute opened and its deadline', async () => {
    const subscription = subscriptionState();
    const same = {
      subscriptionId: subscription.subscriptionId,
      stripeSubscriptionId: subscription.stripeSubscriptionId,
    };
    const highValue = failedTransaction({ status: 'succeeded', amountCents: 100_000 });
    const belowHighValue = failedTransaction({ status: 'succeeded', amountCents: 99_999 });
    const dispute = disputeState();
    const before = {
      canceled: await raisedMetric('subscription_canceled'),
      highValue: await raisedMetric('high_value_transaction'),
      opened: await raisedMetric('dispute_opened'),
      deadline: await raisedMetric('dispute_deadline_approaching'),
    };
    const ids = [
      await publish(SUBSCRIPTION_UPDATED_V1, subscription),
      await publish(
        SUBSCRIPTION_UPDATED_V1,
        subscriptionState({ ...same, cancelAtPeriodEnd: true }),
      ),
      await publish(
        SUBSCRIPTION_ENDED_V1,
        subscriptionState({
          ...same,
          status: 'canceled',
          cancelAtPeriodEnd: true,
          canceledAt: new Date().toISOString(),
        }),
      ),
      await publish(BILLING_TRANSACTION_UPDATED_V1, highValue),
      await publish(BILLING_TRANSACTION_UPDATED_V1, highValue),
      await publish(BILLING_TRANSACTION_UPDATED_V1, belowHighValue),
      await publish(DISPUTE_CREATED_V1, dispute),
      await publish(DISPUTE_CREATED_V1, dispute),
      await publish(
        DISPUTE_UPDATED_V1,
        disputeState({
          disputeId: dispute.disputeId,
          stripeDisputeId: dispute.stripeDisputeId,
          status: 'under_review',
        }),
      ),
      await publish(DISPUTE_DEADLINE_APPROACHING_V1, dispute),
      await publish(DISPUTE_DEADLINE_APPROACHING_V1, dispute),
    ];
    await waitConsumed(ids);

    const canceled = await alertsWithCause(`subscription_canceled:${subscription.subscriptionId}`);
    expect(canceled).toHaveLength(1);
    expect(canceled[0]).toMatchObject({
      customer_id: 'cust_alerts2',
      data: {
        ended: false,
        cancel_at_period_end: true,
        subscription_id: subscription.subscriptionId,
      },
    });
    const high = await alertsWithCause(`high_value_transaction:${highValue.transactionId}`);
    expect(high).toHaveLength(1);
    expect(high[0]?.data).toMatchObject({ amount_cents: 100_000, threshold_cents: 100_000 });
    expect(await alertsWithCause(`high_value_transaction:${belowHighValue.transactionId}`)).toEqual(
      [],
    );
    const opened = await alertsWithCause(`dispute_opened:${dispute.disputeId}`);
    expect(opened).toHaveLength(1);
    expect(opened[0]?.data).toMatchObject({
      stripe_dispute_id: dispute.stripeDisputeId,
      amount_cents: 7_700,
      evidence_due_by: '2026-12-20T23:59:59.000Z',
    });
    expect(await alertsWithCause(`dispute_deadline_approaching:${dispute.disputeId}`)).toHaveLength(
      1,
    );
    const after = {
      canceled: await raisedMetric('subscription_canceled'),
      highValue: await raisedMetric('high_value_transaction'),
      opened: await raisedMetric('dispute_opened'),
      deadline: await raisedMetric('dispute_deadline_approaching'),
    };
    expect(after).toStrictEqual({
      canceled: before.canceled + 1,
      highValue: before.highValue + 1,
      opened: before.opened + 1,
      deadline: before.deadline + 1,
    });
  });

  it('lists alerts newest first in pages, by type; a bad type or cursor is a 400; admin keys only', async () => {
    const transactions = [failedTransaction(), failedTransaction(), failedTransaction()];
    const ids: string[] = [];
    // One at a time, so their order is known.
    for (const transaction of transactions) {
      ids.push(await publish(BILLING_TRANSACTION_UPDATED_V1, transaction));
      await waitConsumed(ids);
    }
    const newest = await alertsOf('?type=payment_failed&limit=2');
    expect(newest.object).toBe('list');
    expect(newest.has_more).toBe(true);
    expect(newest.data.map((alert) => alert.data.transaction_id)).toEqual([
      transactions[2]?.transactionId,
      transactions[1]?.transactionId,
    ]);
    const next = await alertsOf(
      `?type=payment_failed&limit=1&starting_after=${newest.data[1]?.id ?? ''}`,
    );
    expect(next.data.map((alert) => alert.data.transaction_id)).toEqual([
      transactions[0]?.transactionId,
    ]);
    const back = await alertsOf(
      `?type=payment_failed&limit=10&ending_before=${next.data[0]?.id ?? ''}`,
    );
    expect(back.data.map((alert) => alert.id)).toEqual(newest.data.map((alert) => alert.id));
    expect(back.has_more).toBe(false);
    const all = await alertsOf('?limit=100');
    const times = all.data.map((alert) => alert.created_at);
    expect([...times].sort().reverse()).toEqual(times);

    const badType = await harness.request<ProblemV1>(
      'GET',
      `${OPERATIONS_API_PATHS.alerts}?type=nonsense`,
    );
    expect(badType.status).toBe(400);
    expect(badType.headers.get('content-type')).toContain('application/problem+json');
    expect(badType.body.errors?.map((error) => error.field)).toEqual(['type']);
    const badCursor = await harness.request<ProblemV1>(
      'GET',
      `${OPERATIONS_API_PATHS.alerts}?starting_after=alert_nope`,
    );
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.errors?.map((error) => error.field)).toEqual(['starting_after']);

    const customer = await harness.createCustomer();
    const key = await harness.createKey(customer.id);
    const forbidden = await harness.request<ProblemV1>('GET', OPERATIONS_API_PATHS.alerts, {
      key: key.key,
    });
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('content-type')).toContain('application/problem+json');
    expect((await harness.request('GET', OPERATIONS_API_PATHS.alerts, { key: null })).status).toBe(
      401,
    );
  });
});
