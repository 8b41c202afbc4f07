import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BILLING_CHECKOUT_CREATE_V1,
  BILLING_CUSTOMER_GET_OR_CREATE_V1,
  BILLING_PRODUCT_CREATE_V1,
  BILLING_REFUND_CREATE_V1,
  BILLING_REFUND_LIST_V1,
  BILLING_TRANSACTION_GET_V1,
  BILLING_TRANSACTION_LIST_V1,
  BILLING_TRANSACTION_RECORD_V1,
  type LedgerTransactionV1,
} from '@aegis/contracts';
import { RpcRemoteError } from '@aegis/messaging';
import {
  createTestDatabase,
  defined,
  rejectionOf,
  startServiceProcess,
  waitFor,
  type ServiceProcess,
  type TestDatabase,
} from '@aegis/testing';
import type Stripe from 'stripe';
import { BillingHarness } from './billing-harness.js';

describe('refunds and the ledger, through Stripe', () => {
  let harness: BillingHarness;
  let stripe: Stripe;
  let run = 0;
  const delivered = new Set<string>();
  /** The sandbox that keeps its state in a database, once the outage test has moved to it. */
  let persistedSandbox: { process: ServiceProcess; database: TestDatabase } | undefined;

  /** Delivers every sandbox event not delivered yet, in order, as webhook-ingest would. */
  const deliverNewEvents = async (): Promise<void> => {
    const fresh = (await harness.allEvents()).filter((event) => !delivered.has(event.id));
    for (const event of fresh) delivered.add(event.id);
    await harness.deliverInOrder(fresh);
  };

  const newCustomer = async (): Promise<{ id: string; stripeId: string }> => {
    run += 1;
    const id = `cust_rf_${Date.now().toString(36)}_${run}`;
    const { customer } = await harness.rpc.call(BILLING_CUSTOMER_GET_OR_CREATE_V1, {
      customerId: id,
      email: `${id}@example.com`,
    });
    return { id, stripeId: customer.stripeCustomerId };
  };

  /** A card payment at Stripe, mirrored into the ledger: its transaction. */
  const paid = async (
    customer: { stripeId: string },
    amount: number,
    metadata: Record<string, string> = {},
  ): Promise<LedgerTransactionV1> => {
    const intent = await stripe.paymentIntents.create({
      amount,
      currency: 'usd',
      customer: customer.stripeId,
      payment_method: 'pm_card_visa',
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      confirm: true,
      metadata,
    });
    await deliverNewEvents();
    const [row] = await harness.dataSource.query<{ transaction_id: string }[]>(
      `SELECT "transaction_id" FROM "billing"."billing_transactions" WHERE "stripe_payment_intent_id" = $1`,
      [intent.id],
    );
    return transactionNow(defined(row).transaction_id);
  };

  const transactionNow = async (transactionId: string): Promise<LedgerTransactionV1> =>
    (await harness.rpc.call(BILLING_TRANSACTION_GET_V1, { transactionId })).transaction;

  const refund = (transactionId: string, amount?: number) =>
    harness.rpc.call(BILLING_REFUND_CREATE_V1, {
      transactionId,
      ...(amount === undefined ? {} : { amount }),
      reason: 'requested_by_customer',
    });

  const idOfCharge = (intent: Stripe.PaymentIntent): string | null =>
    typeof intent.latest_charge === 'string'
      ? intent.latest_charge
      : (intent.latest_charge?.id ?? null);

  const stripeRefundsOf = async (chargeId: string): Promise<Stripe.Refund[]> =>
    stripe.refunds.list({ charge: chargeId, limit: 100 }).autoPagingToArray({ limit: 1_000 });

  /**
   * The sandbox's settings once it keeps its state in a database of its own: the harness's
   * sandbox keeps it in memory, which a stop loses, so on first use the sandbox on billing's
   * STRIPE_API_URL is replaced by one that keeps it, and Stripe can stop and come back with the
   * charge. (BillingHarness has no stop and start of its sandbox; its process is read here.)
   */
  const persistentSandboxEnv = async (): Promise<Record<string, string>> => {
    if (persistedSandbox === undefined) {
      const inMemory = Reflect.get(harness, 'sandbox') as ServiceProcess;
      expect(process.env.STRIPE_API_URL).toBe(inMemory.url);
      await inMemory.stop();
      const database = await createTestDatabase();
      persistedSandbox = {
        process: await startServiceProcess('stripe-sandbox', sandboxEnvOf(inMemory.port, database)),
        database,
      };
    }
    return sandboxEnvOf(persistedSandbox.process.port, persistedSandbox.database);
  };
  const sandboxEnvOf = (port: number, database: TestDatabase): Record<string, string> => ({
    SANDBOX_WEBHOOK_URL: 'off',
    SANDBOX_DATABASE_URL: database.url,
    PORT: String(port),
  });
  const persisted = (): { process: ServiceProcess; database: TestDatabase } =>
    defined(persistedSandbox, 'the sandbox that keeps its state');

  beforeAll(async () => {
    harness = await BillingHarness.start();
    stripe = harness.stripe;
  });

  afterAll(async () => {
    await persistedSandbox?.process.stop();
    await harness.stop();
    await persistedSandbox?.database.drop();
  });

  it('refunds part, then the rest; the transaction becomes partially_refunded, then refunded', async () => {
    const customer = await newCustomer();
    const transaction = await paid(customer, 5_000, { aegis_product_id: 'geoint_report' });
    expect(transaction).toMatchObject({
      status: 'succeeded',
      source: 'stripe',
      amount: 5_000,
      amountRefundable: 5_000,
      customerId: customer.id,
      productId: 'geoint_report',
      refunds: [],
    });

    const partial = await refund(transaction.id, 1_500);
    expect(partial.refund).toMatchObject({
      amount: 1_500,
      status: 'succeeded',
      reason: 'requested_by_customer',
      origin: 'aegis',
    });
    expect(partial.transaction.amountRefundable).toBe(3_500);
    const atStripe = await stripe.refunds.retrieve(defined(partial.refund.stripeRefundId));
    expect(atStripe.metadata).toMatchObject({ aegis_refund_id: partial.refund.id });
    expect(atStripe.amount).toBe(1_500);

    await deliverNewEvents();
    expect(await transactionNow(transaction.id)).toMatchObject({
      status: 'partially_refunded',
      amountRefunded: 1_500,
      amountRefundable: 3_500,
    });

    const rest = await refund(transaction.id);
    expect(rest.refund.amount).toBe(3_500);
    await deliverNewEvents();
    const after = await transactionNow(transaction.id);
    expect(after).toMatchObject({ status: 'refunded', amountRefunded: 5_000, amountRefundable: 0 });
    expect(after.refunds.map((r) => [r.id, r.amount, r.status])).toEqual([
      [rest.refund.id, 3_500, 'succeeded'],
      [partial.refund.id, 1_500, 'succeeded'],
    ]);
    // The refund events named our ids: no second row for either.
    const rows = await harness.dataSource.query<{ count: string }[]>(
      `SELECT count(*) FROM "billing"."refunds" WHERE "transaction_id" = $1`,
      [transaction.id],
    );
    expect(Number(rows[0]?.count)).toBe(2);
  });

  it('answers 409 with the amount left for a refund above it, and refunds nothing', async () => {
    const customer = await newCustomer();
    const transaction = await paid(customer, 2_000);
    await refund(transaction.id, 500);
    const refusal = await rejectionOf(refund(transaction.id, 1_501), RpcRemoteError);
    expect({ status: refusal.status, code: refusal.code }).toEqual({
      status: 409,
      code: 'refund_exceeds_remaining',
    });
    expect(refusal.message).toContain('1500 usd is left');
    const refunds = await stripeRefundsOf(defined(transaction.stripeChargeId));
    expect(refunds.map((r) => r.amount)).toEqual([500]);
  });

  it('ten concurrent partial refunds never exceed the charge', async () => {
    const customer = await newCustomer();
    const transaction = await paid(customer, 5_000);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => refund(transaction.id, 1_000)),
    );
    const made = results.filter((result) => result.status === 'fulfilled');
    const refused = results.flatMap((result) =>
      result.status === 'rejected' ? [result.reason as RpcRemoteError] : [],
    );
    expect(made).toHaveLength(5);
    expect(refused.map((error) => error.code)).toEqual(Array(5).fill('refund_exceeds_remaining'));
    const atStripe = await stripeRefundsOf(defined(transaction.stripeChargeId));
    expect(atStripe.reduce((sum, r) => sum + r.amount, 0)).toBe(5_000);
    expect(await stripe.charges.retrieve(defined(transaction.stripeChargeId))).toMatchObject({
      amount_refunded: 5_000,
      refunded: true,
    });
  });

  it('ten concurrent full refunds make exactly one', async () => {
    const customer = await newCustomer();
    const transaction = await paid(customer, 3_300);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => refund(transaction.id)),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const atStripe = await stripeRefundsOf(defined(transaction.stripeChargeId));
    expect(atStripe.map((r) => r.amount)).toEqual([3_300]);
  });

  it('mirrors a refund made at Stripe and counts it against what is left', async () => {
    const customer = await newCustomer();
    const transaction = await paid(customer, 4_000);
    const outside = await stripe.refunds.create({
      charge: defined(transaction.stripeChargeId),
      amount: 1_200,
    });
    await deliverNewEvents();
    const after = await transactionNow(transaction.id);
    expect(after.refunds).toEqual([
      expect.objectContaining({ stripeRefundId: outside.id, origin: 'stripe', amount: 1_200 }),
    ]);
    expect(after.amountRefundable).toBe(2_800);
    const refusal = await rejectionOf(refund(transaction.id, 2_801), RpcRemoteError);
    expect(refusal.code).toBe('refund_exceeds_remaining');
    // Redelivered under the same ids, the refund events change nothing.
    const before = await harness.dataSource.query<unknown[]>(
      `SELECT * FROM "billing"."refunds" ORDER BY 1`,
    );
    const events = (await harness.allEvents()).filter((event) => event.type.includes('refund'));
    await harness.deliver(events);
    expect(await harness.dataSource.query(`SELECT * FROM "billing"."refunds" ORDER BY 1`)).toEqual(
      before,
    );
  });

  it('records a manual transaction, which cannot be refunded through Stripe', async () => {
    const customer = await newCustomer();
    const { transaction } = await harness.rpc.call(BILLING_TRANSACTION_RECORD_V1, {
      customerId: customer.id,
      amount: 12_345,
      currency: 'eur',
      description: 'Wire transfer for the March report',
    });
    expect(transaction).toMatchObject({
      source: 'manual',
      status: 'succeeded',
      amount: 12_345,
      currency: 'eur',
      customerId: customer.id,
      stripeChargeId: null,
      amountRefundable: 0,
    });
    const refusal = await rejectionOf(refund(transaction.id), RpcRemoteError);
    expect({ status: refusal.status, code: refusal.code }).toEqual({
      status: 409,
      code: 'not_refundable',
    });
    const unknown = await rejectionOf(
      harness.rpc.call(BILLING_TRANSACTION_RECORD_V1, {
        customerId: 'cust_nobody_here',
        amount: 1,
        currency: 'usd',
        description: 'x',
      }),
      RpcRemoteError,
    );
    expect(unknown.status).toBe(404);
  });

  it('lists the ledger by customer, status and date, newest first, each customer only its own', async () => {
    const customer = await newCustomer();
    const other = await newCustomer();
    const first = await paid(customer, 1_000);
    const second = await paid(customer, 2_000);
    await paid(other, 3_000);
    await refund(second.id, 100);
    await deliverNewEvents();
    const { transactions } = await harness.rpc.call(BILLING_TRANSACTION_LIST_V1, {
      customerId: customer.id,
      limit: 10,
    });
    // Newest first by when Stripe took the payment (whole seconds), then by id.
    expect(transactions.map((t) => t.id).sort()).toEqual([first.id, second.id].sort());
    const times = transactions.map((t) => Date.parse(t.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const partly = await harness.rpc.call(BILLING_TRANSACTION_LIST_V1, {
      customerId: customer.id,
      status: 'partially_refunded',
      limit: 10,
    });
    expect(partly.transactions.map((t) => t.id)).toEqual([second.id]);
    const today = new Date().toISOString().slice(0, 10);
    const dated = await harness.rpc.call(BILLING_TRANSACTION_LIST_V1, {
      customerId: customer.id,
      startDate: today,
      endDate: today,
      limit: 1,
    });
    expect(dated.hasMore).toBe(true);
    expect(dated.transactions.map((t) => t.id)).toEqual([defined(transactions[0]).id]);
    const none = await harness.rpc.call(BILLING_TRANSACTION_LIST_V1, {
      customerId: customer.id,
      endDate: '2000-01-01',
      limit: 10,
    });
    expect(none.transactions).toEqual([]);
    const hidden = await rejectionOf(
      harness.rpc.call(BILLING_TRANSACTION_GET_V1, {
        transactionId: first.id,
        customerId: other.id,
      }),
      RpcRemoteError,
    );
    expect(hidden.status).toBe(404);
    const refunds = await harness.rpc.call(BILLING_REFUND_LIST_V1, {
      customerId: customer.id,
      limit: 10,
    });
    expect(refunds.refunds.map((r) => [r.transactionId, r.amount])).toEqual([[second.id, 100]]);
  });

  it('follows a refund Stripe fails after it succeeded: failed, and its money refundable again', async () => {
    const customer = await newCustomer();
    const card = await stripe.paymentMethods.create({
      type: 'card',
      card: { number: '4000000000005126', exp_month: 12, exp_year: 2040, cvc: '123' },
    });
    await stripe.paymentMethods.attach(card.id, { customer: customer.stripeId });
    const intent = await stripe.paymentIntents.create({
      amount: 2_500,
      currency: 'usd',
      customer: customer.stripeId,
      payment_method: card.id,
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      confirm: true,
    });
    await deliverNewEvents();
    const [row] = await harness.dataSource.query<{ transaction_id: string }[]>(
      `SELECT "transaction_id" FROM "billing"."billing_transactions" WHERE "stripe_payment_intent_id" = $1`,
      [intent.id],
    );
    const transactionId = defined(row).transaction_id;
    const made = await refund(transactionId, 1_000);
    expect(made.refund.status).toBe('succeeded');
    await waitFor(
      () => stripe.refunds.retrieve(defined(made.refund.stripeRefundId)),
      (current) => current.status === 'failed',
      { what: 'the sandbox to fail the refund' },
    );
    await deliverNewEvents();
    const after = await transactionNow(transactionId);
    expect(after).toMatchObject({
      status: 'succeeded',
      amountRefunded: 0,
      amountRefundable: 2_500,
    });
    expect(after.refunds).toEqual([
      expect.objectContaining({
        id: made.refund.id,
        status: 'failed',
        failureReason: 'expired_or_canceled_card',
      }),
    ]);
    const failedEvents = (await harness.allEvents())
      .filter((event) => event.type === 'refund.failed')
      .map((event) => event.id);
    expect(failedEvents).toHaveLength(1);
    await harness.waitUntilPublished();
    expect(
      harness.receipts
        .filter((receipt) => failedEvents.includes(receipt.eventId))
        .map((receipt) => receipt.outcome),
    ).toEqual([expect.stringMatching(/^(applied|refetched)$/)]);
  });

  it('names the product of the checkout a payment came from, and its checkout session', async () => {
    const customer = await newCustomer();
    const productId = `report_${run}_${Date.now().toString(36)}`;
    await harness.rpc.call(BILLING_PRODUCT_CREATE_V1, {
      productId,
      name: 'GEOINT report',
      pricingType: 'outcome',
      currency: 'usd',
      unitAmountDecimal: '99900',
    });
    const { checkout } = await harness.rpc.call(BILLING_CHECKOUT_CREATE_V1, {
      customerId: customer.id,
      mode: 'payment',
      productId,
      successUrl: 'https://shop.example/done?session_id={CHECKOUT_SESSION_ID}',
      cancelUrl: 'https://shop.example/cart',
    });
    const paidPage = await fetch(defined(checkout.url, 'the hosted page'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        email: 'buyer@example.com',
        name: 'Ada Buyer',
        card_number: '4242 4242 4242 4242',
        card_expiry: '12 / 34',
        card_cvc: '123',
      }).toString(),
      redirect: 'manual',
    });
    expect(paidPage.status).toBe(303);
    await deliverNewEvents();
    const [row] = await harness.dataSource.query<{ transaction_id: string }[]>(
      `SELECT "transaction_id" FROM "billing"."billing_transactions" WHERE "stripe_checkout_session_id" = $1`,
      [checkout.stripeCheckoutSessionId],
    );
    const transaction = await transactionNow(defined(row).transaction_id);
    expect(transaction).toMatchObject({
      status: 'succeeded',
      amount: 99_900,
      productId,
      planId: null,
      checkoutSessionId: checkout.stripeCheckoutSessionId,
    });
  });

  it('a refund Stripe refuses releases its reservation: 502, failed with Stripe’s reason, nothing held', async () => {
    const customer = await newCustomer();
    const intent = await stripe.paymentIntents.create({
      amount: 1_800,
      currency: 'usd',
      customer: customer.stripeId,
      payment_method: 'pm_card_createDispute',
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      confirm: true,
    });
    const chargeId = defined(idOfCharge(intent));
    await waitFor(
      () => stripe.disputes.list({ charge: chargeId }),
      (disputes) => disputes.data.length === 1,
      { what: 'the dispute to open' },
    );
    await deliverNewEvents();
    const [row] = await harness.dataSource.query<{ transaction_id: string }[]>(
      `SELECT "transaction_id" FROM "billing"."billing_transactions" WHERE "stripe_charge_id" = $1`,
      [chargeId],
    );
    const transactionId = defined(row).transaction_id;
    const refusal = await rejectionOf(refund(transactionId, 500), RpcRemoteError);
    expect({ status: refusal.status, code: refusal.code }).toEqual({
      status: 502,
      code: 'stripe_refused',
    });
    const after = await transactionNow(transactionId);
    expect(after.amountRefundable).toBe(1_800);
    expect(after.refunds).toEqual([
      expect.objectContaining({
        amount: 500,
        status: 'failed',
        stripeRefundId: null,
        failureReason: expect.stringContaining('charge_disputed') as unknown,
      }),
    ]);
    expect((await stripeRefundsOf(chargeId)).length).toBe(0);
  });

  it('a reservation Stripe answered before billing recorded it is settled once, never doubled', async () => {
    const customer = await newCustomer();
    const transaction = await paid(customer, 6_000);
    const chargeId = defined(transaction.stripeChargeId);
    const refundId = `rf_crashed_${run}`;
    // As if billing reserved the refund, Stripe made it, and billing crashed before recording it.
    await harness.dataSource.query(
      `INSERT INTO "billing"."refunds" ("refund_id", "transaction_id", "customer_id", "origin",
         "amount_cents", "currency", "status", "created_at", "updated_at")
       VALUES ($1, $2, $3, 'aegis', 2000, 'usd', 'pending', now() - interval '1 minute', now() - interval '1 minute')`,
      [refundId, transaction.id, customer.id],
    );
    const madeBeforeCrash = await stripe.refunds.create(
      {
        charge: chargeId,
        amount: 2_000,
        metadata: {
          aegis_transaction_id: transaction.id,
          aegis_customer_id: customer.id,
          aegis_refund_id: refundId,
        },
      },
      { idempotencyKey: `aegis-refund-${refundId}` },
    );
    // While it is reserved, it counts against what is left.
    expect((await transactionNow(transaction.id)).amountRefundable).toBe(4_000);
    await waitFor(
      () =>
        harness.dataSource.query<{ stripe_refund_id: string | null; status: string }[]>(
          `SELECT "stripe_refund_id", "status" FROM "billing"."refunds" WHERE "refund_id" = $1`,
          [refundId],
        ),
      (rows) => rows[0]?.stripe_refund_id != null,
      { what: 'the resumer to settle the reserved refund', timeoutMs: 20_000 },
    );
    const settled = await transactionNow(transaction.id);
    expect(settled.refunds).toEqual([
      expect.objectContaining({
        id: refundId,
        stripeRefundId: madeBeforeCrash.id,
        status: 'succeeded',
      }),
    ]);
    expect((await stripeRefundsOf(chargeId)).map((r) => r.id)).toEqual([madeBeforeCrash.id]);
  });

  it('a reservation that never reached Stripe (a crash before the call) is sent once by the resumer', async () => {
    const customer = await newCustomer();
    const transaction = await paid(customer, 2_200);
    const refundId = `rf_unsent_${run}`;
    await harness.dataSource.query(
      `INSERT INTO "billing"."refunds" ("refund_id", "transaction_id", "customer_id", "origin",
         "amount_cents", "currency", "reason", "status", "created_at", "updated_at")
       VALUES ($1, $2, $3, 'aegis', 700, 'usd', 'duplicate', 'pending', now() - interval '1 minute', now() - interval '1 minute')`,
      [refundId, transaction.id, customer.id],
    );
    await waitFor(
      () =>
        harness.dataSource.query<{ stripe_refund_id: string | null }[]>(
          `SELECT "stripe_refund_id" FROM "billing"."refunds" WHERE "refund_id" = $1`,
          [refundId],
        ),
      (rows) => rows[0]?.stripe_refund_id != null,
      { what: 'the resumer to send the reserved refund', timeoutMs: 20_000 },
    );
    const atStripe = await stripeRefundsOf(defined(transaction.stripeChargeId));
    expect(atStripe.map((r) => [r.amount, r.reason, r.metadata?.aegis_refund_id])).toEqual([
      [700, 'duplicate', refundId],
    ]);
    // Later passes find nothing left to send: still one refund at Stripe.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(await stripeRefundsOf(defined(transaction.stripeChargeId))).toHaveLength(1);
    expect((await transactionNow(transaction.id)).refunds).toEqual([
      expect.objectContaining({ id: refundId, status: 'succeeded', amount: 700 }),
    ]);
  });

  it('a refund with Stripe stopped: 503 stripe_unavailable, kept reserved (holding its amount, never sent); back, the resumer sends it once under its own key', async () => {
    // From here on the sandbox keeps its state in a database (persistentSandboxEnv).
    const sandboxEnv = await persistentSandboxEnv();
    const { database } = persisted();
    const customer = await newCustomer();
    const transaction = await paid(customer, 3_000);
    const chargeId = defined(transaction.stripeChargeId);
    expect(transaction).toMatchObject({ status: 'succeeded', amountRefundable: 3_000 });

    // Stripe stops: nothing listens on its port.
    await persisted().process.stop();
    const refusal = await rejectionOf(refund(transaction.id, 1_200), RpcRemoteError);
    expect({ status: refusal.status, code: refusal.code }).toEqual({
      status: 503,
      code: 'stripe_unavailable',
    });
    expect(refusal.message).toMatch(/^Stripe is unavailable/);
    // Not known whether Stripe got it (here: it did not): the reservation stays pending, without
    // a Stripe id, and keeps holding its amount, so no other refund can take it meanwhile.
    const held = await transactionNow(transaction.id);
    expect(held).toMatchObject({ status: 'succeeded', amountRefunded: 0, amountRefundable: 1_800 });
    expect(held.refunds).toEqual([
      expect.objectContaining({
        amount: 1_200,
        status: 'pending',
        stripeRefundId: null,
        reason: 'requested_by_customer',
        origin: 'aegis',
      }),
    ]);
    const refundId = defined(held.refunds[0]).id;
    const over = await rejectionOf(refund(transaction.id, 1_801), RpcRemoteError);
    expect(over.code).toBe('refund_exceeds_remaining');

    // Stripe is back, with the charge and no refund of it.
    persistedSandbox = {
      process: await startServiceProcess('stripe-sandbox', sandboxEnv),
      database,
    };
    expect(await stripeRefundsOf(chargeId)).toEqual([]);
    // As if the reservation's grace period (UNSENT_GRACE_MS, 30 s) had passed.
    await harness.dataSource.query(
      `UPDATE "billing"."refunds" SET "updated_at" = now() - interval '1 minute' WHERE "refund_id" = $1`,
      [refundId],
    );
    await waitFor(
      () =>
        harness.dataSource.query<{ stripe_refund_id: string | null }[]>(
          `SELECT "stripe_refund_id" FROM "billing"."refunds" WHERE "refund_id" = $1`,
          [refundId],
        ),
      (rows) => rows[0]?.stripe_refund_id != null,
      { what: 'the resumer to send the reserved refund', timeoutMs: 20_000 },
    );
    const atStripe = await stripeRefundsOf(chargeId);
    expect(atStripe.map((r) => [r.amount, r.reason, r.metadata?.aegis_refund_id])).toEqual([
      [1_200, 'requested_by_customer', refundId],
    ]);
    const created = (await harness.allEvents()).filter(
      (event) =>
        event.type === 'refund.created' && event.data.object.id === defined(atStripe[0]).id,
    );
    expect(created.map((event) => event.request?.idempotency_key)).toEqual([
      `aegis-refund-${refundId}`,
    ]);
    await deliverNewEvents();
    const after = await transactionNow(transaction.id);
    expect(after).toMatchObject({
      status: 'partially_refunded',
      amountRefunded: 1_200,
      amountRefundable: 1_800,
    });
    expect(after.refunds).toEqual([
      expect.objectContaining({
        id: refundId,
        status: 'succeeded',
        stripeRefundId: defined(atStripe[0]).id,
      }),
    ]);
    // Later passes of the resumer find nothing left to send: still one refund at Stripe.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(await stripeRefundsOf(chargeId)).toHaveLength(1);
  });

  it('a refund asked again under its requestKey is made once: a retry after a 503 reserves nothing more, sends it once Stripe is back, and the resumer sends nothing more', async () => {
    const sandboxEnv = await persistentSandboxEnv();
    const { database } = persisted();
    const customer = await newCustomer();
    const transaction = await paid(customer, 4_000);
    const chargeId = defined(transaction.stripeChargeId);
    const requestKey = `retry-${transaction.id}`;
    const keyed = (changes: { amount?: number; reason?: 'duplicate' } = {}) =>
      harness.rpc.call(BILLING_REFUND_CREATE_V1, {
        transactionId: transaction.id,
        amount: 1_000,
        reason: 'requested_by_customer',
        requestKey,
        ...changes,
      });
    const rowsOf = () =>
      harness.dataSource.query<
        {
          refund_id: string;
          status: string;
          stripe_refund_id: string | null;
          request_key: string | null;
          sending_since: Date | null;
        }[]
      >(
        `SELECT "refund_id", "status", "stripe_refund_id", "request_key", "sending_since"
           FROM "billing"."refunds" WHERE "transaction_id" = $1 ORDER BY "created_at", "refund_id"`,
        [transaction.id],
      );

    // Stripe stops: the first request is reserved and answered 503.
    await persisted().process.stop();
    const first = await rejectionOf(keyed(), RpcRemoteError);
    expect({ status: first.status, code: first.code }).toEqual({
      status: 503,
      code: 'stripe_unavailable',
    });
    const [reserved, ...noMore] = await rowsOf();
    expect(noMore).toEqual([]);
    // Kept under its key, pending, no Stripe id, and no longer being sent (that send has ended).
    expect(reserved).toMatchObject({
      status: 'pending',
      stripe_refund_id: null,
      request_key: requestKey,
      sending_since: null,
    });
    const refundId = defined(reserved).refund_id;

    // Asked again under the key while Stripe is still away: sent again, 503 again, still one refund.
    const second = await rejectionOf(keyed(), RpcRemoteError);
    expect({ status: second.status, code: second.code }).toEqual({
      status: 503,
      code: 'stripe_unavailable',
    });
    expect((await rowsOf()).map((row) => [row.refund_id, row.status, row.request_key])).toEqual([
      [refundId, 'pending', requestKey],
    ]);
    // Held once, not twice.
    expect((await transactionNow(transaction.id)).amountRefundable).toBe(3_000);

    // The same key with another amount or reason is another request: 422 naming the field.
    const otherAmount = await rejectionOf(keyed({ amount: 1_500 }), RpcRemoteError);
    expect({ status: otherAmount.status, code: otherAmount.code }).toEqual({
      status: 422,
      code: 'idempotency_key_reused',
    });
    expect(otherAmount.fields.map((f) => f.field)).toEqual(['amount']);
    expect(otherAmount.message).toContain(refundId);
    const otherReason = await rejectionOf(keyed({ reason: 'duplicate' }), RpcRemoteError);
    expect({ status: otherReason.status, code: otherReason.code }).toEqual({
      status: 422,
      code: 'idempotency_key_reused',
    });
    expect(otherReason.fields.map((f) => f.field)).toEqual(['reason']);
    expect(await rowsOf()).toHaveLength(1);

    // Stripe is back: asked again under the key, the reserved refund is sent and made.
    persistedSandbox = {
      process: await startServiceProcess('stripe-sandbox', sandboxEnv),
      database,
    };
    const made = await keyed();
    expect(made.refund).toMatchObject({
      id: refundId,
      amount: 1_000,
      status: 'succeeded',
      reason: 'requested_by_customer',
    });
    expect(made.transaction.amountRefundable).toBe(3_000);
    const atStripe = await stripeRefundsOf(chargeId);
    expect(atStripe.map((r) => [r.id, r.amount, r.metadata?.aegis_refund_id])).toEqual([
      [made.refund.stripeRefundId, 1_000, refundId],
    ]);
    const created = (await harness.allEvents()).filter(
      (event) =>
        event.type === 'refund.created' && event.data.object.id === made.refund.stripeRefundId,
    );
    expect(created.map((event) => event.request?.idempotency_key)).toEqual([
      `aegis-refund-${refundId}`,
    ]);
    expect(await rowsOf()).toEqual([
      expect.objectContaining({
        refund_id: refundId,
        status: 'succeeded',
        stripe_refund_id: made.refund.stripeRefundId,
        sending_since: null,
      }),
    ]);

    // Asked once more: that refund, as it is; nothing more at Stripe.
    const again = await keyed();
    expect(again.refund).toMatchObject({
      id: refundId,
      stripeRefundId: made.refund.stripeRefundId,
      status: 'succeeded',
    });

    // The resumer afterwards: our refund aged past its grace period, and beside it a reservation
    // that never reached Stripe; once a pass has sent that one, ours was not sent again.
    const sentinelId = `rf_keyed_sentinel_${run}`;
    await harness.dataSource.query(
      `UPDATE "billing"."refunds" SET "updated_at" = now() - interval '1 minute' WHERE "refund_id" = $1`,
      [refundId],
    );
    await harness.dataSource.query(
      `INSERT INTO "billing"."refunds" ("refund_id", "transaction_id", "customer_id", "origin",
         "amount_cents", "currency", "status", "created_at", "updated_at")
       VALUES ($1, $2, $3, 'aegis', 500, 'usd', 'pending', now() - interval '1 minute', now() - interval '1 minute')`,
      [sentinelId, transaction.id, customer.id],
    );
    await waitFor(
      () =>
        harness.dataSource.query<{ stripe_refund_id: string | null }[]>(
          `SELECT "stripe_refund_id" FROM "billing"."refunds" WHERE "refund_id" = $1`,
          [sentinelId],
        ),
      (rows) => rows[0]?.stripe_refund_id != null,
      { what: 'a pass of the resumer', timeoutMs: 20_000 },
    );
    const afterPass = await stripeRefundsOf(chargeId);
    expect(afterPass.map((r) => [r.amount, r.metadata?.aegis_refund_id]).sort()).toEqual([
      [1_000, refundId],
      [500, sentinelId],
    ]);
    expect((await rowsOf()).filter((row) => row.request_key === requestKey)).toEqual([
      expect.objectContaining({
        refund_id: refundId,
        stripe_refund_id: made.refund.stripeRefundId,
      }),
    ]);
  });
});
