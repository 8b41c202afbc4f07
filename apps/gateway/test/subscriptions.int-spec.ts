import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  IDEMPOTENT_REPLAYED_HEADER,
  PUBLIC_API_PATHS,
  type AuditLogEntryV1,
  type ChangeSubscriptionResultV1,
  type CustomerResourceV1,
  type EntitlementsResourceV1,
  type ListV1,
  type PlanResourceV1,
  type ProblemV1,
  type SubscriptionResourceV1,
} from '@aegis/contracts';
import { defined, waitFor } from '@aegis/testing';
import { GatewayHarness, type ApiAnswer } from './gateway-harness.js';

/** A success's body, or a refusal's problem (whose `status` is the HTTP status). */
type Either<T> = T & Omit<ProblemV1, 'status'>;

/** Every key of a subscription the API answers, in the seed's shape. */
const SUBSCRIPTION_KEYS = [
  'billing_interval',
  'cancel_at',
  'cancel_at_period_end',
  'canceled_at',
  'created_at',
  'currency',
  'current_period_end',
  'current_period_start',
  'customer_id',
  'ended_at',
  'id',
  'pause_collection',
  'plan_id',
  'price_cents',
  'status',
  'stripe_subscription_id',
  'trial_end',
  'trial_start',
  'updated_at',
];

/**
 * The public plans and subscriptions API through a real gateway, the real
 * subscriptions service, billing, metering and the Stripe sandbox (its
 * webhooks delivered through webhook-ingest, as in production).
 */
describe('plans and subscriptions through the gateway', () => {
  let harness: GatewayHarness;

  const fieldsOf = (answer: { body: unknown }): string[] =>
    ((answer.body as ProblemV1).errors ?? []).map((error) => error.field).sort();

  /** A customer whose default payment method at Stripe is the sandbox's good Visa. */
  const payingCustomer = async (): Promise<CustomerResourceV1> => {
    const customer = await harness.createCustomer();
    const method = await harness.stripe.paymentMethods.attach('pm_card_visa', {
      customer: customer.stripe_customer_id,
    });
    await harness.stripe.customers.update(customer.stripe_customer_id, {
      invoice_settings: { default_payment_method: method.id },
    });
    return customer;
  };

  const create = (
    body: Record<string, unknown>,
    options: { key?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiAnswer<Either<SubscriptionResourceV1>>> =>
    harness.request<Either<SubscriptionResourceV1>>('POST', PUBLIC_API_PATHS.subscriptions, {
      body,
      ...options,
    });

  const subscribed = async (
    customer: CustomerResourceV1,
    planId = 'analyst',
  ): Promise<SubscriptionResourceV1> => {
    const answer = await create({
      customer_id: customer.id,
      plan_id: planId,
      billing_interval: 'monthly',
    });
    if (answer.status !== 201) throw new Error(`not subscribed: ${JSON.stringify(answer)}`);
    return answer.body;
  };

  const post = <T = SubscriptionResourceV1>(
    path: string,
    body?: unknown,
    key?: string,
  ): Promise<ApiAnswer<Either<T>>> =>
    harness.request<Either<T>>('POST', path, {
      ...(body === undefined ? {} : { body }),
      ...(key === undefined ? {} : { key }),
    });

  const auditTrail = async (): Promise<string[]> => {
    const log = await harness.request<ListV1<AuditLogEntryV1>>(
      'GET',
      `${PUBLIC_API_PATHS.auditLog}?limit=100`,
    );
    return log.body.data.map((entry) => `${entry.action} ${entry.target}`);
  };

  beforeAll(async () => {
    harness = await GatewayHarness.start({
      replicas: 1,
      withIngest: true,
      withSubscriptions: true,
    });
  }, 120_000);

  afterAll(async () => {
    await harness.stop();
  });

  it('lists the plans to admin and customer keys: junior, analyst, lead and principal (custom)', async () => {
    const customer = await harness.createCustomer();
    const key = await harness.createKey(customer.id, { scopes: [] });
    for (const caller of [harness.adminKey, key.key]) {
      const answer = await harness.request<ListV1<PlanResourceV1>>('GET', PUBLIC_API_PATHS.plans, {
        key: caller,
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ object: 'list', has_more: false });
      expect(
        answer.body.data.map(
          ({ id, price_cents, billing_interval, included_hours, custom, currency }) => ({
            id,
            price_cents,
            billing_interval,
            included_hours,
            custom,
            currency,
          }),
        ),
      ).toStrictEqual([
        {
          id: 'junior',
          price_cents: 99_900,
          billing_interval: 'monthly',
          included_hours: 40,
          custom: false,
          currency: 'usd',
        },
        {
          id: 'analyst',
          price_cents: 199_900,
          billing_interval: 'monthly',
          included_hours: 80,
          custom: false,
          currency: 'usd',
        },
        {
          id: 'lead',
          price_cents: 499_900,
          billing_interval: 'monthly',
          included_hours: 160,
          custom: false,
          currency: 'usd',
        },
        {
          id: 'principal',
          price_cents: null,
          billing_interval: 'monthly',
          included_hours: null,
          custom: true,
          currency: 'usd',
        },
      ]);
      const [junior, , , principal] = answer.body.data;
      expect(defined(junior)).toMatchObject({
        yearly_price_cents: 999_000,
        overage_price_cents: 2_500,
      });
      expect(defined(principal)).toMatchObject({
        yearly_price_cents: null,
        overage_price_cents: null,
      });
      const monthly = defined(
        defined(junior).prices.find((price) => price.billing_interval === 'monthly'),
      );
      expect(monthly).toMatchObject({ price_cents: 99_900 });
      const price = await harness.stripe.prices.retrieve(defined(monthly.stripe_price_id));
      expect(price).toMatchObject({ unit_amount: 99_900, currency: 'usd' });
    }
  });

  it('starts a subscription at Stripe (201, active, the seed’s shape, audited); a second one is 409', async () => {
    const customer = await payingCustomer();
    const answer = await create({
      customer_id: customer.id,
      plan_id: 'analyst',
      billing_interval: 'monthly',
    });
    expect(answer.status).toBe(201);
    const subscription = answer.body;
    expect(Object.keys(subscription).sort()).toStrictEqual(SUBSCRIPTION_KEYS);
    expect(subscription).toMatchObject({
      customer_id: customer.id,
      plan_id: 'analyst',
      price_cents: 199_900,
      currency: 'usd',
      billing_interval: 'monthly',
      status: 'active',
      cancel_at_period_end: false,
      pause_collection: null,
      trial_end: null,
    });
    expect(Date.parse(defined(subscription.current_period_end))).toBeGreaterThan(Date.now());
    const atStripe = await harness.stripe.subscriptions.retrieve(
      subscription.stripe_subscription_id,
    );
    expect(atStripe).toMatchObject({ status: 'active', customer: customer.stripe_customer_id });

    const live = await harness.request<SubscriptionResourceV1>(
      'GET',
      PUBLIC_API_PATHS.customerSubscription(customer.id),
    );
    expect(live).toMatchObject({ status: 200, body: subscription });
    const byId = await harness.request<SubscriptionResourceV1>(
      'GET',
      PUBLIC_API_PATHS.subscription(subscription.id),
    );
    expect(byId).toMatchObject({ status: 200, body: subscription });
    expect(await auditTrail()).toContain(`subscription.create ${subscription.id}`);

    const second = await create({
      customer_id: customer.id,
      plan_id: 'lead',
      billing_interval: 'yearly',
    });
    expect(second.status).toBe(409);
    expect(second.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(second.body.code).toBe('subscription_exists');
    const atStripeAll = await harness.stripe.subscriptions.list({
      customer: customer.stripe_customer_id,
      status: 'all',
    });
    expect(atStripeAll.data.map((made) => made.id)).toStrictEqual([
      subscription.stripe_subscription_id,
    ]);
  });

  it('makes exactly one subscription of ten concurrent creations for a customer', async () => {
    const customer = await payingCustomer();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        create({ customer_id: customer.id, plan_id: 'junior', billing_interval: 'monthly' }),
      ),
    );
    const made = answers.filter((answer) => answer.status === 201);
    expect(made).toHaveLength(1);
    expect(
      answers
        .filter((answer) => answer.status !== 201)
        .map((answer) => `${answer.status} ${answer.body.code ?? '?'}`),
    ).toStrictEqual(Array.from({ length: 9 }, () => '409 subscription_exists'));
    const atStripe = await harness.stripe.subscriptions.list({
      customer: customer.stripe_customer_id,
      status: 'all',
    });
    expect(atStripe.data.map((one) => one.id)).toStrictEqual([
      defined(made[0]).body.stripe_subscription_id,
    ]);
    const live = await harness.request<SubscriptionResourceV1>(
      'GET',
      PUBLIC_API_PATHS.customerSubscription(customer.id),
    );
    expect(live.body.id).toBe(defined(made[0]).body.id);
  });

  it('answers a retry under the same Idempotency-Key with the first answer, without a second start', async () => {
    const customer = await payingCustomer();
    const headers = { 'idempotency-key': randomUUID() };
    const body = { customer_id: customer.id, plan_id: 'junior', billing_interval: 'monthly' };
    const first = await create(body, { headers });
    expect(first.status).toBe(201);
    const again = await create(body, { headers });
    expect(again.status).toBe(201);
    expect(again.headers.get(IDEMPOTENT_REPLAYED_HEADER)).toBe('true');
    expect(again.body).toStrictEqual(first.body);
    const other = await create({ ...body, plan_id: 'lead' }, { headers });
    expect(other.status).toBe(422);
  });

  it('lets a customer key see and change only its own customer’s subscription (another’s is 404), with its scopes', async () => {
    const [owner, stranger] = await Promise.all([payingCustomer(), payingCustomer()]);
    const subscription = await subscribed(owner, 'junior');
    const strangerKey = await harness.createKey(stranger.id, {
      scopes: ['subscriptions:read', 'subscriptions:write'],
    });
    const ownerReader = await harness.createKey(owner.id, { scopes: ['subscriptions:read'] });
    const ownerWriter = await harness.createKey(owner.id, {
      scopes: ['subscriptions:read', 'subscriptions:write'],
    });

    const unknownId = randomUUID();
    const missing = await harness.request<ProblemV1>(
      'GET',
      PUBLIC_API_PATHS.subscription(unknownId),
      { key: strangerKey.key },
    );
    const hidden = await harness.request<ProblemV1>(
      'GET',
      PUBLIC_API_PATHS.subscription(subscription.id),
      { key: strangerKey.key },
    );
    expect(hidden.status).toBe(404);
    expect(hidden.body.code).toBe('subscription_not_found');
    // Byte for byte the answer for an id that does not exist, but for the id.
    expect(JSON.stringify(hidden.body).replaceAll(subscription.id, 'X')).toBe(
      JSON.stringify(missing.body).replaceAll(unknownId, 'X'),
    );
    for (const answer of [
      await harness.request<ProblemV1>('GET', PUBLIC_API_PATHS.customerSubscription(owner.id), {
        key: strangerKey.key,
      }),
      await harness.request<ProblemV1>('GET', PUBLIC_API_PATHS.customerEntitlements(owner.id), {
        key: strangerKey.key,
      }),
      await post(
        PUBLIC_API_PATHS.cancelSubscription(subscription.id),
        { at_period_end: true },
        strangerKey.key,
      ),
      await post(PUBLIC_API_PATHS.pauseSubscription(subscription.id), {}, strangerKey.key),
      await post(
        PUBLIC_API_PATHS.changeSubscription(subscription.id),
        { plan_id: 'lead', when: 'now' },
        strangerKey.key,
      ),
      await create(
        { customer_id: owner.id, plan_id: 'junior', billing_interval: 'monthly' },
        { key: strangerKey.key },
      ),
    ])
      expect(answer.status).toBe(404);
    const untouched = await harness.request<SubscriptionResourceV1>(
      'GET',
      PUBLIC_API_PATHS.subscription(subscription.id),
    );
    expect(untouched.body).toMatchObject({
      cancel_at_period_end: false,
      pause_collection: null,
      plan_id: 'junior',
    });

    // The owner's keys: reading needs subscriptions:read, changing subscriptions:write.
    const own = await harness.request<SubscriptionResourceV1>(
      'GET',
      PUBLIC_API_PATHS.customerSubscription(owner.id),
      { key: ownerReader.key },
    );
    expect(own).toMatchObject({ status: 200, body: { id: subscription.id } });
    expect(
      (
        await post(
          PUBLIC_API_PATHS.cancelSubscription(subscription.id),
          { at_period_end: true },
          ownerReader.key,
        )
      ).status,
    ).toBe(403);
    const noScope = await harness.createKey(owner.id, { scopes: [] });
    expect(
      (
        await harness.request('GET', PUBLIC_API_PATHS.subscription(subscription.id), {
          key: noScope.key,
        })
      ).status,
    ).toBe(403);
    // A custom price is the operator's: a customer key may not name one.
    const priced = await post(
      PUBLIC_API_PATHS.changeSubscription(subscription.id),
      { plan_id: 'principal', when: 'now', price_cents: 1 },
      ownerWriter.key,
    );
    expect(priced.status).toBe(403);
    const canceled = await post(
      PUBLIC_API_PATHS.cancelSubscription(subscription.id),
      { at_period_end: true },
      ownerWriter.key,
    );
    expect(canceled).toMatchObject({ status: 200, body: { cancel_at_period_end: true } });
  });

  it('cancels at the period end at Stripe, then now; an ended subscription is 409 and no longer live', async () => {
    const customer = await payingCustomer();
    const subscription = await subscribed(customer);
    const atPeriodEnd = await post(PUBLIC_API_PATHS.cancelSubscription(subscription.id), {
      at_period_end: true,
    });
    expect(atPeriodEnd.status).toBe(200);
    expect(atPeriodEnd.body).toMatchObject({
      id: subscription.id,
      status: 'active',
      cancel_at_period_end: true,
      ended_at: null,
    });
    const atStripe = await harness.stripe.subscriptions.retrieve(
      subscription.stripe_subscription_id,
    );
    expect(atStripe.cancel_at_period_end).toBe(true);
    expect(await auditTrail()).toContain(`subscription.cancel ${subscription.id}`);

    const now = await post(PUBLIC_API_PATHS.cancelSubscription(subscription.id), {
      at_period_end: false,
    });
    expect(now.status).toBe(200);
    expect(now.body.status).toBe('canceled');
    expect(now.body.ended_at).not.toBeNull();
    expect(
      (await harness.stripe.subscriptions.retrieve(subscription.stripe_subscription_id)).status,
    ).toBe('canceled');

    const again = await post(PUBLIC_API_PATHS.cancelSubscription(subscription.id), {
      at_period_end: false,
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('subscription_ended');
    const live = await harness.request<ProblemV1>(
      'GET',
      PUBLIC_API_PATHS.customerSubscription(customer.id),
    );
    expect(live.status).toBe(404);
    expect(live.body.code).toBe('subscription_not_found');
    // The ended one is still there by its id.
    const byId = await harness.request<SubscriptionResourceV1>(
      'GET',
      PUBLIC_API_PATHS.subscription(subscription.id),
    );
    expect(byId.body.status).toBe('canceled');
  });

  it('pauses collection until a time and resumes it; resuming what is not paused is 409', async () => {
    const customer = await payingCustomer();
    const subscription = await subscribed(customer, 'junior');
    const resumesAt = new Date(Date.parse(defined(subscription.current_period_end)) + 86_400_000);
    resumesAt.setUTCMilliseconds(0);
    const paused = await post(PUBLIC_API_PATHS.pauseSubscription(subscription.id), {
      resumes_at: resumesAt.toISOString(),
    });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({
      status: 'active',
      pause_collection: { behavior: 'void', resumes_at: resumesAt.toISOString() },
    });
    expect(
      (await harness.stripe.subscriptions.retrieve(subscription.stripe_subscription_id))
        .pause_collection,
    ).toMatchObject({ behavior: 'void', resumes_at: resumesAt.getTime() / 1000 });

    const resumed = await post(PUBLIC_API_PATHS.resumeSubscription(subscription.id));
    expect(resumed.status).toBe(200);
    expect(resumed.body.pause_collection).toBeNull();
    expect(
      (await harness.stripe.subscriptions.retrieve(subscription.stripe_subscription_id))
        .pause_collection,
    ).toBeNull();
    const again = await post(PUBLIC_API_PATHS.resumeSubscription(subscription.id));
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('invalid_subscription_state');
    const trail = await auditTrail();
    expect(trail).toContain(`subscription.pause ${subscription.id}`);
    expect(trail).toContain(`subscription.resume ${subscription.id}`);
  });

  it('previews an upgrade (nothing changed, not audited), then makes it, invoicing exactly the preview', async () => {
    const customer = await payingCustomer();
    const subscription = await subscribed(customer, 'junior');
    const previewed = await post<ChangeSubscriptionResultV1>(
      PUBLIC_API_PATHS.changeSubscription(subscription.id),
      { plan_id: 'analyst', when: 'now', preview: true },
    );
    expect(previewed.status).toBe(200);
    expect(previewed.body.subscription).toStrictEqual(subscription);
    expect(previewed.body.stripe_invoice_id).toBeNull();
    const preview = defined(previewed.body.preview);
    expect(preview.currency).toBe('usd');
    expect(preview.lines.length).toBeGreaterThan(0);
    expect(preview.proration_cents).toBe(
      preview.lines.reduce((sum, line) => sum + line.amount_cents, 0),
    );
    expect(preview.proration_cents).toBeGreaterThan(0);
    for (const line of preview.lines)
      expect(Object.keys(line).sort()).toStrictEqual(['amount_cents', 'description', 'proration']);
    expect(await auditTrail()).not.toContain(`subscription.change ${subscription.id}`);

    const changed = await post<ChangeSubscriptionResultV1>(
      PUBLIC_API_PATHS.changeSubscription(subscription.id),
      { plan_id: 'analyst', when: 'now', proration_date: preview.proration_date },
    );
    expect(changed.status).toBe(200);
    expect(changed.body.preview).toBeNull();
    expect(changed.body.subscription).toMatchObject({
      id: subscription.id,
      plan_id: 'analyst',
      price_cents: 199_900,
    });
    const invoice = await harness.stripe.invoices.retrieve(defined(changed.body.stripe_invoice_id));
    expect(invoice.total).toBe(preview.proration_cents);
    expect(await auditTrail()).toContain(`subscription.change ${subscription.id}`);

    // From the next period: no proration, no invoice now.
    const later = await post<ChangeSubscriptionResultV1>(
      PUBLIC_API_PATHS.changeSubscription(subscription.id),
      { plan_id: 'lead', when: 'period_end', billing_interval: 'monthly' },
    );
    expect(later.status).toBe(200);
    expect(later.body).toMatchObject({
      subscription: { plan_id: 'lead' },
      preview: null,
      stripe_invoice_id: null,
    });
  });

  it('answers entitlements: the plan’s hours included, used (exact decimal text), remaining and overage', async () => {
    const product = await harness.request('POST', PUBLIC_API_PATHS.products, {
      body: {
        id: 'agent_hours',
        name: 'Agent hours',
        pricing_type: 'usage',
        unit_amount_decimal: '0',
        currency: 'usd',
        unit_label: 'hours',
        aggregation: 'sum',
      },
    });
    expect(product.status).toBe(201);
    const customer = await payingCustomer();
    const subscription = await subscribed(customer, 'analyst');
    const period = new Date().toISOString().slice(0, 7);

    const none = await harness.request<ProblemV1>(
      'GET',
      PUBLIC_API_PATHS.customerEntitlements((await harness.createCustomer()).id),
    );
    expect(none.status).toBe(404);

    // metering learns of the product from billing's catalogue events.
    await waitFor(
      () =>
        harness.request('POST', PUBLIC_API_PATHS.usage, {
          body: {
            events: [
              { quantity: '12.25', idempotency_key: 'h1' },
              { quantity: '0.000000000001', idempotency_key: 'h2' },
            ].map((event) => ({ ...event, customer_id: customer.id, product_id: 'agent_hours' })),
          },
        }),
      (answer) => answer.status === 202,
      { what: 'metering to record agent_hours', timeoutMs: 30_000 },
    );
    const answer = await harness.request<EntitlementsResourceV1>(
      'GET',
      `${PUBLIC_API_PATHS.customerEntitlements(customer.id)}?billing_period=${period}`,
    );
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.body).sort()).toStrictEqual([
      'billing_period',
      'currency',
      'customer_id',
      'entitled',
      'hours_product_id',
      'included_hours',
      'overage_hours',
      'overage_price_cents',
      'plan_id',
      'remaining_hours',
      'subscription_id',
      'usage_through',
      'used_hours',
    ]);
    expect(answer.body).toMatchObject({
      customer_id: customer.id,
      plan_id: 'analyst',
      subscription_id: subscription.id,
      billing_period: period,
      hours_product_id: 'agent_hours',
      included_hours: '80',
      used_hours: '12.250000000001',
      remaining_hours: '67.749999999999',
      overage_hours: '0',
      overage_price_cents: 2_500,
      currency: 'usd',
      entitled: true,
    });
    expect(Date.parse(answer.body.usage_through)).not.toBeNaN();
    // Without a period: the current one.
    const current = await harness.request<EntitlementsResourceV1>(
      'GET',
      PUBLIC_API_PATHS.customerEntitlements(customer.id),
    );
    expect(current.body.billing_period).toBe(period);
  });

  it('refuses bad input with 400 naming each field, and starts nothing at Stripe', async () => {
    const customer = await payingCustomer();
    const cases: [Record<string, unknown>, string[]][] = [
      [{ customer_id: customer.id, plan_id: 'boss', billing_interval: 'monthly' }, ['plan_id']],
      [
        { customer_id: customer.id, plan_id: 'junior', billing_interval: 'weekly' },
        ['billing_interval'],
      ],
      [
        {
          customer_id: customer.id,
          plan_id: 'junior',
          billing_interval: 'monthly',
          price_cents: 50_000,
        },
        ['price_cents'],
      ],
      [
        { customer_id: customer.id, plan_id: 'principal', billing_interval: 'monthly' },
        ['price_cents'],
      ],
      [
        {
          customer_id: customer.id,
          plan_id: 'junior',
          billing_interval: 'monthly',
          trial_days: -1,
        },
        ['trial_days'],
      ],
      [{ plan_id: 'junior', billing_interval: 'monthly', extra: 1 }, ['customer_id', 'extra']],
    ];
    for (const [body, fields] of cases) {
      const answer = await create(body);
      expect({ body, status: answer.status, fields: fieldsOf(answer) }).toStrictEqual({
        body,
        status: 400,
        fields,
      });
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect(
      (
        await harness.stripe.subscriptions.list({
          customer: customer.stripe_customer_id,
          status: 'all',
        })
      ).data,
    ).toHaveLength(0);

    const subscription = await subscribed(customer, 'junior');
    const badPath = await harness.request<ProblemV1>('GET', PUBLIC_API_PATHS.subscription('x'));
    expect({ status: badPath.status, fields: fieldsOf(badPath) }).toStrictEqual({
      status: 400,
      fields: ['id'],
    });
    for (const [path, body, fields] of [
      [PUBLIC_API_PATHS.cancelSubscription(subscription.id), {}, ['at_period_end']],
      [
        PUBLIC_API_PATHS.cancelSubscription(subscription.id),
        { at_period_end: 'yes' },
        ['at_period_end'],
      ],
      [
        PUBLIC_API_PATHS.pauseSubscription(subscription.id),
        { resumes_at: 'tomorrow' },
        ['resumes_at'],
      ],
      [
        PUBLIC_API_PATHS.changeSubscription(subscription.id),
        { plan_id: 'boss', when: 'soon' },
        ['plan_id', 'when'],
      ],
      [
        PUBLIC_API_PATHS.changeSubscription(subscription.id),
        { plan_id: 'lead', when: 'now', price_cents: 10 },
        ['price_cents'],
      ],
    ] as const) {
      const answer = await post(path, body);
      expect({ path, body, status: answer.status, fields: fieldsOf(answer) }).toStrictEqual({
        path,
        body,
        status: 400,
        fields,
      });
    }
    const period = await harness.request<ProblemV1>(
      'GET',
      `${PUBLIC_API_PATHS.customerEntitlements(customer.id)}?billing_period=2026-3`,
    );
    expect({ status: period.status, fields: fieldsOf(period) }).toStrictEqual({
      status: 400,
      fields: ['billing_period'],
    });
    const unchanged = await harness.request<SubscriptionResourceV1>(
      'GET',
      PUBLIC_API_PATHS.subscription(subscription.id),
    );
    expect(unchanged.body).toStrictEqual(subscription);
  });

  it('describes every route and its schemas in the OpenAPI document', async () => {
    const answer = await harness.request<{
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    }>('GET', PUBLIC_API_PATHS.openapi, { key: null });
    expect(answer.status).toBe(200);
    const { paths, components } = answer.body;
    for (const [path, verb] of [
      ['/api/v1/plans', 'get'],
      ['/api/v1/subscriptions', 'post'],
      ['/api/v1/subscriptions/{id}', 'get'],
      ['/api/v1/customers/{id}/subscription', 'get'],
      ['/api/v1/subscriptions/{id}/change', 'post'],
      ['/api/v1/subscriptions/{id}/cancel', 'post'],
      ['/api/v1/subscriptions/{id}/pause', 'post'],
      ['/api/v1/subscriptions/{id}/resume', 'post'],
      ['/api/v1/customers/{id}/entitlements', 'get'],
    ] as const)
      expect({ path, verb, described: paths[path]?.[verb] !== undefined }).toStrictEqual({
        path,
        verb,
        described: true,
      });
    for (const schema of [
      'PlanList',
      'SubscriptionResource',
      'ChangeSubscriptionResult',
      'EntitlementsResource',
      'CreateSubscriptionDto',
      'ChangeSubscriptionDto',
      'CancelSubscriptionDto',
    ])
      expect(Object.keys(components.schemas)).toContain(schema);
  });
});
