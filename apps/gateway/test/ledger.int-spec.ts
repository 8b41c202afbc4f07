import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DISPUTE_CLOSED_V1,
  IDEMPOTENT_REPLAYED_HEADER,
  PUBLIC_API_PATHS,
  type AuditLogEntryV1,
  type CustomerResourceV1,
  type ListV1,
  type ProblemV1,
  type RefundResourceV1,
  type TransactionResourceV1,
  type DisputeStateV1,
  type Envelope,
  type TransactionStatusV1,
} from '@aegis/contracts';
import { topologyNames } from '@aegis/messaging';
import { baseAmqpUrl, defined } from '@aegis/testing';
import { connect } from 'amqplib';
import { GatewayHarness, type ApiAnswer } from './gateway-harness.js';

let harness: GatewayHarness;
let payer: CustomerResourceV1;
let other: CustomerResourceV1;

/** Each field at fault, once (a field may break several rules). */
const fieldsOf = (answer: { body: unknown }): string[] =>
  [...new Set(((answer.body as ProblemV1).errors ?? []).map((error) => error.field))].sort();

const refund = (
  body: Record<string, unknown>,
  options: { key?: string; headers?: Record<string, string> } = {},
): Promise<ApiAnswer<RefundResourceV1>> =>
  harness.request<RefundResourceV1>('POST', PUBLIC_API_PATHS.refunds, { body, ...options });

const transaction = (id: string, key?: string): Promise<ApiAnswer<TransactionResourceV1>> =>
  harness.request<TransactionResourceV1>(
    'GET',
    PUBLIC_API_PATHS.transaction(id),
    key === undefined ? {} : { key },
  );

const listTransactions = (
  query: Record<string, string>,
  key?: string,
): Promise<ApiAnswer<ListV1<TransactionResourceV1>>> =>
  harness.request<ListV1<TransactionResourceV1>>(
    'GET',
    `${PUBLIC_API_PATHS.transactions}?${new URLSearchParams(query).toString()}`,
    key === undefined ? {} : { key },
  );

/** Waits until the ledger shows the transaction in this state (Stripe's events reach billing by webhook). */
async function waitForTransaction(
  find: () => Promise<TransactionResourceV1 | undefined>,
  status: TransactionStatusV1,
): Promise<TransactionResourceV1> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = await find();
    if (found?.status === status) return found;
    if (Date.now() > deadline)
      throw new Error(`transaction not ${status}: ${JSON.stringify(found ?? null)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A card payment of the customer at Stripe, once the ledger has it. */
async function pay(
  customer: CustomerResourceV1,
  amount: number,
  metadata: Record<string, string> = {},
): Promise<TransactionResourceV1> {
  const intent = await harness.stripe.paymentIntents.create({
    amount,
    currency: 'usd',
    customer: customer.stripe_customer_id,
    payment_method: 'pm_card_visa',
    automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
    confirm: true,
    metadata,
  });
  return waitForTransaction(async () => {
    const page = await listTransactions({ customer_id: customer.id, limit: '100' });
    return page.body.data.find((t) => t.stripe_payment_intent_id === intent.id);
  }, 'succeeded');
}

/** billing's refund rows of a transaction, oldest first: the request key each was made under. */
const refundRowsOf = (
  transactionId: string,
): Promise<{ refund_id: string; request_key: string | null; status: string }[]> =>
  harness.sql.query(
    `SELECT "refund_id", "request_key", "status" FROM "billing"."refunds"
      WHERE "transaction_id" = $1 ORDER BY "created_at", "refund_id"`,
    [transactionId],
  );

beforeAll(async () => {
  harness = await GatewayHarness.start({ replicas: 1, withIngest: true });
  [payer, other] = await Promise.all([harness.createCustomer(), harness.createCustomer()]);
});

afterAll(async () => {
  await harness.stop();
});

describe('the ledger and refunds over the public API', () => {
  it('refunds part, then the rest: partially_refunded, then refunded, each refund on the transaction', async () => {
    const paid = await pay(payer, 5_000, { aegis_product_id: 'geoint_report' });
    expect(paid).toMatchObject({
      object: 'transaction',
      customer_id: payer.id,
      source: 'stripe',
      amount_cents: 5_000,
      amount_refundable_cents: 5_000,
      currency: 'usd',
      product_id: 'geoint_report',
      refunds: [],
    });

    const partial = await refund({
      transaction_id: paid.id,
      amount_cents: 1_500,
      reason: 'requested_by_customer',
    });
    expect(partial.status).toBe(201);
    expect(partial.body).toMatchObject({
      object: 'refund',
      transaction_id: paid.id,
      customer_id: payer.id,
      amount_cents: 1_500,
      status: 'succeeded',
      reason: 'requested_by_customer',
    });
    const atStripe = await harness.stripe.refunds.retrieve(partial.body.stripe_refund_id ?? '');
    expect(atStripe).toMatchObject({ amount: 1_500, reason: 'requested_by_customer' });
    expect(atStripe.metadata).toMatchObject({ aegis_refund_id: partial.body.id });
    const partly = await waitForTransaction(
      async () => (await transaction(paid.id)).body,
      'partially_refunded',
    );
    expect(partly).toMatchObject({ amount_refunded_cents: 1_500, amount_refundable_cents: 3_500 });

    const rest = await refund({ transaction_id: paid.id });
    expect(rest.status).toBe(201);
    expect(rest.body.amount_cents).toBe(3_500);
    const refunded = await waitForTransaction(
      async () => (await transaction(paid.id)).body,
      'refunded',
    );
    expect(refunded.amount_refundable_cents).toBe(0);
    expect(refunded.refunds.map((r) => [r.id, r.amount_cents])).toEqual([
      [rest.body.id, 3_500],
      [partial.body.id, 1_500],
    ]);

    const again = await refund({ transaction_id: paid.id, amount_cents: 1 });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
  });

  it('answers an over-refund with 409 naming what is left, and refunds nothing', async () => {
    const paid = await pay(payer, 2_000);
    expect((await refund({ transaction_id: paid.id, amount_cents: 500 })).status).toBe(201);
    const over = await refund({ transaction_id: paid.id, amount_cents: 1_501 });
    expect(over.status).toBe(409);
    expect(over.body as unknown as ProblemV1).toMatchObject({ status: 409 });
    expect((over.body as unknown as ProblemV1).detail).toContain('1500 usd is left');
    const atStripe = await harness.stripe.refunds.list({ charge: paid.stripe_charge_id ?? '' });
    expect(atStripe.data.map((r) => r.amount)).toEqual([500]);
  });

  it('ten concurrent refunds never together exceed the charge', async () => {
    const paid = await pay(payer, 5_000);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => refund({ transaction_id: paid.id, amount_cents: 1_000 })),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([
      ...Array<number>(5).fill(201),
      ...Array<number>(5).fill(409),
    ]);
    const atStripe = await harness.stripe.refunds
      .list({ charge: paid.stripe_charge_id ?? '', limit: 100 })
      .autoPagingToArray({ limit: 100 });
    expect(atStripe.reduce((sum, r) => sum + r.amount, 0)).toBe(5_000);
    await waitForTransaction(async () => (await transaction(paid.id)).body, 'refunded');
  });

  it('replays a refund under the same Idempotency-Key instead of refunding twice', async () => {
    const paid = await pay(payer, 3_000);
    const headers = { 'idempotency-key': `refund-${paid.id}` };
    const first = await refund({ transaction_id: paid.id, amount_cents: 700 }, { headers });
    const replay = await refund({ transaction_id: paid.id, amount_cents: 700 }, { headers });
    expect(first.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.headers.get(IDEMPOTENT_REPLAYED_HEADER)).toBe('true');
    expect(replay.body.id).toBe(first.body.id);
    const atStripe = await harness.stripe.refunds.list({ charge: paid.stripe_charge_id ?? '' });
    expect(atStripe.data).toHaveLength(1);
    // The key reached billing, which keeps it on the refund (a retry after a failure finds it).
    expect(await refundRowsOf(paid.id)).toEqual([
      { refund_id: first.body.id, request_key: headers['idempotency-key'], status: 'succeeded' },
    ]);
  });

  it('records a manual transaction (audit-logged) that cannot be refunded through Stripe', async () => {
    const recorded = await harness.request<TransactionResourceV1>(
      'POST',
      PUBLIC_API_PATHS.transactions,
      {
        body: {
          customer_id: payer.id,
          amount_cents: 99_900,
          currency: 'usd',
          description: 'Wire transfer: GEOINT report',
        },
      },
    );
    expect(recorded.status).toBe(201);
    expect(recorded.body).toMatchObject({
      source: 'manual',
      status: 'succeeded',
      amount_cents: 99_900,
      stripe_charge_id: null,
      stripe_payment_intent_id: null,
    });
    const refused = await refund({ transaction_id: recorded.body.id });
    expect(refused.status).toBe(409);
    expect((refused.body as unknown as ProblemV1).type).toContain('not_refundable');

    const bad = await harness.request('POST', PUBLIC_API_PATHS.transactions, {
      body: { customer_id: payer.id, amount_cents: -5, currency: 'USD' },
    });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad)).toEqual(['amount_cents', 'currency', 'description']);
    const unknown = await harness.request('POST', PUBLIC_API_PATHS.transactions, {
      body: { customer_id: 'cust_nobody', amount_cents: 1, currency: 'usd', description: 'x' },
    });
    expect(unknown.status).toBe(404);

    const made = await refund({ transaction_id: (await pay(payer, 1_200)).id });
    const log = await harness.request<ListV1<AuditLogEntryV1>>(
      'GET',
      `${PUBLIC_API_PATHS.auditLog}?limit=100`,
    );
    const logged = log.body.data.map((entry) => `${entry.action} ${entry.target}`);
    expect(logged).toContain(`transaction.record ${recorded.body.id}`);
    expect(logged).toContain(`refund.create ${made.body.id}`);
  });

  it('refuses bad refund input with 400 naming each field, and an unknown transaction with 404', async () => {
    const bad = await refund({ transaction_id: 'nope', amount_cents: 0, reason: 'because' });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad)).toEqual(['amount_cents', 'reason', 'transaction_id']);
    const missing = await refund({ transaction_id: '00000000-0000-4000-8000-000000000000' });
    expect(missing.status).toBe(404);
    const badQuery = await listTransactions({ status: 'paid', start_date: '2026-13-01' });
    expect(badQuery.status).toBe(400);
    expect(fieldsOf(badQuery)).toEqual(['start_date', 'status']);
  });

  it('scopes the ledger to a customer key’s own customer; only admin keys refund', async () => {
    const mine = await pay(other, 4_200);
    await refund({ transaction_id: mine.id, amount_cents: 200 });
    const key = await harness.createKey(other.id, { scopes: ['transactions:read'] });
    const own = await listTransactions({}, key.key);
    expect(own.status).toBe(200);
    expect(own.body.data.map((t) => t.id)).toEqual([mine.id]);
    expect((await transaction(mine.id, key.key)).status).toBe(200);
    const payers = await listTransactions({ customer_id: payer.id, limit: '1' });
    const theirs = payers.body.data[0]?.id ?? '';
    const hidden = await transaction(theirs, key.key);
    const absent = await transaction('00000000-0000-4000-8000-000000000001', key.key);
    expect(hidden.status).toBe(404);
    expect(hidden.body).toEqual({
      ...(absent.body as object),
      detail: `no transaction ${theirs}`,
    });
    expect((await listTransactions({ customer_id: payer.id }, key.key)).status).toBe(404);
    const refunds = await harness.request<ListV1<RefundResourceV1>>(
      'GET',
      PUBLIC_API_PATHS.refunds,
      { key: key.key },
    );
    expect(refunds.body.data.map((r) => [r.transaction_id, r.amount_cents])).toEqual([
      [mine.id, 200],
    ]);
    expect((await refund({ transaction_id: mine.id }, { key: key.key })).status).toBe(403);
    const unscoped = await harness.createKey(other.id, { scopes: ['usage:read'] });
    expect((await listTransactions({}, unscoped.key)).status).toBe(403);
  });

  it('filters the ledger by status and date', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const refundedToday = await listTransactions({
      customer_id: payer.id,
      status: 'refunded',
      start_date: today,
      end_date: today,
      limit: '100',
    });
    expect(refundedToday.status).toBe(200);
    expect(refundedToday.body.data.length).toBeGreaterThanOrEqual(2);
    expect(refundedToday.body.data.every((t) => t.status === 'refunded')).toBe(true);
    const before = await listTransactions({ customer_id: payer.id, end_date: '2001-01-01' });
    expect(before.body.data).toEqual([]);
  });

  it('shows a transaction’s dispute, as the disputes service published it, and describes it in the OpenAPI document', async () => {
    const disputed = await pay(await harness.createCustomer(), 2_000);
    expect(disputed.dispute).toBeNull();
    const state: DisputeStateV1 = {
      disputeId: randomUUID(),
      stripeDisputeId: `dp_${randomUUID().replaceAll('-', '').slice(0, 24)}`,
      stripeChargeId: defined(disputed.stripe_charge_id, 'the charge'),
      stripePaymentIntentId: disputed.stripe_payment_intent_id,
      customerId: disputed.customer_id,
      amount: 2_000,
      currency: 'usd',
      status: 'lost',
      previousStatus: 'under_review',
      reason: 'product_not_received',
      evidenceDueBy: '2026-12-20T23:59:59.000Z',
      feeCents: 1_500,
      amountWithdrawn: 2_000,
      evidenceSubmitted: true,
      updatedAt: '2026-12-05T10:00:00.000Z',
    };
    // Published as the disputes service's outbox relay does, on this run's events exchange.
    const broker = await connect(baseAmqpUrl());
    try {
      const channel = await broker.createConfirmChannel();
      const id = randomUUID();
      const envelope: Envelope<typeof DISPUTE_CLOSED_V1, DisputeStateV1> = {
        id,
        type: DISPUTE_CLOSED_V1,
        version: 1,
        occurredAt: new Date().toISOString(),
        source: 'disputes',
        correlationId: randomUUID(),
        data: state,
      };
      channel.publish(
        topologyNames(harness.prefix, 'billing', []).eventsExchange,
        DISPUTE_CLOSED_V1,
        Buffer.from(JSON.stringify(envelope)),
        {
          persistent: true,
          contentType: 'application/json',
          messageId: id,
          type: DISPUTE_CLOSED_V1,
        },
      );
      await channel.waitForConfirms();
    } finally {
      await broker.close();
    }
    const deadline = Date.now() + 30_000;
    let shown = (await transaction(disputed.id)).body;
    while (shown.dispute === null && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      shown = (await transaction(disputed.id)).body;
    }
    expect(shown).toMatchObject({ id: disputed.id, status: 'succeeded', amount_cents: 2_000 });
    expect(shown.dispute).toStrictEqual({
      id: state.disputeId,
      status: 'lost',
      amount_cents: 2_000,
      fee_cents: 1_500,
      reason: 'product_not_received',
      evidence_due_by: '2026-12-20T23:59:59.000Z',
    });

    const openapi = await harness.request<{
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    }>('GET', PUBLIC_API_PATHS.openapi, { key: null });
    const schemas = openapi.body.components.schemas;
    expect(Object.keys(schemas.TransactionResource?.properties ?? {})).toContain('dispute');
    expect(Object.keys(schemas.TransactionDisputeResource?.properties ?? {})).toEqual([
      'id',
      'status',
      'amount_cents',
      'fee_cents',
      'reason',
      'evidence_due_by',
    ]);
  });

  // Last: the sandbox keeps its state in memory, which stopping it loses.
  it('asked again under the same Idempotency-Key after a 503 (Stripe stopped), no second refund is reserved; another amount under it is 422', async () => {
    const paid = await pay(payer, 2_500);
    const headers = { 'idempotency-key': `outage-${paid.id}` };
    await harness.stopSandbox();
    try {
      const first = await refund({ transaction_id: paid.id, amount_cents: 900 }, { headers });
      expect(first.status).toBe(503);
      expect((first.body as unknown as ProblemV1).code).toBe('stripe_unavailable');
      const [reserved, ...noMore] = await refundRowsOf(paid.id);
      expect(noMore).toEqual([]);
      expect(reserved).toMatchObject({
        request_key: headers['idempotency-key'],
        status: 'pending',
      });
      // The gateway kept no record of the failed request: the retry reaches billing, which finds
      // the key's refund and sends it again instead of reserving another.
      const retry = await refund({ transaction_id: paid.id, amount_cents: 900 }, { headers });
      expect(retry.status).toBe(503);
      expect((retry.body as unknown as ProblemV1).code).toBe('stripe_unavailable');
      expect(await refundRowsOf(paid.id)).toEqual([reserved]);
      const held = await transaction(paid.id);
      expect(held.body.amount_refundable_cents).toBe(1_600);

      const reused = await refund({ transaction_id: paid.id, amount_cents: 1_000 }, { headers });
      expect(reused.status).toBe(422);
      expect(reused.body as unknown as ProblemV1).toMatchObject({
        status: 422,
        code: 'idempotency_key_reused',
      });
      expect((reused.body as unknown as ProblemV1).detail).toContain('amount_cents');
      expect(await refundRowsOf(paid.id)).toEqual([reserved]);
    } finally {
      await harness.startSandbox();
    }
  });
});
