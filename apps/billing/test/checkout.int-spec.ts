import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BILLING_CHECKOUT_CREATE_V1,
  BILLING_CHECKOUT_GET_V1,
  BILLING_CHECKOUT_PUBLIC_VIEW_V1,
  BILLING_CUSTOMER_GET_OR_CREATE_V1,
  BILLING_PRICING_LIST_V1,
  BILLING_PRICING_SET_V1,
  BILLING_PRODUCT_ARCHIVE_V1,
  BILLING_PRODUCT_CREATE_V1,
  SUBSCRIPTIONS_CREATE_V1,
  SUBSCRIPTIONS_LIVE_V1,
  SUBSCRIPTIONS_PLAN_LIST_V1,
  type CheckoutSessionV1,
  type CreateCheckoutRequestV1,
  type PlanV1,
} from '@aegis/contracts';
import { RpcRemoteError } from '@aegis/messaging';
import {
  defined,
  rejectionOf,
  startServiceProcess,
  waitFor,
  type ServiceProcess,
} from '@aegis/testing';
import type Stripe from 'stripe';
import { BillingHarness } from './billing-harness.js';

const SUCCESS_URL = 'https://shop.example/done?session_id={CHECKOUT_SESSION_ID}';
const CANCEL_URL = 'https://shop.example/cart';

/** The form the sandbox's hosted page posts, filled in as a person would. */
function cardForm(cardNumber: string): URLSearchParams {
  return new URLSearchParams({
    email: 'buyer@example.com',
    name: 'Ada Buyer',
    card_number: cardNumber,
    card_expiry: '12 / 34',
    card_cvc: '123',
  });
}

describe('checkouts through Stripe Checkout Sessions', () => {
  let harness: BillingHarness;
  let stripe: Stripe;
  /** The subscriptions service: its plans, and the live subscription a plan checkout must not double. */
  let subscriptions: ServiceProcess;
  const run = Date.now().toString(36);
  const report = `report_${run}`;
  const calls = `calls_${run}`;
  const seats = `seats_${run}`;
  const archived = `gone_${run}`;
  let customerId: string;
  let stripeCustomerId: string;
  let seatsPriceId: string;

  const create = (request: Partial<CreateCheckoutRequestV1>) =>
    harness.rpc.call(BILLING_CHECKOUT_CREATE_V1, {
      customerId,
      mode: 'payment',
      successUrl: SUCCESS_URL,
      cancelUrl: CANCEL_URL,
      ...request,
    });

  const checkoutNow = async (id: string): Promise<CheckoutSessionV1> =>
    (await harness.rpc.call(BILLING_CHECKOUT_GET_V1, { checkoutId: id })).checkout;

  const rowCount = async (): Promise<number> => {
    const [row] = await harness.dataSource.query<{ count: string }[]>(
      `SELECT count(*) AS count FROM "billing"."checkout_sessions"`,
    );
    return Number(row?.count);
  };

  /** Delivers every sandbox event not delivered yet, in order, as webhook-ingest would. */
  const delivered = new Set<string>();
  const deliverNewEvents = async (): Promise<Stripe.Event[]> => {
    const fresh = (await harness.allEvents()).filter((event) => !delivered.has(event.id));
    for (const event of fresh) delivered.add(event.id);
    await harness.deliverInOrder(fresh);
    return fresh;
  };

  /** Posts the card form to the session's hosted page, not following its redirect. */
  const pay = (checkout: CheckoutSessionV1, cardNumber: string): Promise<Response> =>
    fetch(defined(checkout.url, 'the hosted page'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: cardForm(cardNumber).toString(),
      redirect: 'manual',
    });

  beforeAll(async () => {
    harness = await BillingHarness.start();
    stripe = harness.stripe;
    const product = (productId: string, pricingType: 'outcome' | 'usage', amount: string) =>
      harness.rpc.call(BILLING_PRODUCT_CREATE_V1, {
        productId,
        name: `${productId} (the name shown)`,
        pricingType,
        currency: 'usd',
        unitAmountDecimal: amount,
      });
    await product(report, 'outcome', '99900');
    await product(calls, 'usage', '10');
    await product(seats, 'outcome', '1000');
    await product(archived, 'outcome', '500');
    await harness.rpc.call(BILLING_PRODUCT_ARCHIVE_V1, { productId: archived });
    const { version } = await harness.rpc.call(BILLING_PRICING_SET_V1, {
      productId: seats,
      pricing: {
        model: 'graduated',
        tiers: [
          { upTo: 5, unitAmountDecimal: '1000', flatAmount: 0 },
          { upTo: null, unitAmountDecimal: '800', flatAmount: 0 },
        ],
      },
    });
    seatsPriceId = defined(version.stripePriceId, 'the Stripe Price');
    customerId = `cust_chk_${run}`;
    const { customer } = await harness.rpc.call(BILLING_CUSTOMER_GET_OR_CREATE_V1, {
      customerId,
      email: `${customerId}@example.com`,
    });
    stripeCustomerId = customer.stripeCustomerId;
    // Its plans are made at Stripe as it starts.
    subscriptions = await startServiceProcess('subscriptions', {});
    // Whatever the set-up made at Stripe, delivered before the tests start.
    await deliverNewEvents();
  }, 120_000);

  afterAll(async () => {
    await subscriptions.stop();
    await harness.stop();
  });

  it('makes a Stripe Checkout Session of the outcome product’s price in force, for the customer, keyed by our id', async () => {
    const { checkout } = await create({ productId: report, quantity: 2 });
    expect(checkout).toMatchObject({
      customerId,
      mode: 'payment',
      productId: report,
      planId: null,
      name: `${report} (the name shown)`,
      quantity: 2,
      amountTotal: 199_800,
      currency: 'usd',
      status: 'open',
      successUrl: SUCCESS_URL,
      cancelUrl: CANCEL_URL,
      transactionId: null,
    });
    expect(checkout.id).toMatch(/^chk_/);
    expect(checkout.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/checkout\/pay\/cs_test_/);
    expect(new Date(checkout.expiresAt).getTime()).toBeGreaterThan(Date.now() + 3_600_000);

    const session = await stripe.checkout.sessions.retrieve(checkout.stripeCheckoutSessionId, {
      expand: ['line_items'],
    });
    expect(session.customer).toBe(stripeCustomerId);
    expect(session.metadata).toMatchObject({
      aegis_checkout_id: checkout.id,
      aegis_customer_id: customerId,
    });
    expect(session.client_reference_id).toBe(checkout.id);
    expect(session.success_url).toBe(SUCCESS_URL);
    const [line] = defined(session.line_items, 'line items').data;
    expect(line?.price?.id).toBe(checkout.stripePriceId);
    expect(line?.quantity).toBe(2);
    expect(session.amount_total).toBe(199_800);
  });

  it('a session paid with 4242 on the hosted page is paid here, with its succeeded transaction', async () => {
    const { checkout } = await create({ productId: report, quantity: 1 });
    const answer = await pay(checkout, '4242 4242 4242 4242');
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe(
      `https://shop.example/done?session_id=${checkout.stripeCheckoutSessionId}`,
    );
    // Before the webhook: still open, as the success page will say ("processing").
    expect((await checkoutNow(checkout.id)).status).toBe('open');

    const events = await deliverNewEvents();
    expect(events.map((event) => event.type)).toContain('checkout.session.completed');
    const paid = await checkoutNow(checkout.id);
    expect(paid).toMatchObject({ status: 'paid', url: null, transactionStatus: 'succeeded' });
    expect(paid.stripePaymentIntentId).toMatch(/^pi_/);
    expect(paid.completedAt).not.toBeNull();
    const [ledger] = await harness.dataSource.query<
      { transaction_id: string; amount_cents: string; customer_id: string }[]
    >(
      `SELECT "transaction_id", "amount_cents", "customer_id" FROM "billing"."billing_transactions"
        WHERE "stripe_payment_intent_id" = $1`,
      [paid.stripePaymentIntentId],
    );
    expect(ledger).toEqual({
      transaction_id: paid.transactionId,
      amount_cents: '99900',
      customer_id: customerId,
    });

    const { view } = await harness.rpc.call(BILLING_CHECKOUT_PUBLIC_VIEW_V1, {
      stripeCheckoutSessionId: checkout.stripeCheckoutSessionId,
    });
    // What was bought and its status, and nothing else (no customer, no Stripe ids).
    expect(view).toEqual({
      mode: 'payment',
      name: `${report} (the name shown)`,
      quantity: 1,
      amountTotal: 99_900,
      currency: 'usd',
      status: 'paid',
    });
  });

  it('a redelivered or replayed completed event changes nothing', async () => {
    const { checkout } = await create({ productId: report });
    await pay(checkout, '4242424242424242');
    const events = await deliverNewEvents();
    const before = await checkoutNow(checkout.id);
    expect(before.status).toBe('paid');
    const completed = events.filter((event) => event.type.startsWith('checkout.session.'));
    expect(completed).toHaveLength(1);
    await harness.deliverInOrder(completed);
    await harness.deliverInOrder(completed, { replay: true });
    expect(await checkoutNow(checkout.id)).toEqual(before);
  });

  it('a declined card (…0002) leaves the session open and its attempt a failed transaction', async () => {
    const { checkout } = await create({ productId: report });
    const answer = await pay(checkout, '4000 0000 0000 0002');
    expect(answer.status).toBe(402);
    const events = await deliverNewEvents();
    expect(events.map((event) => event.type)).toContain('payment_intent.payment_failed');
    const after = await checkoutNow(checkout.id);
    expect(after.status).toBe('open');
    expect(after.url).toBe(checkout.url);
    expect(after.transactionStatus).toBe('failed');
    expect(after.transactionId).not.toBeNull();
  });

  it('an expired session is expired here, with no page left to pay', async () => {
    const { checkout } = await create({ productId: report });
    await stripe.checkout.sessions.expire(checkout.stripeCheckoutSessionId);
    const events = await deliverNewEvents();
    expect(events.map((event) => event.type)).toEqual(['checkout.session.expired']);
    expect(await checkoutNow(checkout.id)).toMatchObject({ status: 'expired', url: null });
    // An older event than the one applied (the session's creation time) is stale.
    const [expired] = events;
    const stale = { ...defined(expired, 'the event'), id: `${expired?.id}_old`, created: 1 };
    await harness.deliver([stale]);
    expect((await checkoutNow(checkout.id)).status).toBe('expired');
  });

  it('an async payment: processing once completed unpaid, failed on async_payment_failed, never back', async () => {
    const { checkout } = await create({ productId: report });
    const session = await stripe.checkout.sessions.retrieve(checkout.stripeCheckoutSessionId);
    const template = defined((await harness.allEvents()).at(-1), 'an event of the sandbox');
    const now = Math.floor(Date.now() / 1000);
    /** An event as Stripe would send it for a bank debit, which the sandbox's cards never make. */
    const eventOf = (type: string, created: number): Stripe.Event =>
      ({
        ...template,
        id: `evt_async_${type.split('.').at(-1) ?? ''}_${created}_${run}`,
        type,
        created,
        data: {
          object: { ...session, status: 'complete', payment_status: 'unpaid', url: null },
        },
      }) as unknown as Stripe.Event;

    await harness.deliver([eventOf('checkout.session.completed', now + 10)]);
    expect(await checkoutNow(checkout.id)).toMatchObject({ status: 'processing', url: null });
    await harness.deliver([eventOf('checkout.session.async_payment_failed', now + 20)]);
    expect((await checkoutNow(checkout.id)).status).toBe('payment_failed');
    // A late completed event, newer by its stamp, does not undo the failure.
    await harness.deliver([eventOf('checkout.session.completed', now + 30)]);
    expect((await checkoutNow(checkout.id)).status).toBe('payment_failed');
    // The lifecycle handler reports what became of the event, as every Stripe event's consumer does.
    const failedId = `evt_async_async_payment_failed_${now + 20}_${run}`;
    const receipts = await waitFor(
      () => Promise.resolve(harness.receipts.filter((applied) => applied.eventId === failedId)),
      (found) => found.length > 0,
      { what: 'the receipt of async_payment_failed' },
    );
    expect(receipts.map((applied) => [applied.service, applied.outcome])).toEqual([
      ['billing', 'applied'],
    ]);
  });

  it('subscribes to a recurring price of the catalogue, by its product or its price id', async () => {
    const byProduct = (await create({ mode: 'subscription', planId: seats, quantity: 3 })).checkout;
    expect(byProduct).toMatchObject({
      mode: 'subscription',
      planId: seats,
      productId: null,
      stripePriceId: seatsPriceId,
      quantity: 3,
      amountTotal: 3000,
    });
    const byPrice = (await create({ mode: 'subscription', planId: seatsPriceId })).checkout;
    expect(byPrice).toMatchObject({ planId: seatsPriceId, stripePriceId: seatsPriceId });

    const answer = await pay(byProduct, '4242424242424242');
    expect(answer.status).toBe(303);
    await deliverNewEvents();
    const paid = await checkoutNow(byProduct.id);
    expect(paid.status).toBe('paid');
    expect(paid.stripeSubscriptionId).toMatch(/^sub_/);
    const subscription = await stripe.subscriptions.retrieve(
      defined(paid.stripeSubscriptionId, 'subscription'),
    );
    expect(subscription.metadata).toMatchObject({ aegis_checkout_id: byProduct.id });
    expect(subscription.items.data[0]?.price.id).toBe(seatsPriceId);
  });

  it('refuses what it cannot sell, naming the field, and writes nothing', async () => {
    const before = await rowCount();
    const refusal = async (request: Partial<CreateCheckoutRequestV1>) =>
      rejectionOf(create(request), RpcRemoteError);

    expect(await refusal({ customerId: `cust_nobody_${run}`, productId: report })).toMatchObject({
      code: 'customer_not_found',
      status: 404,
    });
    expect(await refusal({ productId: `nothing_${run}` })).toMatchObject({
      code: 'product_not_found',
      status: 404,
    });
    expect(await refusal({ productId: archived })).toMatchObject({
      code: 'product_archived',
      status: 409,
    });
    const usage = await refusal({ productId: calls });
    expect(usage).toMatchObject({ code: 'invalid_checkout', status: 400 });
    expect(usage.fields.map((fault) => fault.field)).toEqual(['product_id']);
    const neither = await refusal({});
    expect(neither.fields.map((fault) => fault.field)).toEqual(['product_id']);
    const both = await refusal({ mode: 'subscription', productId: report });
    expect(both.fields.map((fault) => fault.field).sort()).toEqual(['plan_id', 'product_id']);
    const oneTime = await refusal({ mode: 'subscription', planId: report });
    expect(oneTime).toMatchObject({ code: 'invalid_checkout', status: 400 });
    expect(oneTime.fields.map((fault) => fault.field)).toEqual(['plan_id']);
    expect(await refusal({ mode: 'subscription', planId: `nothing_${run}` })).toMatchObject({
      code: 'plan_not_found',
      status: 404,
    });
    expect(await refusal({ mode: 'subscription', planId: 'price_unknown' })).toMatchObject({
      code: 'plan_not_found',
      status: 404,
    });
    expect(
      await rejectionOf(
        harness.rpc.call(BILLING_CHECKOUT_GET_V1, { checkoutId: 'chk_AAAAAAAAAAAAAAAA' }),
        RpcRemoteError,
      ),
    ).toMatchObject({ code: 'checkout_not_found', status: 404 });
    expect(await rowCount()).toBe(before);
  });

  it('a Stripe refusal is stripe_refused (502) and writes nothing', async () => {
    const productId = `inactive_${run}`;
    await harness.rpc.call(BILLING_PRODUCT_CREATE_V1, {
      productId,
      name: 'Deactivated at Stripe',
      pricingType: 'outcome',
      currency: 'usd',
      unitAmountDecimal: '100',
    });
    const { versions } = await harness.rpc.call(BILLING_PRICING_LIST_V1, { productId });
    // Someone turned the Price off in Stripe's dashboard: Checkout refuses an inactive price.
    await stripe.prices.update(defined(versions[0]?.stripePriceId, 'the price'), {
      active: false,
    });
    const before = await rowCount();
    const refused = await rejectionOf(create({ productId }), RpcRemoteError);
    expect(refused).toMatchObject({ code: 'stripe_refused', status: 502 });
    expect(await rowCount()).toBe(before);
  });

  it('answers a customer’s caller only with that customer’s checkouts', async () => {
    const { checkout } = await create({ productId: report });
    const own = await harness.rpc.call(BILLING_CHECKOUT_GET_V1, {
      checkoutId: checkout.id,
      customerId,
    });
    expect(own.checkout.id).toBe(checkout.id);
    expect(
      await rejectionOf(
        harness.rpc.call(BILLING_CHECKOUT_GET_V1, {
          checkoutId: checkout.id,
          customerId: 'cust_someone_else',
        }),
        RpcRemoteError,
      ),
    ).toMatchObject({ code: 'checkout_not_found' });
    await waitFor(
      () => harness.deadLetterCount(),
      (count) => count === 0,
      { what: 'no dead letters' },
    );
  });

  describe('a plan of the subscriptions service', () => {
    let fresh = 0;
    const newCustomer = async (card: string | null = null): Promise<string> => {
      fresh += 1;
      const id = `cust_plan_${run}_${fresh}`;
      const { customer } = await harness.rpc.call(BILLING_CUSTOMER_GET_OR_CREATE_V1, {
        customerId: id,
        email: `${id}@example.com`,
      });
      if (card !== null) {
        const method = await stripe.paymentMethods.attach(card, {
          customer: customer.stripeCustomerId,
        });
        await stripe.customers.update(customer.stripeCustomerId, {
          invoice_settings: { default_payment_method: method.id },
        });
      }
      return id;
    };

    const juniorPlan = async (): Promise<PlanV1> =>
      defined(
        (await harness.rpc.call(SUBSCRIPTIONS_PLAN_LIST_V1, { planId: 'junior' })).plans[0],
        'the junior plan',
      );

    const priceOf = (plan: PlanV1, interval: 'monthly' | 'yearly'): string =>
      defined(
        plan.prices.find((price) => price.billingInterval === interval)?.stripePriceId,
        `the ${interval} price`,
      );

    it("sells the plan's Stripe Price for the interval, named so that the subscriptions mirror takes it as the plan", async () => {
      const buyer = await newCustomer();
      const junior = await juniorPlan();
      const { checkout } = await create({
        customerId: buyer,
        mode: 'subscription',
        planId: 'junior',
      });
      expect(checkout).toMatchObject({
        customerId: buyer,
        mode: 'subscription',
        planId: 'junior',
        billingInterval: 'monthly',
        productId: null,
        pricingVersionId: null,
        stripePriceId: priceOf(junior, 'monthly'),
        name: junior.name,
        quantity: 1,
        amountTotal: 99_900,
        currency: 'usd',
        status: 'open',
      });
      const session = await stripe.checkout.sessions.retrieve(checkout.stripeCheckoutSessionId, {
        expand: ['line_items'],
      });
      expect(session.metadata).toMatchObject({
        aegis_checkout_id: checkout.id,
        aegis_customer_id: buyer,
        aegis_plan_id: 'junior',
      });
      expect(session.line_items?.data[0]?.price?.id).toBe(priceOf(junior, 'monthly'));
      const yearly = (
        await create({
          customerId: buyer,
          mode: 'subscription',
          planId: 'junior',
          billingInterval: 'yearly',
        })
      ).checkout;
      expect(yearly).toMatchObject({
        billingInterval: 'yearly',
        stripePriceId: priceOf(junior, 'yearly'),
        amountTotal: 999_000,
      });

      expect((await pay(checkout, '4242424242424242')).status).toBe(303);
      await deliverNewEvents();
      const paid = await checkoutNow(checkout.id);
      expect(paid.status).toBe('paid');
      const made = await stripe.subscriptions.retrieve(
        defined(paid.stripeSubscriptionId, 'the subscription'),
      );
      expect(made.metadata).toMatchObject({
        aegis_checkout_id: checkout.id,
        aegis_customer_id: buyer,
        aegis_plan_id: 'junior',
      });
      expect(made.items.data[0]?.price.id).toBe(priceOf(junior, 'monthly'));
      // The subscriptions service's mirror took it (from the same events) as the buyer's junior plan.
      const live = await waitFor(
        () =>
          harness.rpc.call(SUBSCRIPTIONS_LIVE_V1, { customerId: buyer }).then(
            (reply) => reply.subscription,
            () => null,
          ),
        (found) => found !== null,
        { what: 'the subscriptions mirror to hold the checkout’s subscription' },
      );
      expect(live).toMatchObject({
        stripeSubscriptionId: made.id,
        planId: 'junior',
        billingInterval: 'monthly',
        customerId: buyer,
      });
      // Now it has one: another plan checkout is refused.
      const again = await rejectionOf(
        create({ customerId: buyer, mode: 'subscription', planId: 'analyst' }),
        RpcRemoteError,
      );
      expect(again).toMatchObject({ code: 'subscription_exists', status: 409 });
    });

    it('refuses a plan checkout for a customer with a live subscription (409), writing nothing', async () => {
      const subscriber = await newCustomer('pm_card_visa');
      const { subscription } = await harness.rpc.call(SUBSCRIPTIONS_CREATE_V1, {
        customerId: subscriber,
        planId: 'junior',
        billingInterval: 'monthly',
      });
      expect(subscription.status).toBe('active');
      const before = await rowCount();
      const refused = await rejectionOf(
        create({ customerId: subscriber, mode: 'subscription', planId: 'lead' }),
        RpcRemoteError,
      );
      expect(refused).toMatchObject({ code: 'subscription_exists', status: 409 });
      expect(refused.message).toContain(subscription.id);
      expect(await rowCount()).toBe(before);
    });

    it('refuses the principal plan (a custom price) and an interval without a plan, naming the field (400)', async () => {
      const buyer = await newCustomer();
      const before = await rowCount();
      const principal = await rejectionOf(
        create({ customerId: buyer, mode: 'subscription', planId: 'principal' }),
        RpcRemoteError,
      );
      expect(principal).toMatchObject({ code: 'invalid_checkout', status: 400 });
      expect(principal.fields.map((fault) => fault.field)).toEqual(['plan_id']);
      expect(principal.message).toContain('custom price');
      const catalogue = await rejectionOf(
        create({
          customerId: buyer,
          mode: 'subscription',
          planId: seats,
          billingInterval: 'yearly',
        }),
        RpcRemoteError,
      );
      expect(catalogue.fields.map((fault) => fault.field)).toEqual(['billing_interval']);
      const payment = await rejectionOf(
        create({ customerId: buyer, productId: report, billingInterval: 'monthly' }),
        RpcRemoteError,
      );
      expect(payment.fields.map((fault) => fault.field)).toEqual(['billing_interval']);
      expect(await rowCount()).toBe(before);
    });
  });
});
