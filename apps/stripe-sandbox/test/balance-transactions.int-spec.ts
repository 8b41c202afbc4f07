import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createTestDatabase,
  defined,
  rejectionOf,
  waitFor,
  type TestDatabase,
} from '@aegis/testing';
import Stripe from 'stripe';
import { idOf } from '../src/core/ids.js';
import { startSandbox, useSandbox } from './sandbox-harness.js';

const CARDS_ONLY = {
  allowed_payment_method_types: ['card'],
} satisfies Partial<Stripe.PaymentIntentCreateParams>;

function rejection(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  return rejectionOf(promise, Stripe.errors.StripeError);
}

/** Sums a field of transactions per currency. */
function sumByCurrency(
  transactions: readonly Stripe.BalanceTransaction[],
  field: 'amount' | 'fee' | 'net',
): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const transaction of transactions)
    sums[transaction.currency] = (sums[transaction.currency] ?? 0) + transaction[field];
  return sums;
}

describe('sandbox balance transactions', () => {
  const { sandbox, stripe, receiver } = useSandbox();

  async function pay(
    amount: number,
    currency = 'usd',
    extra: Partial<Stripe.PaymentIntentCreateParams> = {},
  ): Promise<Stripe.Charge> {
    const paymentIntent = await stripe.paymentIntents.create({
      amount,
      currency,
      payment_method: 'pm_card_visa',
      confirm: true,
      ...CARDS_ONLY,
      ...extra,
    });
    return stripe.charges.retrieve(defined(idOf(paymentIntent.latest_charge), 'the charge'));
  }

  async function disputedCharge(
    amount: number,
  ): Promise<{ charge: Stripe.Charge; dispute: Stripe.Dispute }> {
    const charge = await pay(amount, 'usd', { payment_method: 'pm_card_createDispute' });
    const disputes = await waitFor(
      () => stripe.disputes.list({ charge: charge.id }),
      (list) => list.data.length === 1,
      { timeoutMs: 10_000, what: `a dispute of ${charge.id}` },
    );
    return { charge, dispute: defined(disputes.data[0], 'the dispute') };
  }

  it('records a 4242 charge’s money: its amount, Stripe’s 2.9% + 30 fee and the net, on charge.balance_transaction', async () => {
    const charge = await pay(2000, 'usd', { description: 'Order 7' });
    expect(charge.status).toBe('succeeded');
    expect(charge.payment_method_details?.card?.last4).toBe('4242');
    const id = defined(idOf(charge.balance_transaction), 'the charge’s balance transaction');
    expect(id).toMatch(/^txn_[0-9A-Za-z]{24}$/);
    expect(charge.failure_balance_transaction).toBe(null);

    const transaction = await stripe.balanceTransactions.retrieve(id);
    // 2000 × 2.9% = 58, plus 30.
    expect(transaction).toStrictEqual({
      id,
      object: 'balance_transaction',
      amount: 2000,
      available_on: charge.created,
      balance_type: 'payments',
      created: charge.created,
      currency: 'usd',
      description: 'Order 7',
      exchange_rate: null,
      fee: 88,
      fee_details: [
        {
          amount: 88,
          application: null,
          currency: 'usd',
          description: 'Stripe processing fees',
          type: 'stripe_fee',
        },
      ],
      net: 1912,
      reporting_category: 'charge',
      source: charge.id,
      status: 'available',
      type: 'charge',
    });

    // expand[]=balance_transaction on the charge, and on the charge's event.
    const expanded = await stripe.charges.retrieve(charge.id, { expand: ['balance_transaction'] });
    expect(expanded.balance_transaction).toStrictEqual(transaction);
    const succeeded = (await receiver.waitForEvent(
      'charge.succeeded',
      charge.id,
    )) as Stripe.ChargeSucceededEvent;
    expect(succeeded.data.object.balance_transaction).toBe(id);
  });

  it('rounds the fee’s percentage to the nearest minor unit, halves up, in the charge’s currency', async () => {
    // 1500 × 2.9% = 43.5 → 44, plus 30.
    const half = await pay(1500, 'eur');
    const transaction = await stripe.balanceTransactions.retrieve(
      defined(idOf(half.balance_transaction), 'the transaction'),
    );
    expect([transaction.currency, transaction.fee, transaction.net]).toStrictEqual([
      'eur',
      74,
      1426,
    ]);
    expect(transaction.fee_details).toStrictEqual([
      {
        amount: 74,
        application: null,
        currency: 'eur',
        description: 'Stripe processing fees',
        type: 'stripe_fee',
      },
    ]);
    // 4242 × 2.9% = 123.018 → 123, plus 30.
    const down = await pay(4242);
    const rounded = await stripe.balanceTransactions.retrieve(
      defined(idOf(down.balance_transaction), 'the transaction'),
    );
    expect([rounded.fee, rounded.net]).toStrictEqual([153, 4089]);
  });

  it('moves no money for a declined charge, nor for an authorization until it is captured (then only what was captured)', async () => {
    await rejection(pay(900, 'usd', { payment_method: 'pm_card_chargeDeclined' }));
    const failed = defined(
      (await stripe.charges.list({ limit: 1 })).data[0],
      'the declined charge',
    );
    expect(failed.status).toBe('failed');
    expect(failed.balance_transaction).toBe(null);
    expect(failed.failure_balance_transaction).toBe(null);
    expect((await stripe.balanceTransactions.list({ source: failed.id })).data).toStrictEqual([]);

    const authorized = await pay(5000, 'usd', { capture_method: 'manual' });
    expect(authorized.captured).toBe(false);
    expect(authorized.balance_transaction).toBe(null);
    await stripe.paymentIntents.capture(idOf(authorized.payment_intent) ?? '', {
      amount_to_capture: 1200,
    });
    const captured = await stripe.charges.retrieve(authorized.id);
    const transactions = await stripe.balanceTransactions.list({ source: authorized.id });
    expect(transactions.data).toHaveLength(1);
    const transaction = defined(transactions.data[0], 'the capture’s transaction');
    expect(captured.balance_transaction).toBe(transaction.id);
    // 1200 × 2.9% = 34.8 → 35, plus 30.
    expect([transaction.amount, transaction.fee, transaction.net]).toStrictEqual([1200, 65, 1135]);
    // The released 3800 was never in the balance: its refund has no transaction.
    const release = defined(captured.refunds?.data[0], 'the released part');
    expect(release.amount).toBe(3800);
    expect(release.balance_transaction).toBe(null);
    expect((await stripe.balanceTransactions.list({ source: release.id })).data).toStrictEqual([]);
  });

  it('records a partial refund as a negative refund transaction with no fee', async () => {
    const charge = await pay(3000);
    const refund = await stripe.refunds.create({ charge: charge.id, amount: 700 });
    const id = defined(idOf(refund.balance_transaction), 'the refund’s balance transaction');
    const transaction = await stripe.balanceTransactions.retrieve(id);
    expect(transaction).toStrictEqual({
      id,
      object: 'balance_transaction',
      amount: -700,
      available_on: refund.created,
      balance_type: 'payments',
      created: refund.created,
      currency: 'usd',
      description: null,
      exchange_rate: null,
      fee: 0,
      fee_details: [],
      net: -700,
      reporting_category: 'refund',
      source: refund.id,
      status: 'available',
      type: 'refund',
    });
    const expanded = await stripe.refunds.retrieve(refund.id, { expand: ['balance_transaction'] });
    expect(expanded.balance_transaction).toStrictEqual(transaction);
    // The charge keeps its own transaction (the fee is not given back) and shows the refund's.
    const refunded = await stripe.charges.retrieve(charge.id);
    const chargeTransaction = await stripe.balanceTransactions.retrieve(
      defined(idOf(refunded.balance_transaction), 'the charge’s transaction'),
    );
    expect([chargeTransaction.amount, chargeTransaction.fee]).toStrictEqual([3000, 117]);
    expect(refunded.refunds?.data.map((entry) => entry.balance_transaction)).toStrictEqual([id]);
  });

  it('lists transactions newest first as Stripe’s list, with type, source, currency and created filters and paging', async () => {
    const first = await pay(1111);
    const second = await pay(2222);
    const third = await pay(3333);
    const ids = [third, second, first].map((charge) =>
      defined(idOf(charge.balance_transaction), `the transaction of ${charge.id}`),
    );

    const page = await stripe.balanceTransactions.list({ type: 'charge', limit: 2 });
    expect(page.object).toBe('list');
    expect(page.url).toBe('/v1/balance_transactions');
    expect(page.has_more).toBe(true);
    expect(page.data.map((transaction) => transaction.id)).toStrictEqual(ids.slice(0, 2));
    const next = await stripe.balanceTransactions.list({
      type: 'charge',
      limit: 1,
      starting_after: ids[1],
    });
    expect(next.data.map((transaction) => transaction.id)).toStrictEqual([ids[2]]);
    const before = await stripe.balanceTransactions.list({
      type: 'charge',
      ending_before: ids[1],
    });
    expect(before.data.map((transaction) => transaction.id)).toStrictEqual([ids[0]]);
    expect(before.has_more).toBe(false);

    const all = await stripe.balanceTransactions.list({ limit: 100 }).autoPagingToArray({
      limit: 1000,
    });
    const charges = await stripe.balanceTransactions
      .list({ type: 'charge', limit: 100 })
      .autoPagingToArray({ limit: 1000 });
    expect(charges.length).toBeGreaterThanOrEqual(3);
    expect(charges.every((transaction) => transaction.type === 'charge')).toBe(true);
    expect(charges).toStrictEqual(all.filter((transaction) => transaction.type === 'charge'));
    const refunds = await stripe.balanceTransactions.list({ type: 'refund', limit: 100 });
    expect(refunds.data.length).toBeGreaterThan(0);
    expect(refunds.data.every((transaction) => transaction.amount < 0)).toBe(true);

    const bySource = await stripe.balanceTransactions.list({ source: second.id });
    expect(bySource.data.map((transaction) => transaction.id)).toStrictEqual([ids[1]]);
    const euros = await stripe.balanceTransactions.list({ currency: 'EUR', limit: 100 });
    expect(euros.data.map((transaction) => transaction.currency)).toStrictEqual(['eur']);
    const created = defined(all[0], 'the newest transaction').created;
    expect(
      (await stripe.balanceTransactions.list({ created: { gt: created } })).data,
    ).toStrictEqual([]);
    expect(
      (await stripe.balanceTransactions.list({ created: { lte: created }, limit: 100 })).data
        .length,
    ).toBe(Math.min(all.length, 100));

    const unknownParam = await rejection(
      stripe.balanceTransactions.list({
        status: 'available',
      } as Stripe.BalanceTransactionListParams),
    );
    expect([unknownParam.statusCode, unknownParam.code]).toStrictEqual([400, 'parameter_unknown']);
    const payout = await rejection(stripe.balanceTransactions.list({ payout: 'po_none' }));
    expect([payout.statusCode, payout.code, payout.param]).toStrictEqual([
      404,
      'resource_missing',
      'payout',
    ]);
  });

  it('shows a dispute’s balance transactions in /v1/balance_transactions too: one record of them', async () => {
    const { charge, dispute } = await disputedCharge(4000);
    expect(dispute.balance_transactions).toHaveLength(1);
    const withdrawal = defined(dispute.balance_transactions[0], 'the withdrawal');
    expect(withdrawal.id).toMatch(/^txn_/);
    expect(await stripe.balanceTransactions.retrieve(withdrawal.id)).toStrictEqual(withdrawal);
    expect(withdrawal).toMatchObject({
      amount: -4000,
      fee: 1500,
      net: -5500,
      type: 'adjustment',
      reporting_category: 'dispute',
      source: dispute.id,
      status: 'available',
      description: `Chargeback withdrawal for ${charge.id}`,
      fee_details: [
        {
          amount: 1500,
          application: null,
          currency: 'usd',
          description: 'Dispute fee',
          type: 'stripe_fee',
        },
      ],
    });
    const created = (await receiver.waitForEvent(
      'charge.dispute.created',
      dispute.id,
    )) as Stripe.ChargeDisputeCreatedEvent;
    expect(created.data.object.balance_transactions).toStrictEqual([withdrawal]);
    // The disputed charge has its own charge transaction: 4000 × 2.9% = 116, plus 30.
    const chargeTransaction = await stripe.balanceTransactions.retrieve(
      defined(idOf(charge.balance_transaction), 'the charge’s transaction'),
    );
    expect([chargeTransaction.amount, chargeTransaction.fee]).toStrictEqual([4000, 146]);

    await stripe.disputes.update(dispute.id, {
      evidence: { uncategorized_text: 'winning_evidence' },
    });
    await receiver.waitForEvent('charge.dispute.funds_reinstated', dispute.id);
    const won = await stripe.disputes.retrieve(dispute.id);
    expect(won.status).toBe('won');
    const reinstatement = defined(won.balance_transactions[1], 'the reinstatement');
    expect(won.balance_transactions[0]).toStrictEqual(withdrawal);
    expect(reinstatement).toMatchObject({
      amount: 4000,
      fee: -1500,
      net: 5500,
      type: 'adjustment',
      reporting_category: 'dispute_reversal',
      source: dispute.id,
    });
    const listed = await stripe.balanceTransactions.list({ source: dispute.id });
    expect(listed.data).toStrictEqual([reinstatement, withdrawal]);
    const listedDisputes = await stripe.disputes.list({ charge: charge.id });
    expect(listedDisputes.data[0]?.balance_transactions).toStrictEqual([withdrawal, reinstatement]);

    // expand[]=source puts in the dispute as Stripe answers it, with its transactions.
    const withSource = await stripe.balanceTransactions.retrieve(withdrawal.id, {
      expand: ['source'],
    });
    expect(withSource.source).toStrictEqual(won);
    const listWithSource = await stripe.balanceTransactions.list({
      source: dispute.id,
      expand: ['data.source'],
    });
    expect(listWithSource.data.map((transaction) => transaction.source)).toStrictEqual([won, won]);
  });

  it('gives a failed refund’s amount back with a refund_failure transaction, its failure_balance_transaction', async () => {
    const card = await stripe.paymentMethods.create({
      type: 'card',
      card: { number: '4000000000005126', exp_month: 12, exp_year: 2040, cvc: '123' },
    });
    const charge = await pay(3000, 'usd', { payment_method: card.id });
    const refund = await stripe.refunds.create({ charge: charge.id, amount: 1200 });
    const failed = await waitFor(
      () => stripe.refunds.retrieve(refund.id),
      (current) => current.status === 'failed',
      { what: 'the refund to fail' },
    );
    expect(failed.balance_transaction).toBe(refund.balance_transaction);
    const failure = await stripe.balanceTransactions.retrieve(
      defined(idOf(failed.failure_balance_transaction), 'the failure’s transaction'),
    );
    expect(failure).toMatchObject({
      amount: 1200,
      fee: 0,
      fee_details: [],
      net: 1200,
      type: 'refund_failure',
      reporting_category: 'refund_failure',
      source: refund.id,
      status: 'available',
    });
    const ofRefund = await stripe.balanceTransactions.list({ source: refund.id });
    expect(
      ofRefund.data.map((transaction) => [transaction.type, transaction.amount]),
    ).toStrictEqual([
      ['refund_failure', 1200],
      ['refund', -1200],
    ]);
  });

  it('answers an unknown id with Stripe’s 404 resource_missing', async () => {
    const missing = await rejection(stripe.balanceTransactions.retrieve('txn_doesnotexist'));
    expect(missing).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect([missing.statusCode, missing.code, missing.param, missing.message]).toStrictEqual([
      404,
      'resource_missing',
      'id',
      "No such balance_transaction: 'txn_doesnotexist'",
    ]);
    const response = await fetch(`${sandbox.url}/v1/balance_transactions/txn_doesnotexist`, {
      headers: { Authorization: 'Bearer sk_test_sandbox' },
    });
    expect(response.status).toBe(404);
  });

  it('keeps /v1/balance equal to the transactions: the sum of their amounts per currency, fees shown apart', async () => {
    const all = await stripe.balanceTransactions.list({ limit: 100 }).autoPagingToArray({
      limit: 1000,
    });
    const balance = await stripe.balance.retrieve();
    const available = Object.fromEntries(
      balance.available.map((entry) => [entry.currency, entry.amount]),
    );
    expect(available).toStrictEqual(sumByCurrency(all, 'amount'));
    expect(balance.pending.every((entry) => entry.amount === 0)).toBe(true);
    expect(all.every((transaction) => transaction.status === 'available')).toBe(true);
    // Each transaction's net is its amount less its fee, so the nets add up to the balance less
    // the fees: the sandbox's balance does not take Stripe's fees (docs/stripe-sandbox.md).
    for (const transaction of all)
      expect(transaction.net).toBe(transaction.amount - transaction.fee);
    const fees = sumByCurrency(all, 'fee');
    const nets = sumByCurrency(all, 'net');
    for (const [currency, amount] of Object.entries(available))
      expect(nets[currency]).toBe(amount - (fees[currency] ?? 0));
    // What this suite moved, in exact integers: usd charges 2000 + 4242 + 1200 + 3000 + 1111 +
    // 2222 + 3333 + 4000 + 3000 = 24108, less the 700 refund, less the dispute's 4000 and plus
    // its reinstatement, less the 1200 refund and plus its failure = 23408; eur 1500.
    expect(available).toStrictEqual({ eur: 1500, usd: 23_408 });
    // Fees: usd 88 + 153 + 65 + 117 + 62 + 94 + 127 + 146 + 1500 − 1500 + 117 = 969; eur 74.
    expect(fees).toStrictEqual({ eur: 74, usd: 969 });
    expect(nets).toStrictEqual({ eur: 1426, usd: 22_439 });
  });
});

describe('sandbox balance transactions in PostgreSQL', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    delete process.env.SANDBOX_DATABASE_URL;
    await database.drop();
  });

  it('keeps the transactions across a restart: the balance and a dispute’s transactions come back the same', async () => {
    const start = () =>
      startSandbox({ SANDBOX_DATABASE_URL: database.url, SANDBOX_WEBHOOK_URL: 'off' });
    const first = await start();
    let before: { balance: Stripe.Balance; transactions: Stripe.BalanceTransaction[] };
    let disputeId: string;
    try {
      const paymentIntent = await first.stripe.paymentIntents.create({
        amount: 2500,
        currency: 'usd',
        payment_method: 'pm_card_createDispute',
        confirm: true,
        ...CARDS_ONLY,
      });
      await first.stripe.refunds.create({ payment_intent: paymentIntent.id, amount: 500 });
      const disputes = await waitFor(
        () => first.stripe.disputes.list({ payment_intent: paymentIntent.id }),
        (list) => list.data.length === 1,
        { timeoutMs: 10_000, what: 'the dispute' },
      );
      disputeId = defined(disputes.data[0], 'the dispute').id;
      before = {
        balance: await first.stripe.balance.retrieve(),
        transactions: (await first.stripe.balanceTransactions.list({ limit: 100 })).data,
      };
    } finally {
      await first.stop();
    }
    // Charge 2500 less the 500 refund less the dispute's 2000 (what was left when it opened).
    expect(before.balance.available).toStrictEqual([
      { amount: 0, currency: 'usd', source_types: { card: 0 } },
    ]);
    expect(before.transactions.map((transaction) => transaction.type)).toStrictEqual([
      'adjustment',
      'refund',
      'charge',
    ]);

    const second = await start();
    try {
      expect(await second.stripe.balance.retrieve()).toStrictEqual(before.balance);
      expect((await second.stripe.balanceTransactions.list({ limit: 100 })).data).toStrictEqual(
        before.transactions,
      );
      const dispute = await second.stripe.disputes.retrieve(disputeId);
      expect(dispute.balance_transactions).toStrictEqual([before.transactions[0]]);
    } finally {
      await second.stop();
    }
  });
});
