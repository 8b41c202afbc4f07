import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BILLING_CUSTOMER_GET_OR_CREATE_V1,
  BILLING_PAYMENT_STATUS_V1,
  BILLING_TRANSACTION_GET_V1,
  BILLING_TRANSACTION_LIST_V1,
  BILLING_TRANSACTION_OF_STRIPE_V1,
  DISPUTE_CLOSED_V1,
  DISPUTE_CREATED_V1,
  DISPUTE_UPDATED_V1,
  type CurrencyRevenueV1,
  type DisputeStateV1,
  type LedgerTransactionV1,
} from '@aegis/contracts';
import { defined, waitFor } from '@aegis/testing';
import { BillingHarness } from './billing-harness.js';

type DisputeEventName =
  typeof DISPUTE_CREATED_V1 | typeof DISPUTE_UPDATED_V1 | typeof DISPUTE_CLOSED_V1;

/** One state of a dispute of this transaction, as the disputes service publishes it. */
function disputeState(
  of: {
    stripeChargeId: string | null;
    stripePaymentIntentId: string | null;
    amount: number;
    currency: string;
  },
  fields: Partial<DisputeStateV1> &
    Pick<DisputeStateV1, 'disputeId' | 'stripeDisputeId' | 'status' | 'updatedAt'>,
): DisputeStateV1 {
  return {
    stripeChargeId: defined(of.stripeChargeId, 'the charge id'),
    stripePaymentIntentId: of.stripePaymentIntentId,
    customerId: null,
    amount: of.amount,
    currency: of.currency,
    previousStatus: null,
    reason: 'fraudulent',
    evidenceDueBy: '2026-12-20T23:59:59.000Z',
    feeCents: 1500,
    amountWithdrawn: of.amount,
    evidenceSubmitted: false,
    ...fields,
  };
}

describe('billing and disputes: the transaction of a Stripe charge or payment intent', () => {
  let harness: BillingHarness;
  const delivered = new Set<string>();

  const deliverNewEvents = async (): Promise<void> => {
    const fresh = (await harness.allEvents()).filter((event) => !delivered.has(event.id));
    for (const event of fresh) delivered.add(event.id);
    await harness.deliverInOrder(fresh);
  };

  let run = 0;

  const newCustomer = async (): Promise<string> => {
    run += 1;
    const id = `cust_dq_${Date.now().toString(36)}_${run}`;
    const { customer } = await harness.rpc.call(BILLING_CUSTOMER_GET_OR_CREATE_V1, {
      customerId: id,
      email: `${id}@example.com`,
    });
    return customer.stripeCustomerId;
  };

  /** A card payment at Stripe; its events are not delivered to billing yet. */
  const payAtStripe = (stripeCustomerId: string, amount: number, currency = 'usd') =>
    harness.stripe.paymentIntents.create({
      amount,
      currency,
      customer: stripeCustomerId,
      payment_method: 'pm_card_visa',
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      confirm: true,
    });

  const transactionOfIntent = async (intentId: string): Promise<LedgerTransactionV1> => {
    const [row] = await harness.dataSource.query<{ transaction_id: string }[]>(
      `SELECT "transaction_id" FROM "billing"."billing_transactions" WHERE "stripe_payment_intent_id" = $1`,
      [intentId],
    );
    const transactionId = defined(row, 'the mirrored payment').transaction_id;
    return (await harness.rpc.call(BILLING_TRANSACTION_GET_V1, { transactionId })).transaction;
  };

  /** A card payment at Stripe, mirrored into the ledger: its transaction. */
  const paid = async (
    stripeCustomerId: string,
    amount: number,
    currency = 'usd',
  ): Promise<LedgerTransactionV1> => {
    const intent = await payAtStripe(stripeCustomerId, amount, currency);
    await deliverNewEvents();
    return transactionOfIntent(intent.id);
  };

  const publishDispute = (type: DisputeEventName, state: DisputeStateV1, messageId?: string) =>
    harness.deliverEvent(type, state, messageId === undefined ? {} : { messageId });

  const disputeRow = async (stripeDisputeId: string): Promise<Record<string, unknown>> => {
    const [row] = await harness.dataSource.query<Record<string, unknown>[]>(
      `SELECT * FROM "billing"."transaction_disputes" WHERE "stripe_dispute_id" = $1`,
      [stripeDisputeId],
    );
    return defined(row, `the dispute ${stripeDisputeId}`);
  };

  const newStripeDisputeId = (): string => `dp_${randomUUID().replaceAll('-', '').slice(0, 24)}`;

  beforeAll(async () => {
    harness = await BillingHarness.start();
  });

  afterAll(async () => {
    await harness.stop();
  });

  it('answers the ledger transaction of a charge id, else of a payment intent id, and null for an unknown one', async () => {
    const id = `cust_dp_${Date.now().toString(36)}`;
    const { customer } = await harness.rpc.call(BILLING_CUSTOMER_GET_OR_CREATE_V1, {
      customerId: id,
      email: `${id}@example.com`,
    });
    const intent = await harness.stripe.paymentIntents.create({
      amount: 4200,
      currency: 'usd',
      customer: customer.stripeCustomerId,
      payment_method: 'pm_card_visa',
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      confirm: true,
    });
    await deliverNewEvents();
    const [row] = await harness.dataSource.query<{ transaction_id: string }[]>(
      `SELECT "transaction_id" FROM "billing"."billing_transactions" WHERE "stripe_payment_intent_id" = $1`,
      [intent.id],
    );
    const transactionId = defined(row, 'the mirrored payment').transaction_id;
    const { transaction: expected } = await harness.rpc.call(BILLING_TRANSACTION_GET_V1, {
      transactionId,
    });
    const chargeId = defined(expected.stripeChargeId, 'the charge id');

    const byCharge = await harness.rpc.call(BILLING_TRANSACTION_OF_STRIPE_V1, {
      stripeChargeId: chargeId,
    });
    expect(byCharge.transaction).toEqual(expected);
    const byIntent = await harness.rpc.call(BILLING_TRANSACTION_OF_STRIPE_V1, {
      stripeChargeId: 'ch_unknown0000',
      stripePaymentIntentId: intent.id,
    });
    expect(byIntent.transaction?.id).toBe(transactionId);
    const none = await harness.rpc.call(BILLING_TRANSACTION_OF_STRIPE_V1, {
      stripeChargeId: 'ch_unknown0000',
      stripePaymentIntentId: 'pi_unknown0000',
    });
    expect(none.transaction).toBeNull();
  });

  it('shows a dispute on its transaction; delivered out of order (closed lost before created) it ends lost, and a duplicate or a tie of a non-final state changes nothing', async () => {
    const transaction = await paid(await newCustomer(), 5_000);
    expect(transaction.dispute).toBeNull();
    const disputeId = randomUUID();
    const stripeDisputeId = newStripeDisputeId();
    const state = (
      fields: Partial<DisputeStateV1> & Pick<DisputeStateV1, 'status' | 'updatedAt'>,
    ) => disputeState(transaction, { disputeId, stripeDisputeId, ...fields });
    const created = state({ status: 'needs_response', updatedAt: '2026-12-01T10:00:00.000Z' });
    const reviewed = state({
      status: 'under_review',
      previousStatus: 'needs_response',
      evidenceSubmitted: true,
      updatedAt: '2026-12-02T10:00:00.000Z',
    });
    const lost = state({
      status: 'lost',
      previousStatus: 'under_review',
      evidenceSubmitted: true,
      feeCents: 1_500,
      updatedAt: '2026-12-05T10:00:00.000Z',
    });

    // The closed one first, then the two before it.
    await publishDispute(DISPUTE_CLOSED_V1, lost);
    await publishDispute(DISPUTE_CREATED_V1, created);
    await publishDispute(DISPUTE_UPDATED_V1, reviewed);

    const expected = {
      disputeId,
      stripeDisputeId,
      status: 'lost',
      amount: 5_000,
      currency: 'usd',
      feeCents: 1_500,
      reason: 'fraudulent',
      evidenceDueBy: '2026-12-20T23:59:59.000Z',
    };
    const shown = (
      await harness.rpc.call(BILLING_TRANSACTION_GET_V1, { transactionId: transaction.id })
    ).transaction;
    expect(shown.dispute).toEqual(expected);
    // Every answer of the ledger shows it: the list and the transaction of a Stripe charge.
    const { transactions } = await harness.rpc.call(BILLING_TRANSACTION_LIST_V1, {
      limit: 10,
      customerId: defined(transaction.customerId, 'the customer'),
    });
    expect(transactions.map((listed) => [listed.id, listed.dispute])).toEqual([
      [transaction.id, expected],
    ]);
    const ofCharge = await harness.rpc.call(BILLING_TRANSACTION_OF_STRIPE_V1, {
      stripeChargeId: defined(transaction.stripeChargeId, 'the charge id'),
    });
    expect(ofCharge.transaction?.dispute).toEqual(expected);
    const row = await disputeRow(stripeDisputeId);
    expect(row).toMatchObject({
      dispute_id: disputeId,
      stripe_charge_id: transaction.stripeChargeId,
      stripe_payment_intent_id: transaction.stripePaymentIntentId,
      transaction_id: transaction.id,
      amount_cents: '5000',
      currency: 'usd',
      status: 'lost',
      fee_cents: '1500',
      amount_withdrawn_cents: '5000',
    });
    expect((row.dispute_updated_at as Date).toISOString()).toBe('2026-12-05T10:00:00.000Z');

    // The same state again (a new message: a replay of the disputes service's outbox), the same
    // message again (the inbox drops it), and a non-final state at the same instant: no change.
    await publishDispute(DISPUTE_CLOSED_V1, lost);
    const duplicatesBefore = await harness.consumed('duplicate');
    const messageId = await publishDispute(DISPUTE_UPDATED_V1, reviewed);
    await harness.publishEvent(DISPUTE_UPDATED_V1, reviewed, { messageId });
    await waitFor(
      () => harness.consumed('duplicate'),
      (count) => count === duplicatesBefore + 1,
      { what: 'the redelivered message dropped as a duplicate' },
    );
    await publishDispute(
      DISPUTE_UPDATED_V1,
      state({ status: 'under_review', updatedAt: '2026-12-05T10:00:00.000Z' }),
    );
    expect(await disputeRow(stripeDisputeId)).toEqual(row);
    expect(
      (await harness.rpc.call(BILLING_TRANSACTION_GET_V1, { transactionId: transaction.id }))
        .transaction,
    ).toEqual(shown);
  });

  it('keeps a dispute of a charge billing does not know yet, and links it once the charge’s Stripe events arrive', async () => {
    const intent = await payAtStripe(await newCustomer(), 3_300);
    const chargeId = defined(
      typeof intent.latest_charge === 'string' ? intent.latest_charge : intent.latest_charge?.id,
      'the charge',
    );
    const stripeDisputeId = newStripeDisputeId();
    const disputeId = randomUUID();
    await publishDispute(
      DISPUTE_CREATED_V1,
      disputeState(
        {
          stripeChargeId: chargeId,
          stripePaymentIntentId: intent.id,
          amount: 3_300,
          currency: 'usd',
        },
        {
          disputeId,
          stripeDisputeId,
          status: 'needs_response',
          feeCents: null,
          updatedAt: '2026-12-01T10:00:00.000Z',
        },
      ),
    );
    expect(await disputeRow(stripeDisputeId)).toMatchObject({
      stripe_charge_id: chargeId,
      transaction_id: null,
      status: 'needs_response',
      fee_cents: null,
    });

    await deliverNewEvents();
    const transaction = await transactionOfIntent(intent.id);
    expect(transaction.stripeChargeId).toBe(chargeId);
    expect(await disputeRow(stripeDisputeId)).toMatchObject({ transaction_id: transaction.id });
    expect(transaction.dispute).toEqual({
      disputeId,
      stripeDisputeId,
      status: 'needs_response',
      amount: 3_300,
      currency: 'usd',
      feeCents: null,
      reason: 'fraudulent',
      evidenceDueBy: '2026-12-20T23:59:59.000Z',
    });
  });

  it('takes lost disputes and every dispute’s fees out of revenue, a refunded amount once; a won dispute leaves its amount in revenue', async () => {
    // Its own currency, so that the revenue entry is this test's payments only.
    const currency = 'gbp';
    const gbp = async (): Promise<CurrencyRevenueV1 | undefined> =>
      (await harness.rpc.call(BILLING_PAYMENT_STATUS_V1, {}, { timeoutMs: 15_000 })).revenue.find(
        (entry) => entry.currency === currency,
      );
    const customer = await newCustomer();
    const whole = await paid(customer, 10_000, currency);
    const partly = await paid(customer, 8_000, currency);
    await harness.stripe.refunds.create({
      payment_intent: defined(partly.stripePaymentIntentId, 'its intent'),
      amount: 3_000,
    });
    const reversed = await paid(customer, 6_000, currency);
    const refunded = await paid(customer, 2_000, currency);
    await harness.stripe.refunds.create({
      payment_intent: defined(refunded.stripePaymentIntentId, 'its intent'),
    });
    await deliverNewEvents();
    const before = {
      currency,
      grossCents: 26_000,
      refundedCents: 5_000,
      disputedCents: 0,
      disputeFeesCents: 0,
      netCents: 21_000,
      transactionCount: 4,
    };
    expect(await gbp()).toEqual(before);

    const dispute = (of: LedgerTransactionV1) => {
      const ids = { disputeId: randomUUID(), stripeDisputeId: newStripeDisputeId() };
      return (
        type: DisputeEventName,
        fields: Partial<DisputeStateV1> & Pick<DisputeStateV1, 'status' | 'updatedAt'>,
      ) => publishDispute(type, disputeState(of, { ...ids, ...fields }));
    };

    // Open, it takes its fee only.
    const ofWhole = dispute(whole);
    await ofWhole(DISPUTE_CREATED_V1, {
      status: 'needs_response',
      updatedAt: '2026-12-01T10:00:00.000Z',
    });
    expect(await gbp()).toEqual({ ...before, disputeFeesCents: 1_500, netCents: 19_500 });

    // Lost, its amount too.
    await ofWhole(DISPUTE_CLOSED_V1, { status: 'lost', updatedAt: '2026-12-03T10:00:00.000Z' });
    expect(await gbp()).toEqual({
      ...before,
      disputedCents: 10_000,
      disputeFeesCents: 1_500,
      netCents: 9_500,
    });

    // Lost on a charge refunded in part: what its refund left (5,000 of the 8,000 disputed).
    await dispute(partly)(DISPUTE_CLOSED_V1, {
      status: 'lost',
      updatedAt: '2026-12-03T10:00:00.000Z',
    });
    // Lost on a charge refunded in full, fee unknown: nothing more.
    await dispute(refunded)(DISPUTE_CLOSED_V1, {
      status: 'lost',
      feeCents: null,
      updatedAt: '2026-12-03T10:00:00.000Z',
    });
    expect(await gbp()).toEqual({
      ...before,
      disputedCents: 15_000,
      disputeFeesCents: 3_000,
      netCents: 3_000,
    });

    // Under review, its fee only; then won: its amount never left revenue, and Stripe reinstated
    // its fee (0 net of reinstatements, as the disputes service reports a won dispute's).
    const ofReversed = dispute(reversed);
    await ofReversed(DISPUTE_CREATED_V1, {
      status: 'under_review',
      updatedAt: '2026-12-03T10:00:00.000Z',
    });
    expect(await gbp()).toEqual({
      ...before,
      disputedCents: 15_000,
      disputeFeesCents: 4_500,
      netCents: 1_500,
    });
    await ofReversed(DISPUTE_CLOSED_V1, {
      status: 'won',
      feeCents: 0,
      updatedAt: '2026-12-04T10:00:00.000Z',
    });
    expect(await gbp()).toEqual({
      ...before,
      disputedCents: 15_000,
      disputeFeesCents: 3_000,
      netCents: 3_000,
    });
  });
});
