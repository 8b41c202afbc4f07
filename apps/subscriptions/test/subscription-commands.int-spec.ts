import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BILLING_CUSTOMER_GET_OR_CREATE_V1,
  BILLING_PRODUCT_CREATE_V1,
  METERING_USAGE_RECORD_V1,
  SUBSCRIPTIONS_CANCEL_V1,
  SUBSCRIPTIONS_CHANGE_V1,
  SUBSCRIPTIONS_CREATE_V1,
  SUBSCRIPTIONS_ENTITLEMENTS_V1,
  SUBSCRIPTIONS_GET_V1,
  SUBSCRIPTIONS_LIVE_V1,
  SUBSCRIPTIONS_OVERAGE_TERMS_V1,
  SUBSCRIPTIONS_PAUSE_V1,
  SUBSCRIPTIONS_PLAN_LIST_V1,
  SUBSCRIPTIONS_RESUME_V1,
  type SubscriptionV1,
} from '@aegis/contracts';
import { AmqpRpcClient, RpcRemoteError, topologyNames } from '@aegis/messaging';
import type { RunningService } from '@aegis/platform';
import {
  baseAmqpUrl,
  createTestDatabase,
  createTestPrefix,
  defined,
  deleteServiceTopologies,
  publishStripeEvent,
  rejectionOf,
  sandboxStripe,
  startServiceProcess,
  startTestService,
  useTestEnvironment,
  waitFor,
  waitUntilReady,
  type ServiceProcess,
  type TestDatabase,
} from '@aegis/testing';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import type Stripe from 'stripe';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module.js';
import { PlansService } from '../src/plans/plans.service.js';

const RETRY_DELAYS_MS = [100, 200];

/**
 * The subscription commands against the real sandbox, billing (the customer
 * registry) and metering (hours): each goes to Stripe first and its answer is
 * what the mirror holds at once.
 */
describe('subscription commands through Stripe', () => {
  let sandbox: ServiceProcess;
  let billing: ServiceProcess;
  let metering: ServiceProcess;
  let database: TestDatabase;
  let service: RunningService;
  let dataSource: DataSource;
  let rpc: AmqpRpcClient;
  let stripe: Stripe;
  let broker: ChannelModel;
  let channel: ConfirmChannel;
  const prefix = createTestPrefix();
  let run = 0;

  beforeAll(async () => {
    sandbox = await startServiceProcess('stripe-sandbox', { SANDBOX_WEBHOOK_URL: 'off' });
    stripe = sandboxStripe(sandbox.port, 'sk_test_subscription_commands');
    database = await createTestDatabase();
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
    [billing, metering] = await Promise.all([
      startServiceProcess('billing', {}),
      startServiceProcess('metering', {}),
    ]);
    service = await startTestService(AppModule, 'subscriptions');
    dataSource = service.app.get(DataSource);
    rpc = service.app.get(AmqpRpcClient);
    await waitUntilReady(service.url, { what: 'subscriptions to be ready' });
    broker = await connect(baseAmqpUrl());
    channel = await broker.createConfirmChannel();
  });

  afterAll(async () => {
    await service.app.close();
    await broker.close();
    await Promise.all([billing.stop(), metering.stop()]);
    await deleteServiceTopologies(
      baseAmqpUrl(),
      ['subscriptions', 'billing', 'metering'].map((name) =>
        topologyNames(prefix, name, RETRY_DELAYS_MS),
      ),
    );
    await database.drop();
    await sandbox.stop();
  });

  const newCustomer = async (
    card: string | null = 'pm_card_visa',
  ): Promise<{ id: string; stripeId: string }> => {
    run += 1;
    const id = `cust_sub_${Date.now().toString(36)}_${run}`;
    const { customer } = await rpc.call(BILLING_CUSTOMER_GET_OR_CREATE_V1, {
      customerId: id,
      email: `${id}@example.com`,
    });
    if (card !== null) await setDefaultCard(customer.stripeCustomerId, card);
    return { id, stripeId: customer.stripeCustomerId };
  };

  const setDefaultCard = async (stripeCustomerId: string, card: string): Promise<void> => {
    const method = await stripe.paymentMethods.attach(card, { customer: stripeCustomerId });
    await stripe.customers.update(stripeCustomerId, {
      invoice_settings: { default_payment_method: method.id },
    });
  };

  const remoteError = (work: Promise<unknown>) => rejectionOf(work, RpcRemoteError);

  const rowOf = async (subscriptionId: string): Promise<Record<string, unknown>> => {
    const rows = await dataSource.query<Record<string, unknown>[]>(
      `SELECT * FROM "subscriptions"."subscriptions" WHERE "subscription_id" = $1`,
      [subscriptionId],
    );
    return defined(rows[0], `subscription ${subscriptionId}`);
  };

  /** What our reply says against what Stripe has now. */
  const expectSameAsStripe = async (subscription: SubscriptionV1): Promise<Stripe.Subscription> => {
    const atStripe = await stripe.subscriptions.retrieve(subscription.stripeSubscriptionId);
    const [item] = atStripe.items.data;
    expect(subscription).toMatchObject({
      status: atStripe.status,
      stripePriceId: item?.price.id,
      priceCents: item?.price.unit_amount,
      cancelAtPeriodEnd: atStripe.cancel_at_period_end,
      currentPeriodEnd: new Date(defined(item).current_period_end * 1000).toISOString(),
    });
    return atStripe;
  };

  it('lists the seed plans, made in Stripe once however often they are synced', async () => {
    const { plans } = await rpc.call(SUBSCRIPTIONS_PLAN_LIST_V1, {});
    expect(
      plans.map(({ id, priceCents, includedHours, custom }) => ({
        id,
        priceCents,
        includedHours,
        custom,
      })),
    ).toStrictEqual([
      { id: 'junior', priceCents: 99_900, includedHours: 40, custom: false },
      { id: 'analyst', priceCents: 199_900, includedHours: 80, custom: false },
      { id: 'lead', priceCents: 499_900, includedHours: 160, custom: false },
      { id: 'principal', priceCents: null, includedHours: null, custom: true },
    ]);
    const junior = defined(plans[0]);
    expect(junior.yearlyPriceCents).toBe(999_000);
    const monthly = defined(junior.prices.find((price) => price.billingInterval === 'monthly'));
    const price = await stripe.prices.retrieve(defined(monthly.stripePriceId));
    expect(price).toMatchObject({
      unit_amount: 99_900,
      currency: 'usd',
      recurring: expect.objectContaining({ interval: 'month' }),
      product: junior.stripeProductId,
    });

    await service.app.get(PlansService).sync();
    const products = await stripe.products.list({ limit: 100 }).autoPagingToArray({ limit: 1000 });
    expect(products.filter((product) => product.metadata.aegis_plan_id !== undefined)).toHaveLength(
      4,
    );
    const again = await rpc.call(SUBSCRIPTIONS_PLAN_LIST_V1, {});
    expect(again.plans).toStrictEqual(plans);
  });

  it('starts a subscription at Stripe and answers what Stripe made; a second one is 409', async () => {
    const customer = await newCustomer();
    const { subscription } = await rpc.call(SUBSCRIPTIONS_CREATE_V1, {
      customerId: customer.id,
      planId: 'junior',
      billingInterval: 'monthly',
    });
    expect(subscription).toMatchObject({
      customerId: customer.id,
      planId: 'junior',
      billingInterval: 'monthly',
      priceCents: 99_900,
      status: 'active',
      version: 1,
    });
    const atStripe = await expectSameAsStripe(subscription);
    expect(atStripe.metadata).toMatchObject({
      aegis_subscription_id: subscription.id,
      aegis_plan_id: 'junior',
      aegis_customer_id: customer.id,
    });
    const history = await dataSource.query<{ outcome: string; stripe_event_type: string }[]>(
      `SELECT "outcome", "stripe_event_type" FROM "subscriptions"."subscription_history" WHERE "subscription_id" = $1`,
      [subscription.id],
    );
    expect(history).toStrictEqual([
      { outcome: 'commanded', stripe_event_type: 'aegis.subscription.create' },
    ]);
    expect(
      (await rpc.call(SUBSCRIPTIONS_LIVE_V1, { customerId: customer.id })).subscription,
    ).toStrictEqual(subscription);

    const second = await remoteError(
      rpc.call(SUBSCRIPTIONS_CREATE_V1, {
        customerId: customer.id,
        planId: 'lead',
        billingInterval: 'yearly',
      }),
    );
    expect(second).toMatchObject({ code: 'subscription_exists', status: 409 });
    expect(await stripe.subscriptions.list({ customer: customer.stripeId })).toMatchObject({
      data: [expect.objectContaining({ id: subscription.stripeSubscriptionId })],
    });
  });

  it('makes exactly one subscription of ten concurrent starts for a customer', async () => {
    const customer = await newCustomer();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        rpc.call(SUBSCRIPTIONS_CREATE_V1, {
          customerId: customer.id,
          planId: 'analyst',
          billingInterval: 'monthly',
        }),
      ),
    );
    const made = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const refused = outcomes.flatMap((outcome) =>
      outcome.status === 'rejected' ? [outcome.reason as RpcRemoteError] : [],
    );
    expect(made).toHaveLength(1);
    expect(refused.map((error) => error.code)).toStrictEqual(
      Array.from({ length: 9 }, () => 'subscription_exists'),
    );
    const atStripe = await stripe.subscriptions.list({
      customer: customer.stripeId,
      status: 'all',
    });
    expect(atStripe.data).toHaveLength(1);
  });

  it('keeps nothing of a start whose first payment is declined, and starts once the card is good', async () => {
    const customer = await newCustomer('pm_card_chargeDeclined');
    const declined = await remoteError(
      rpc.call(SUBSCRIPTIONS_CREATE_V1, {
        customerId: customer.id,
        planId: 'junior',
        billingInterval: 'monthly',
      }),
    );
    expect(declined).toMatchObject({ code: 'stripe_refused', status: 502 });
    expect(declined.message).toContain('card_declined');
    const starts = await dataSource.query<unknown[]>(
      `SELECT 1 FROM "subscriptions"."subscription_starts" WHERE "customer_id" = $1`,
      [customer.id],
    );
    expect(starts).toHaveLength(0);
    expect(
      (await remoteError(rpc.call(SUBSCRIPTIONS_LIVE_V1, { customerId: customer.id }))).code,
    ).toBe('subscription_not_found');

    await setDefaultCard(customer.stripeId, 'pm_card_visa');
    const { subscription } = await rpc.call(SUBSCRIPTIONS_CREATE_V1, {
      customerId: customer.id,
      planId: 'junior',
      billingInterval: 'monthly',
    });
    expect(subscription.status).toBe('active');
  });

  it('finishes a start whose answer was lost, and releases one Stripe never made, once their lease has passed', async () => {
    const lost = await newCustomer();
    const lostStart = randomUUID();
    const plans = (await rpc.call(SUBSCRIPTIONS_PLAN_LIST_V1, { planId: 'junior' })).plans;
    const juniorMonthly = defined(
      defined(plans[0]).prices.find((price) => price.billingInterval === 'monthly')?.stripePriceId,
    );
    const insertStart = (startId: string, customerId: string) =>
      dataSource.query(
        `INSERT INTO "subscriptions"."subscription_starts"
           ("start_id", "customer_id", "plan_id", "billing_interval", "created_at")
         VALUES ($1, $2, 'junior', 'monthly', now() - interval '2 minutes')`,
        [startId, customerId],
      );
    // Stripe made it, then the process died before applying the answer.
    await insertStart(lostStart, lost.id);
    const made = await stripe.subscriptions.create(
      {
        customer: lost.stripeId,
        items: [{ price: juniorMonthly }],
        metadata: { aegis_subscription_id: lostStart, aegis_customer_id: lost.id },
      },
      { idempotencyKey: `aegis-subscription-create-${lostStart}` },
    );
    const refused = await remoteError(
      rpc.call(SUBSCRIPTIONS_CREATE_V1, {
        customerId: lost.id,
        planId: 'junior',
        billingInterval: 'monthly',
      }),
    );
    expect(refused.code).toBe('subscription_exists');
    const live = await rpc.call(SUBSCRIPTIONS_LIVE_V1, { customerId: lost.id });
    expect(live.subscription).toMatchObject({
      id: lostStart,
      stripeSubscriptionId: made.id,
      planId: 'junior',
    });
    expect(
      (await stripe.subscriptions.list({ customer: lost.stripeId, status: 'all' })).data,
    ).toHaveLength(1);

    // Nothing at Stripe: the start is released and the new one goes ahead.
    const never = await newCustomer();
    await insertStart(randomUUID(), never.id);
    const { subscription } = await rpc.call(SUBSCRIPTIONS_CREATE_V1, {
      customerId: never.id,
      planId: 'junior',
      billingInterval: 'monthly',
    });
    expect(subscription.status).toBe('active');
    const starts = await dataSource.query<{ stripe_subscription_id: string | null }[]>(
      `SELECT "stripe_subscription_id" FROM "subscriptions"."subscription_starts" WHERE "customer_id" = $1`,
      [never.id],
    );
    expect(starts).toStrictEqual([{ stripe_subscription_id: subscription.stripeSubscriptionId }]);
  });

  it('starts a trial without charging, and refuses a custom price on a fixed-price plan', async () => {
    const customer = await newCustomer(null);
    const { subscription } = await rpc.call(SUBSCRIPTIONS_CREATE_V1, {
      customerId: customer.id,
      planId: 'lead',
      billingInterval: 'monthly',
      trialDays: 14,
    });
    expect(subscription.status).toBe('trialing');
    expect(
      Date.parse(defined(subscription.trialEnd)) - Date.parse(defined(subscription.trialStart)),
    ).toBe(14 * 24 * 3_600_000);
    await expectSameAsStripe(subscription);

    const other = await newCustomer();
    const custom = await remoteError(
      rpc.call(SUBSCRIPTIONS_CREATE_V1, {
        customerId: other.id,
        planId: 'junior',
        billingInterval: 'monthly',
        priceCents: 50_000,
      }),
    );
    expect(custom).toMatchObject({
      code: 'invalid_subscription',
      status: 400,
      fields: [expect.objectContaining({ field: 'price_cents' })],
    });
    const missing = await remoteError(
      rpc.call(SUBSCRIPTIONS_CREATE_V1, {
        customerId: other.id,
        planId: 'principal',
        billingInterval: 'monthly',
      }),
    );
    expect(missing.fields).toStrictEqual([expect.objectContaining({ field: 'price_cents' })]);
  });

  it('bills a principal plan at the price agreed with the customer', async () => {
    const customer = await newCustomer();
    const { subscription } = await rpc.call(SUBSCRIPTIONS_CREATE_V1, {
      customerId: customer.id,
      planId: 'principal',
      billingInterval: 'yearly',
      priceCents: 7_500_000,
    });
    expect(subscription).toMatchObject({
      planId: 'principal',
      billingInterval: 'yearly',
      priceCents: 7_500_000,
      status: 'active',
    });
    const atStripe = await expectSameAsStripe(subscription);
    const invoice = await stripe.invoices.retrieve(defined(atStripe.latest_invoice as string));
    expect(invoice).toMatchObject({ amount_paid: 7_500_000, status: 'paid' });
  });

  it('previews an upgrade and then invoices exactly the previewed proration', async () => {
    const customer = await newCustomer();
    const { subscription } = await rpc.call(SUBSCRIPTIONS_CREATE_V1, {
      customerId: customer.id,
      planId: 'junior',
      billingInterval: 'monthly',
    });
    const previewed = await rpc.call(SUBSCRIPTIONS_CHANGE_V1, {
      subscriptionId: subscription.id,
      planId: 'analyst',
      when: 'now',
      preview: true,
    });
    const preview = defined(previewed.preview);
    expect(previewed.subscription).toStrictEqual(subscription);
    expect(preview.lines.length).toBeGreaterThan(0);
    expect(preview.prorationCents).toBe(
      preview.lines.reduce((sum, line) => sum + line.amountCents, 0),
    );

    const changed = await rpc.call(SUBSCRIPTIONS_CHANGE_V1, {
      subscriptionId: subscription.id,
      planId: 'analyst',
      when: 'now',
      prorationDate: preview.prorationDate,
    });
    expect(changed.subscription).toMatchObject({
      planId: 'analyst',
      priceCents: 199_900,
      version: 2,
    });
    await expectSameAsStripe(changed.subscription);
    const invoice = await stripe.invoices.retrieve(defined(changed.stripeInvoiceId));
    expect(invoice.total).toBe(preview.prorationCents);
    expect(invoice.lines.data.map((line) => line.amount).sort()).toStrictEqual(
      preview.lines.map((line) => line.amountCents).sort(),
    );
  });

  it('changes the plan at the period end without proration: no invoice now, the new price from the renewal', async () => {
    const customer = await newCustomer();
    const { subscription } = await rpc.call(SUBSCRIPTIONS_CREATE_V1, {
      customerId: customer.id,
      planId: 'lead',
      billingInterval: 'monthly',
    });
    const before = await stripe.subscriptions.retrieve(subscription.stripeSubscriptionId);
    const changed = await rpc.call(SUBSCRIPTIONS_CHANGE_V1, {
      subscriptionId: subscription.id,
      planId: 'junior',
      when: 'period_end',
    });
    expect(changed).toMatchObject({
      subscription: { planId: 'junior', priceCents: 99_900, version: 2 },
      stripeInvoiceId: null,
      preview: null,
    });
    const after = await expectSameAsStripe(changed.subscription);
    expect(after.latest_invoice).toBe(before.latest_invoice);
    const pending = await stripe.invoiceItems.list({ customer: customer.stripeId });
    expect(pending.data).toHaveLength(0);
    // Asking again changes nothing more.
    const again = await rpc.call(SUBSCRIPTIONS_CHANGE_V1, {
      subscriptionId: subscription.id,
      planId: 'junior',
      when: 'period_end',
    });
    expect(again.subscription).toStrictEqual(changed.subscription);
  });

  it('cancels at the period end at Stripe, and an older event does not undo it', async () => {
    const customer = await newCustomer();
    const { subscription } = await rpc.call(SUBSCRIPTIONS_CREATE_V1, {
      customerId: customer.id,
      planId: 'junior',
      billingInterval: 'monthly',
    });
    const [created] = (
      await stripe.events.list({ type: 'customer.subscription.created', limit: 100 })
    ).data.filter(
      (event) =>
        (event.data.object as Stripe.Subscription).id === subscription.stripeSubscriptionId,
    );
    const canceled = await rpc.call(SUBSCRIPTIONS_CANCEL_V1, {
      subscriptionId: subscription.id,
      atPeriodEnd: true,
    });
    expect(canceled.subscription).toMatchObject({ cancelAtPeriodEnd: true, status: 'active' });
    await expectSameAsStripe(canceled.subscription);

    // The start's own event, delivered late, is older than the cancel's answer.
    const names = topologyNames(prefix, 'subscriptions', RETRY_DELAYS_MS);
    publishStripeEvent(channel, names.eventsExchange, defined(created), defined(created).id);
    await channel.waitForConfirms();
    await waitFor(
      async () =>
        dataSource.query<unknown[]>(
          `SELECT 1 FROM "subscriptions"."inbox" WHERE "message_id" = $1`,
          [defined(created).id],
        ),
      (rows) => rows.length === 1,
      { what: 'the late event to be consumed' },
    );
    expect(await rowOf(subscription.id)).toMatchObject({ cancel_at_period_end: true });
    const reread = await rpc.call(SUBSCRIPTIONS_GET_V1, { subscriptionId: subscription.id });
    expect(reread.subscription).toStrictEqual(canceled.subscription);

    const now = await rpc.call(SUBSCRIPTIONS_CANCEL_V1, {
      subscriptionId: subscription.id,
      atPeriodEnd: false,
    });
    expect(now.subscription.status).toBe('canceled');
    await expectSameAsStripe(now.subscription);
    const ended = await remoteError(
      rpc.call(SUBSCRIPTIONS_CANCEL_V1, { subscriptionId: subscription.id, atPeriodEnd: false }),
    );
    expect(ended).toMatchObject({ code: 'subscription_ended', status: 409 });
    // Ended: the customer may start again.
    const again = await rpc.call(SUBSCRIPTIONS_CREATE_V1, {
      customerId: customer.id,
      planId: 'junior',
      billingInterval: 'monthly',
    });
    expect(again.subscription.id).not.toBe(subscription.id);
  });

  it('pauses collection at Stripe and resumes it; resuming what is not paused is 409', async () => {
    const customer = await newCustomer();
    const { subscription } = await rpc.call(SUBSCRIPTIONS_CREATE_V1, {
      customerId: customer.id,
      planId: 'junior',
      billingInterval: 'monthly',
    });
    const resumesAt = new Date(Date.parse(defined(subscription.currentPeriodEnd)) + 86_400_000);
    resumesAt.setUTCMilliseconds(0);
    const paused = await rpc.call(SUBSCRIPTIONS_PAUSE_V1, {
      subscriptionId: subscription.id,
      resumesAt: resumesAt.toISOString(),
    });
    expect(paused.subscription).toMatchObject({
      status: 'active',
      pauseCollection: { behavior: 'void', resumesAt: resumesAt.toISOString() },
    });
    const atStripe = await expectSameAsStripe(paused.subscription);
    expect(atStripe.pause_collection).toStrictEqual({
      behavior: 'void',
      resumes_at: resumesAt.getTime() / 1000,
    });
    expect(await rowOf(subscription.id)).toMatchObject({ pause_behavior: 'void' });

    const resumed = await rpc.call(SUBSCRIPTIONS_RESUME_V1, { subscriptionId: subscription.id });
    expect(resumed.subscription.pauseCollection).toBeNull();
    expect((await expectSameAsStripe(resumed.subscription)).pause_collection).toBeNull();
    const again = await remoteError(
      rpc.call(SUBSCRIPTIONS_RESUME_V1, { subscriptionId: subscription.id }),
    );
    expect(again).toMatchObject({ code: 'invalid_subscription_state', status: 409 });
  });

  it("hides another customer's subscription", async () => {
    const customer = await newCustomer();
    const other = await newCustomer();
    const { subscription } = await rpc.call(SUBSCRIPTIONS_CREATE_V1, {
      customerId: customer.id,
      planId: 'junior',
      billingInterval: 'monthly',
    });
    for (const call of [
      rpc.call(SUBSCRIPTIONS_GET_V1, { subscriptionId: subscription.id, customerId: other.id }),
      rpc.call(SUBSCRIPTIONS_CANCEL_V1, {
        subscriptionId: subscription.id,
        customerId: other.id,
        atPeriodEnd: true,
      }),
    ]) {
      expect(await remoteError(call)).toMatchObject({
        code: 'subscription_not_found',
        status: 404,
      });
    }
    expect((await rowOf(subscription.id)).cancel_at_period_end).toBe(false);
  });

  it('counts hours against the plan: included, used, remaining and overage, and the terms billing prices them with', async () => {
    await rpc.call(BILLING_PRODUCT_CREATE_V1, {
      productId: 'agent_hours',
      name: 'Agent hours',
      pricingType: 'usage',
      currency: 'usd',
      unitLabel: 'hours',
      unitAmountDecimal: '0',
    });
    const customer = await newCustomer();
    const { subscription } = await rpc.call(SUBSCRIPTIONS_CREATE_V1, {
      customerId: customer.id,
      planId: 'junior',
      billingInterval: 'monthly',
    });
    const period = new Date().toISOString().slice(0, 7);
    const events = [
      { quantity: '30', idempotencyKey: 'h1' },
      { quantity: '15.5', idempotencyKey: 'h2' },
    ].map((event) => ({
      ...event,
      customerId: customer.id,
      productId: 'agent_hours',
      timestamp: new Date().toISOString(),
    }));
    // metering learns of the product from billing's catalogue events.
    await waitFor(
      () =>
        rpc.call(METERING_USAGE_RECORD_V1, { events }).then(
          () => true,
          () => false,
        ),
      (recorded) => recorded,
      { what: 'metering to know agent_hours' },
    );
    const { entitlements } = await rpc.call(SUBSCRIPTIONS_ENTITLEMENTS_V1, {
      customerId: customer.id,
    });
    expect(entitlements).toMatchObject({
      planId: 'junior',
      subscriptionId: subscription.id,
      billingPeriod: period,
      includedHours: '40',
      usedHours: '45.5',
      remainingHours: '0',
      overageHours: '5.5',
      overagePriceCents: 2_500,
      entitled: true,
    });
    const { terms } = await rpc.call(SUBSCRIPTIONS_OVERAGE_TERMS_V1, {
      customerId: customer.id,
      billingPeriod: period,
    });
    expect(terms).toEqual({
      hoursProductId: 'agent_hours',
      planId: 'junior',
      subscriptionId: subscription.id,
      includedHours: 40,
      overagePriceCents: 2_500,
      currency: 'usd',
    });
    const nobody = await newCustomer();
    expect(
      (
        await rpc.call(SUBSCRIPTIONS_OVERAGE_TERMS_V1, {
          customerId: nobody.id,
          billingPeriod: period,
        })
      ).terms,
    ).toBeNull();
    expect(
      (await remoteError(rpc.call(SUBSCRIPTIONS_ENTITLEMENTS_V1, { customerId: nobody.id }))).code,
    ).toBe('subscription_not_found');
  });
});
