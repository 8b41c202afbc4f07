import { randomInt, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, it, expect } from '@jest/globals';
import type { TransactionStatus } from '@aegis/contracts';
import { defined, rejectionOf, waitFor } from '@aegis/testing';
import { idOf } from '@aegis/stripe';
import Stripe from 'stripe';
import { BillingHarness } from './billing-harness.js';

const CHECKOUT_URLS = {
  success_url: 'https://shop.example/success',
  cancel_url: 'https://shop.example/cart',
};

interface TransactionRow {
  stripe_payment_intent_id: string | null;
  stripe_charge_id: string | null;
  stripe_customer_id: string | null;
  customer_stripe_id: string | null;
  stripe_invoice_id: string | null;
  stripe_checkout_session_id: string | null;
  amount_cents: number;
  amount_refunded_cents: number;
  currency: string;
  status: TransactionStatus;
  description: string | null;
  metadata: Record<string, string>;
  billing_period_start: Date | null;
  billing_period_end: Date | null;
}

interface CustomerRow {
  stripe_customer_id: string;
  email: string | null;
  name: string | null;
  metadata: Record<string, string>;
  deleted_at: Date | null;
}

function byPaymentIntent(a: TransactionRow, b: TransactionRow): number {
  const [left, right] = [a.stripe_payment_intent_id ?? '', b.stripe_payment_intent_id ?? ''];
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Fisher-Yates with a seeded generator, so a failing order can be named. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed;
  const next = (): number => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  const result = [...items];
  for (let index = result.length - 1; index > 0; index -= 1) {
    const other = Math.floor(next() * (index + 1));
    [result[index], result[other]] = [result[other] as T, result[index] as T];
  }
  return result;
}

/**
 * Same-second events of one object in an order where neither the first nor
 * the last delivered carries the object's current state: a mirror that
 * applied ties as they come, or skipped them, would end up wrong.
 */
function adversarialOrder(oldestFirst: readonly Stripe.Event[]): Stripe.Event[] {
  const events = [...oldestFirst];
  const newest = events.pop();
  const secondNewest = events.pop();
  if (newest === undefined || secondNewest === undefined) return [...oldestFirst].reverse();
  return [secondNewest, newest, ...events.reverse()];
}

function aboutObject(events: readonly Stripe.Event[], id: string): Stripe.Event[] {
  return events.filter((event) => (event.data.object as { id?: string }).id === id);
}

async function isDeclined(promise: Promise<unknown>): Promise<Stripe.PaymentIntent> {
  const error = await rejectionOf(promise, Stripe.errors.StripeCardError);
  return defined(error.payment_intent, 'the payment intent the card error names');
}

/** Runs `checks`, naming `context` in the failure they end in, if any. */
async function withContext(context: string, checks: () => Promise<void>): Promise<void> {
  try {
    await checks();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${context}\n${message}`, { cause: error });
  }
}

describe('billing mirrors Stripe customers and payments from Stripe events', () => {
  let harness: BillingHarness;
  let stripe: Stripe;
  /** Our status for each payment intent of the story, as a person reading Stripe would call it. */
  const expectedStatus = new Map<string, TransactionStatus>();
  /** Every event of the story billing handles, oldest first. */
  let history: Stripe.Event[] = [];

  const transactionRows = async (): Promise<TransactionRow[]> => {
    const rows = await harness.dataSource.query<
      (Omit<TransactionRow, 'amount_cents' | 'amount_refunded_cents'> & {
        amount_cents: string;
        amount_refunded_cents: string;
      })[]
    >(
      `SELECT t."stripe_payment_intent_id", t."stripe_charge_id", t."stripe_customer_id",
              c."stripe_customer_id" AS "customer_stripe_id", t."stripe_invoice_id",
              t."stripe_checkout_session_id", t."amount_cents", t."amount_refunded_cents",
              t."currency", t."status", t."description", t."metadata",
              t."billing_period_start", t."billing_period_end"
         FROM "billing"."billing_transactions" t
         LEFT JOIN "billing"."customers" c USING ("customer_id")
`,
    );
    return rows
      .map((row) => ({
        ...row,
        amount_cents: Number(row.amount_cents),
        amount_refunded_cents: Number(row.amount_refunded_cents),
      }))
      .sort(byPaymentIntent);
  };

  const customerRows = (): Promise<CustomerRow[]> =>
    harness.dataSource.query<CustomerRow[]>(
      `SELECT "stripe_customer_id", "email", "name", "metadata", "deleted_at"
         FROM "billing"."customers" ORDER BY "stripe_customer_id"`,
    );

  /** What billing_transactions must hold, read from Stripe as it is now. */
  const expectedTransactions = async (): Promise<TransactionRow[]> => {
    const intents = await stripe.paymentIntents.list({ limit: 100 }).autoPagingToArray({
      limit: 1_000,
    });
    const invoices = await stripe.invoices.list({ limit: 100 }).autoPagingToArray({ limit: 1_000 });
    const sessions = await stripe.checkout.sessions
      .list({ limit: 100 })
      .autoPagingToArray({ limit: 1_000 });
    const invoiceOf = new Map<string, Stripe.Invoice>();
    for (const invoice of invoices) {
      for (const { payment } of invoice.payments?.data ?? []) {
        const intentId = idOf(payment.payment_intent);
        if (intentId !== null) invoiceOf.set(intentId, invoice);
      }
    }
    const sessionOf = new Map(
      sessions.map((session) => [idOf(session.payment_intent), session.id]),
    );
    const expected: TransactionRow[] = [];
    for (const intent of intents) {
      const chargeId = idOf(intent.latest_charge);
      const charge = chargeId === null ? null : await stripe.charges.retrieve(chargeId);
      const invoice = invoiceOf.get(intent.id);
      const lines = invoice?.lines.data ?? [];
      const status = defined(
        expectedStatus.get(intent.id),
        `the story's status of payment intent ${intent.id}`,
      );
      expected.push({
        stripe_payment_intent_id: intent.id,
        stripe_charge_id: chargeId,
        stripe_customer_id: idOf(intent.customer),
        customer_stripe_id: idOf(intent.customer),
        stripe_invoice_id: invoice?.id ?? null,
        stripe_checkout_session_id: sessionOf.get(intent.id) ?? null,
        amount_cents: charge?.amount ?? intent.amount,
        amount_refunded_cents: charge?.amount_refunded ?? 0,
        currency: intent.currency,
        status,
        description: charge?.description ?? intent.description,
        metadata: charge?.metadata ?? intent.metadata,
        billing_period_start:
          invoice === undefined
            ? null
            : new Date(Math.min(...lines.map((line) => line.period.start)) * 1_000),
        billing_period_end:
          invoice === undefined
            ? null
            : new Date(Math.max(...lines.map((line) => line.period.end)) * 1_000),
      });
    }
    return expected.sort(byPaymentIntent);
  };

  const expectedCustomers = async (): Promise<CustomerRow[]> => {
    const customers = await stripe.customers.list({ limit: 100 }).autoPagingToArray({
      limit: 1_000,
    });
    return customers.map((customer) => ({
      stripe_customer_id: customer.id,
      email: customer.email,
      name: customer.name ?? null,
      metadata: customer.metadata,
      deleted_at: null,
    }));
  };

  const pay = async (
    customer: string | null,
    amount: number,
    paymentMethod: string,
    details: { description?: string; metadata?: Record<string, string> } = {},
  ): Promise<Stripe.PaymentIntent> =>
    stripe.paymentIntents.create({
      amount,
      currency: 'usd',
      ...(customer === null ? {} : { customer }),
      payment_method: paymentMethod,
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      confirm: true,
      ...details,
    });

  /** A customer on a test clock of its own: every event about it has the clock's (frozen) time. */
  const customerOnTestClock = async (
    email: string,
  ): Promise<{ clock: Stripe.TestHelpers.TestClock; customer: Stripe.Customer }> => {
    const clock = await stripe.testHelpers.testClocks.create({
      frozen_time: Math.floor(Date.now() / 1_000),
    });
    const customer = await stripe.customers.create({
      email,
      name: 'Clocked',
      test_clock: clock.id,
    });
    return { clock, customer };
  };

  const advance = async (clock: Stripe.TestHelpers.TestClock, seconds: number): Promise<void> => {
    await stripe.testHelpers.testClocks.advance(clock.id, {
      frozen_time: clock.frozen_time + seconds,
    });
    await waitFor(
      async () => (await stripe.testHelpers.testClocks.retrieve(clock.id)).status,
      (status) => status === 'ready',
      { what: 'the test clock to advance' },
    );
  };

  const outcomesOf = (event: Stripe.Event): string[] =>
    harness.receipts
      .filter((receipt) => receipt.eventId === event.id)
      .map((receipt) => receipt.outcome);

  beforeAll(async () => {
    harness = await BillingHarness.start();
    stripe = harness.stripe;
  });

  afterAll(async () => {
    await harness.stop();
  });

  it('mirrors each customer and payment exactly as Stripe has it, one row per payment', async () => {
    const ada = await stripe.customers.create({
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      metadata: { plan: 'pro' },
    });

    const paid = await pay(ada.id, 2_000, 'pm_card_visa', {
      description: 'Order 1',
      metadata: { order: '1' },
    });
    expectedStatus.set(paid.id, 'succeeded');

    const retriedIntent = await isDeclined(pay(ada.id, 3_100, 'pm_card_chargeDeclined'));
    const retried = await stripe.paymentIntents.confirm(retriedIntent.id, {
      payment_method: 'pm_card_visa',
    });
    expect(retried.status).toBe('succeeded');
    expectedStatus.set(retried.id, 'succeeded');

    const declined = await isDeclined(pay(ada.id, 990, 'pm_card_chargeDeclinedInsufficientFunds'));
    expectedStatus.set(declined.id, 'failed');

    const abandoned = await stripe.paymentIntents.create({
      amount: 1_234,
      currency: 'usd',
      customer: ada.id,
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
    });
    await stripe.paymentIntents.cancel(abandoned.id, { cancellation_reason: 'abandoned' });
    expectedStatus.set(abandoned.id, 'cancelled');

    const refundedInFull = await pay(ada.id, 5_000, 'pm_card_visa');
    await stripe.refunds.create({ payment_intent: refundedInFull.id, amount: 1_500 });
    await stripe.refunds.create({ payment_intent: refundedInFull.id });
    expectedStatus.set(refundedInFull.id, 'refunded');

    const refundedInPart = await pay(null, 4_000, 'pm_card_mastercard');
    await stripe.refunds.create({ payment_intent: refundedInPart.id, amount: 1_000 });
    expectedStatus.set(refundedInPart.id, 'partially_refunded');

    const draft = await stripe.invoices.create({ customer: ada.id });
    await stripe.invoiceItems.create({
      customer: ada.id,
      invoice: draft.id,
      amount: 4_200,
      currency: 'usd',
      description: 'Consulting, November',
    });
    await stripe.invoices.finalizeInvoice(draft.id);
    await isDeclined(stripe.invoices.pay(draft.id, { payment_method: 'pm_card_chargeDeclined' }));
    const invoice = await stripe.invoices.pay(draft.id, { payment_method: 'pm_card_visa' });
    expect(invoice.status).toBe('paid');
    const attempts = invoice.payments?.data ?? [];
    expect(attempts.length).toBe(2);
    for (const attempt of attempts) {
      const intentId = defined(
        idOf(attempt.payment.payment_intent),
        'the payment intent of an invoice attempt',
      );
      expectedStatus.set(intentId, attempt.status === 'paid' ? 'succeeded' : 'failed');
    }

    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      customer: ada.id,
      line_items: [
        {
          price_data: { currency: 'usd', unit_amount: 1_250, product_data: { name: 'Notebook' } },
          quantity: 2,
        },
      ],
      ...CHECKOUT_URLS,
    });
    const completed = (await stripe.rawRequest(
      'POST',
      `/v1/test_helpers/checkout/sessions/${session.id}/complete`,
      { payment_method: 'pm_card_visa' },
    )) as unknown as Stripe.Checkout.Session;
    const checkoutIntent = defined(
      idOf(completed.payment_intent),
      'the payment intent of the checkout',
    );
    expectedStatus.set(checkoutIntent, 'succeeded');

    const bob = await stripe.customers.create({ email: 'bob@example.com', name: 'Bob' });
    await stripe.customers.update(bob.id, {
      email: 'robert@example.com',
      name: 'Robert',
      metadata: { vip: 'yes' },
    });
    await stripe.customers.del(bob.id);

    history = (await harness.allEvents()).filter((event) => harness.handles(event));
    await harness.deliver(history);
    await harness.waitUntilPublished();

    expect(await transactionRows()).toStrictEqual(await expectedTransactions());
    const charges = await stripe.charges.list({ payment_intent: retried.id });
    expect(charges.data.length).toBe(2);
    const rowsOfRetried = (await transactionRows()).filter(
      (row) =>
        row.stripe_payment_intent_id === retried.id ||
        charges.data.some((charge) => charge.id === row.stripe_charge_id),
    );
    expect(rowsOfRetried.length).toBe(1);
    expect(rowsOfRetried[0]?.status).toBe('succeeded');

    // Why a payment failed, as Stripe says; a declined attempt retried successfully is no failure.
    const failures = await harness.dataSource.query<
      {
        stripe_payment_intent_id: string;
        failure_code: string | null;
        failure_message: string | null;
      }[]
    >(
      `SELECT "stripe_payment_intent_id", "failure_code", "failure_message"
         FROM "billing"."billing_transactions" WHERE "stripe_payment_intent_id" = ANY($1)`,
      [[declined.id, retried.id]],
    );
    const declinedCharge = defined(
      (await stripe.charges.list({ payment_intent: declined.id })).data[0],
      'the declined charge',
    );
    expect(failures.find((row) => row.stripe_payment_intent_id === declined.id)).toStrictEqual({
      stripe_payment_intent_id: declined.id,
      failure_code: 'insufficient_funds',
      failure_message: declinedCharge.failure_message,
    });
    expect(declinedCharge.failure_message).toEqual(expect.any(String));
    expect(failures.find((row) => row.stripe_payment_intent_id === retried.id)).toMatchObject({
      failure_code: null,
      failure_message: null,
    });
    const declinedEvents = harness.transactionEvents.filter(
      (event) => event.data.stripePaymentIntentId === declined.id && event.data.status === 'failed',
    );
    expect(declinedEvents.length).toBeGreaterThan(0);
    for (const event of declinedEvents) expect(event.data.failureCode).toBe('insufficient_funds');

    const customers = await customerRows();
    expect(customers.filter((row) => row.stripe_customer_id !== bob.id)).toStrictEqual(
      await expectedCustomers(),
    );
    const deleted = defined(
      customers.find((row) => row.stripe_customer_id === bob.id),
      'the deleted customer row',
    );
    const missing = await rejectionOf(stripe.customers.retrieve(bob.id), Stripe.errors.StripeError);
    expect(missing.code).toBe('resource_missing');
    expect(deleted.deleted_at).toBeInstanceOf(Date);
    expect({ email: deleted.email, name: deleted.name, metadata: deleted.metadata }).toStrictEqual({
      email: 'robert@example.com',
      name: 'Robert',
      metadata: { vip: 'yes' },
    });

    const receipted = new Set(
      harness.receipts.filter((receipt) => receipt.service === 'billing').map((r) => r.eventId),
    );
    expect(
      history.filter((event) => !receipted.has(event.id)).map((event) => event.type),
    ).toStrictEqual([]);

    const created = harness.transactionEvents.filter(
      (event) => event.type === 'billing.transaction.created.v1',
    );
    const [transactionIds] = await harness.dataSource.query<{ ids: string[] }[]>(
      `SELECT array_agg("transaction_id" ORDER BY "transaction_id") AS ids FROM "billing"."billing_transactions"`,
    );
    expect(created.map((event) => event.data.transactionId).sort()).toStrictEqual(
      transactionIds?.ids,
    );
    expect(await harness.deadLetterCount()).toBe(0);
  });

  it('changes nothing when every event is delivered again twice, in random order', async () => {
    const before = await harness.snapshot();
    const transactionEventsBefore = harness.transactionEvents.length;
    const duplicatesBefore = await harness.consumed('duplicate');
    const redelivered = history.flatMap((event) => [
      { event, id: event.id },
      { event, id: event.id },
      // A forced replay: the same event under a new message id, past the inbox.
      { event, id: randomUUID() },
      { event, id: randomUUID() },
    ]);
    const seed = randomInt(2 ** 31);
    const order = shuffled(redelivered, seed);
    await harness.publish(
      order.map((delivery) => delivery.event),
      order.map((delivery) => delivery.id),
    );
    await harness.waitUntilApplied(
      redelivered.filter((delivery) => delivery.id !== delivery.event.id).map((d) => d.id),
    );
    await waitFor(
      () => harness.consumed('duplicate'),
      (duplicates) => duplicates === duplicatesBefore + 2 * history.length,
      { what: 'every redelivery under the same id to be acknowledged as a duplicate' },
    );
    await harness.waitUntilPublished();

    await withContext(`shuffle seed ${seed}`, async () => {
      expect(await harness.snapshot()).toStrictEqual(before);
      expect(harness.transactionEvents.length).toBe(transactionEventsBefore);
    });
    expect(await harness.deadLetterCount()).toBe(0);
  });

  it('converges to Stripe’s current state when same-second events come in the wrong order', async () => {
    const { customer } = await customerOnTestClock('clocked@example.com');
    await stripe.customers.update(customer.id, { name: 'Clocked Once' });
    await stripe.customers.update(customer.id, { name: 'Clocked Twice', metadata: { n: '2' } });
    const intent = await pay(customer.id, 6_000, 'pm_card_visa', { description: 'Clocked order' });
    const chargeId = idOf(intent.latest_charge) ?? '';
    await stripe.refunds.create({ charge: chargeId, amount: 2_500 });
    await stripe.charges.update(chargeId, { description: 'Clocked order, corrected' });
    await stripe.refunds.create({ charge: chargeId });
    expectedStatus.set(intent.id, 'refunded');

    const events = (await harness.allEvents()).filter((event) => harness.handles(event));
    const streams = [customer.id, chargeId, intent.id].map((id) => aboutObject(events, id));
    const seconds = new Set(streams.flat().map((event) => event.created));
    expect(seconds.size).toBe(1);
    expect(streams.map((stream) => stream.length)).toStrictEqual([3, 4, 2]);

    await harness.deliverInOrder(streams.flatMap(adversarialOrder));
    await harness.waitUntilPublished();

    const row = defined(
      (await transactionRows()).find((found) => found.stripe_payment_intent_id === intent.id),
      'the transaction row of the clocked payment',
    );
    const expected = (await expectedTransactions()).find(
      (found) => found.stripe_payment_intent_id === intent.id,
    );
    expect(row).toStrictEqual(expected);
    expect(row.description).toBe('Clocked order, corrected');
    expect(row.status).toBe('refunded');
    const customerRow = (await customerRows()).find(
      (found) => found.stripe_customer_id === customer.id,
    );
    expect(customerRow).toStrictEqual({
      stripe_customer_id: customer.id,
      email: 'clocked@example.com',
      name: 'Clocked Twice',
      metadata: { n: '2' },
      deleted_at: null,
    });
    const chargeOutcomes = harness.receipts
      .filter((receipt) => streams[1]?.some((event) => event.id === receipt.eventId))
      .map((receipt) => receipt.outcome);
    expect(chargeOutcomes.sort()).toStrictEqual(['applied', 'refetched', 'refetched', 'refetched']);
  });

  it('changes nothing with an event older than one already applied', async () => {
    const { clock, customer } = await customerOnTestClock('late@example.com');
    const intent = await pay(customer.id, 7_500, 'pm_card_visa');
    const chargeId = idOf(intent.latest_charge) ?? '';
    await advance(clock, 3_600);
    await stripe.refunds.create({ charge: chargeId });
    await advance(clock, 7_200);
    await stripe.charges.update(chargeId, { receipt_email: 'receipts@example.com' });
    expectedStatus.set(intent.id, 'refunded');

    const events = (await harness.allEvents()).filter((event) => harness.handles(event));
    const chargeEvents = aboutObject(events, chargeId);
    expect(chargeEvents.map((event) => event.type)).toStrictEqual([
      'charge.succeeded',
      'charge.refunded',
      'charge.updated',
    ]);
    const [succeeded, refunded, updated] = chargeEvents as [
      Stripe.Event,
      Stripe.Event,
      Stripe.Event,
    ];
    expect(succeeded.created).toBeLessThan(refunded.created);
    expect(refunded.created).toBeLessThan(updated.created);

    await harness.deliverInOrder([refunded, succeeded]);
    await harness.deliverInOrder([
      ...aboutObject(events, customer.id),
      ...aboutObject(events, intent.id),
    ]);
    await harness.waitUntilPublished();
    const settled = await harness.snapshot();
    const row = defined(
      (await transactionRows()).find((found) => found.stripe_payment_intent_id === intent.id),
      'the transaction row of the late payment',
    );
    expect(row.status).toBe('refunded');
    expect(row.amount_refunded_cents).toBe(7_500);
    expect(outcomesOf(succeeded)).toStrictEqual(['stale']);

    const transactionEventsBefore = harness.transactionEvents.length;
    await harness.deliverInOrder([succeeded], { replay: true });
    await harness.waitUntilPublished();
    expect(await harness.snapshot()).toStrictEqual(settled);
    expect(outcomesOf(succeeded)).toStrictEqual(['stale', 'stale']);

    // Newer, but about nothing billing mirrors: applied, and no transaction event.
    await harness.deliverInOrder([updated]);
    await harness.waitUntilPublished();
    expect(outcomesOf(updated)).toStrictEqual(['applied']);
    expect(await transactionRows()).toStrictEqual(await expectedTransactions());
    expect(harness.transactionEvents.length).toBe(transactionEventsBefore);
  });

  it('keeps a declined attempt and its successful retry one succeeded transaction, in any order', async () => {
    const { clock, customer } = await customerOnTestClock('retry@example.com');
    const intent = await stripe.paymentIntents.create({
      amount: 8_800,
      currency: 'usd',
      customer: customer.id,
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
    });
    await advance(clock, 3_600);
    await isDeclined(
      stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_chargeDeclined' }),
    );
    await stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' });
    expectedStatus.set(intent.id, 'succeeded');
    const charges = (await stripe.charges.list({ payment_intent: intent.id })).data;
    const declined = defined(
      charges.find((charge) => charge.status === 'failed'),
      'the declined charge',
    );
    const paid = defined(
      charges.find((charge) => charge.status === 'succeeded'),
      'the paid charge',
    );

    const events = (await harness.allEvents()).filter((event) => harness.handles(event));
    const byType = (type: string, objectId: string): Stripe.Event => {
      return defined(
        aboutObject(events, objectId).find((event) => event.type === type),
        `${type} of ${objectId}`,
      );
    };
    // The intent's first state is known, then the paid charge, then news of the declined attempt.
    await harness.deliverInOrder([
      byType('payment_intent.created', intent.id),
      byType('charge.succeeded', paid.id),
      byType('payment_intent.payment_failed', intent.id),
      byType('charge.failed', declined.id),
      byType('payment_intent.succeeded', intent.id),
    ]);
    await harness.waitUntilPublished();

    const rows = (await transactionRows()).filter(
      (row) =>
        row.stripe_payment_intent_id === intent.id ||
        row.stripe_charge_id === declined.id ||
        row.stripe_charge_id === paid.id,
    );
    expect(rows.length).toBe(1);
    const row = defined(rows[0], 'the one transaction');
    expect(row.stripe_charge_id).toBe(paid.id);
    expect(row.status).toBe('succeeded');
    const published = await harness.dataSource.query<{ status: string }[]>(
      `SELECT "envelope"->'data'->>'status' AS "status" FROM "billing"."outbox"
        WHERE "message_type" LIKE 'billing.transaction.%'
          AND "envelope"->'data'->>'stripePaymentIntentId' = $1
        ORDER BY "created_at"`,
      [intent.id],
    );
    const transitions = published
      .map((event) => event.status)
      .filter((status, index, statuses) => status !== statuses[index - 1]);
    expect(transitions).toStrictEqual(['pending', 'succeeded']);
    expect(await transactionRows()).toStrictEqual(await expectedTransactions());
  });
});
