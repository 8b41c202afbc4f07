import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  IDEMPOTENT_REPLAYED_HEADER,
  PUBLIC_API_PATHS,
  type AuditLogEntryV1,
  type CheckoutPageStatusV1,
  type CheckoutSessionResourceV1,
  type CustomerResourceV1,
  type ListV1,
  type PlanResourceV1,
  type ProblemV1,
} from '@aegis/contracts';
import { defined, waitFor, type ServiceProcess } from '@aegis/testing';
import { GatewayHarness, type ApiAnswer } from './gateway-harness.js';

let harness: GatewayHarness;
const run = Date.now().toString(36);
const report = `report_chk_${run}`;
const calls = `calls_chk_${run}`;
let buyer: CustomerResourceV1;
let other: CustomerResourceV1;

const fieldsOf = (answer: { body: unknown }): string[] =>
  ((answer.body as ProblemV1).errors ?? []).map((error) => error.field).sort();

const createCheckout = (
  body: Record<string, unknown>,
  options: { key?: string; headers?: Record<string, string>; via?: ServiceProcess } = {},
): Promise<ApiAnswer<CheckoutSessionResourceV1>> =>
  harness.request<CheckoutSessionResourceV1>('POST', PUBLIC_API_PATHS.checkout, {
    body: { customer_id: buyer.id, mode: 'payment', product_id: report, ...body },
    ...options,
  });

const checkoutNow = async (id: string): Promise<CheckoutSessionResourceV1> => {
  const answer = await harness.request<CheckoutSessionResourceV1>(
    'GET',
    PUBLIC_API_PATHS.checkoutSession(id),
  );
  expect(answer.status).toBe(200);
  return answer.body;
};

/** Pays on the sandbox's hosted page as a person would, not following its redirect. */
const pay = (checkout: CheckoutSessionResourceV1, cardNumber: string): Promise<Response> =>
  fetch(defined(checkout.url, 'the hosted page'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      email: 'buyer@example.com',
      name: 'Ada Buyer',
      card_number: cardNumber,
      card_expiry: '12 / 34',
      card_cvc: '123',
    }).toString(),
    redirect: 'manual',
  });

/** A page of the gateway, without a key. */
const page = async (path: string): Promise<{ status: number; headers: Headers; text: string }> => {
  const response = await fetch(`${harness.gateway.url}${path}`);
  return { status: response.status, headers: response.headers, text: await response.text() };
};

const checkoutRows = async (): Promise<number> => {
  const [row] = await harness.sql.query<{ count: string }[]>(
    `SELECT count(*) AS count FROM "billing"."checkout_sessions"`,
  );
  return Number(row?.count);
};

beforeAll(async () => {
  harness = await GatewayHarness.start({ replicas: 1, withIngest: true, withSubscriptions: true });
  for (const [id, pricingType, price] of [
    [report, 'outcome', 99_900],
    [calls, 'usage', 10],
  ] as const) {
    const answer = await harness.request('POST', PUBLIC_API_PATHS.products, {
      body: {
        id,
        name: `GEOINT report <b>${id}</b>`,
        pricing_type: pricingType,
        base_price_cents: price,
        currency: 'usd',
      },
    });
    if (answer.status !== 201) throw new Error(`product not created: ${JSON.stringify(answer)}`);
  }
  [buyer, other] = await Promise.all([harness.createCustomer(), harness.createCustomer()]);
}, 120_000);

afterAll(async () => {
  await harness.stop();
});

describe('POST /api/v1/payment/checkout', () => {
  it('starts Stripe’s hosted page, coming back to the bundled pages by default', async () => {
    const answer = await createCheckout({ quantity: 2 });
    expect(answer.status).toBe(201);
    const checkout = answer.body;
    expect(checkout).toMatchObject({
      object: 'checkout_session',
      customer_id: buyer.id,
      mode: 'payment',
      product_id: report,
      quantity: 2,
      amount_total: 199_800,
      currency: 'usd',
      status: 'open',
      success_url: `${harness.gateway.url}/payment/success?session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${harness.gateway.url}/payment/cancel`,
    });
    expect(checkout.id).toMatch(/^chk_/);
    expect(checkout.url).toMatch(/\/checkout\/pay\/cs_test_/);
    expect(Date.parse(checkout.expires_at)).toBeGreaterThan(Date.now());
    const session = await harness.stripe.checkout.sessions.retrieve(
      checkout.stripe_checkout_session_id,
    );
    expect(session.customer).toBe(buyer.stripe_customer_id);
    expect(session.cancel_url).toBe(checkout.cancel_url);

    const log = await harness.request<ListV1<AuditLogEntryV1>>(
      'GET',
      `${PUBLIC_API_PATHS.auditLog}?limit=100`,
    );
    expect(log.body.data.map((entry) => `${entry.action} ${entry.target}`)).toContain(
      `checkout.create ${checkout.id}`,
    );
  });

  it('paid with 4242 on the hosted page: back on the success page, processing then paid, a succeeded transaction', async () => {
    const checkout = (await createCheckout({})).body;
    const paid = await pay(checkout, '4242 4242 4242 4242');
    expect(paid.status).toBe(303);
    const location = defined(paid.headers.get('location'), 'the redirect');
    expect(location).toBe(
      `${harness.gateway.url}/payment/success?session_id=${checkout.stripe_checkout_session_id}`,
    );
    const path = location.slice(harness.gateway.url.length);

    // Reached at once, maybe before the webhook: a styled page, no key, what was bought.
    const first = await page(path);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^text\/html/);
    expect(first.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.text).toContain(`GEOINT report &lt;b&gt;${report}&lt;/b&gt;`);
    expect(first.text).not.toContain('<b>');
    expect(first.text).toContain('999.00 USD');
    expect(first.text).toMatch(/Processing your payment|Payment received/);

    const statusPath = `${PUBLIC_API_PATHS.paymentSuccessStatus}?session_id=${checkout.stripe_checkout_session_id}`;
    const settled = await waitFor(
      async () => {
        const response = await fetch(`${harness.gateway.url}${statusPath}`);
        return (await response.json()) as CheckoutPageStatusV1;
      },
      (status) => status.status === 'paid',
      { what: 'the checkout to be paid through the webhooks', timeoutMs: 30_000 },
    );
    expect(settled).toEqual({
      status: 'paid',
      name: `GEOINT report <b>${report}</b>`,
      quantity: 1,
      amount_total: 99_900,
      currency: 'usd',
    });
    const after = await page(path);
    expect(after.text).toContain('Payment received');
    expect(after.text).not.toContain('<script');
    // Nothing of the customer, nor of Stripe's ids.
    for (const secret of [buyer.id, buyer.email, buyer.stripe_customer_id, checkout.id])
      expect(after.text).not.toContain(defined(secret, 'a customer field'));

    const ledger = await waitFor(
      () => checkoutNow(checkout.id),
      (now) => now.transaction_status === 'succeeded',
      { what: 'the ledger transaction', timeoutMs: 30_000 },
    );
    expect(ledger).toMatchObject({ status: 'paid', url: null });
    expect(ledger.transaction_id).not.toBeNull();
  });

  it('a declined card (…0002) stays on the hosted page and ends as a failed transaction', async () => {
    const checkout = (await createCheckout({})).body;
    const declined = await pay(checkout, '4000000000000002');
    expect(declined.status).toBe(402);
    const failed = await waitFor(
      () => checkoutNow(checkout.id),
      (now) => now.transaction_status === 'failed',
      { what: 'the declined attempt in the ledger', timeoutMs: 30_000 },
    );
    expect(failed.status).toBe('open');
    const shown = await page(
      `${PUBLIC_API_PATHS.paymentSuccess}?session_id=${checkout.stripe_checkout_session_id}`,
    );
    expect(shown.text).toContain('Processing your payment');
  });

  it('refuses a redirect to a host not allowed (an open redirect) with 400 naming the field', async () => {
    const before = await checkoutRows();
    const foreign = await createCheckout({ success_url: 'https://evil.example/phish' });
    expect(foreign.status).toBe(400);
    expect(foreign.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(fieldsOf(foreign)).toEqual(['success_url']);
    const sneaky = await createCheckout({
      success_url: `${harness.gateway.url}.evil.example/`,
      cancel_url: 'javascript:alert(1)',
    });
    expect(sneaky.status).toBe(400);
    expect(fieldsOf(sneaky)).toEqual(['cancel_url', 'success_url']);
    const own = await createCheckout({
      success_url: `${harness.gateway.url}/payment/success?session_id={CHECKOUT_SESSION_ID}&from=shop`,
    });
    expect(own.status).toBe(201);
    expect(await checkoutRows()).toBe(before + 1);
  });

  it('takes its defaults and allowed hosts from PAYMENT_* settings', async () => {
    const configured = await harness.startReplica({
      PAYMENT_ALLOWED_REDIRECT_HOSTS: 'shop.example, pay.example:8443',
      PAYMENT_SUCCESS_URL: 'https://shop.example/thanks?s={CHECKOUT_SESSION_ID}',
    });
    const defaults = await createCheckout({}, { via: configured });
    expect(defaults.status).toBe(201);
    expect(defaults.body.success_url).toBe('https://shop.example/thanks?s={CHECKOUT_SESSION_ID}');
    expect(defaults.body.cancel_url).toBe(`http://127.0.0.1:${configured.port}/payment/cancel`);
    const allowed = await createCheckout(
      { cancel_url: 'https://pay.example:8443/cart' },
      { via: configured },
    );
    expect(allowed.status).toBe(201);
    const wrongPort = await createCheckout(
      { cancel_url: 'https://pay.example/cart' },
      { via: configured },
    );
    expect(fieldsOf(wrongPort)).toEqual(['cancel_url']);
    await configured.stop();
  });

  it('answers bad input with 400 naming each field, and what billing cannot sell', async () => {
    const shape = await harness.request('POST', PUBLIC_API_PATHS.checkout, {
      body: { customer_id: buyer.id, mode: 'rental', quantity: 0 },
    });
    expect(shape.status).toBe(400);
    expect(fieldsOf(shape)).toEqual(['mode', 'quantity']);
    const usage = await createCheckout({ product_id: calls });
    expect(usage.status).toBe(400);
    expect(fieldsOf(usage)).toEqual(['product_id']);
    const noPlan = await createCheckout({ mode: 'subscription', product_id: undefined });
    expect(fieldsOf(noPlan)).toEqual(['plan_id']);
    expect((await createCheckout({ product_id: `none_${run}` })).status).toBe(404);
    const nobody = await createCheckout({ customer_id: `cust_nobody_${run}` });
    expect(nobody.status).toBe(404);
    expect((nobody.body as unknown as ProblemV1).detail).toBe(`no customer cust_nobody_${run}`);
  });

  it('sells a plan by subscription checkout at its Stripe Price, and refuses one to a customer who has a live subscription', async () => {
    const plans = await harness.request<ListV1<PlanResourceV1>>('GET', PUBLIC_API_PATHS.plans);
    const junior = defined(plans.body.data.find((plan) => plan.id === 'junior'));
    const yearly = defined(junior.prices.find((price) => price.billing_interval === 'yearly'));
    const planned = await createCheckout({
      mode: 'subscription',
      product_id: undefined,
      plan_id: 'junior',
      billing_interval: 'yearly',
    });
    expect(planned.status).toBe(201);
    expect(planned.body).toMatchObject({
      mode: 'subscription',
      plan_id: 'junior',
      billing_interval: 'yearly',
      stripe_price_id: yearly.stripe_price_id,
    });
    const principal = await createCheckout({
      mode: 'subscription',
      product_id: undefined,
      plan_id: 'principal',
    });
    expect(principal.status).toBe(400);
    expect(fieldsOf(principal)).toEqual(['plan_id']);
    const stray = await createCheckout({ billing_interval: 'yearly' });
    expect(stray.status).toBe(400);
    expect(fieldsOf(stray)).toEqual(['billing_interval']);

    const subscriber = await harness.createCustomer();
    const method = await harness.stripe.paymentMethods.attach('pm_card_visa', {
      customer: subscriber.stripe_customer_id,
    });
    await harness.stripe.customers.update(subscriber.stripe_customer_id, {
      invoice_settings: { default_payment_method: method.id },
    });
    const subscribed = await harness.request('POST', PUBLIC_API_PATHS.subscriptions, {
      body: { customer_id: subscriber.id, plan_id: 'analyst', billing_interval: 'monthly' },
    });
    expect(subscribed.status).toBe(201);
    const before = await checkoutRows();
    const second = await createCheckout({
      customer_id: subscriber.id,
      mode: 'subscription',
      product_id: undefined,
      plan_id: 'lead',
    });
    expect(second.status).toBe(409);
    expect((second.body as unknown as ProblemV1).code).toBe('subscription_exists');
    expect(await checkoutRows()).toBe(before);
  });

  it('replays an Idempotency-Key’s first answer: one checkout, one Stripe session, another body 422', async () => {
    const key = randomUUID();
    const before = await checkoutRows();
    const first = await createCheckout({ quantity: 3 }, { headers: { 'idempotency-key': key } });
    const again = await createCheckout({ quantity: 3 }, { headers: { 'idempotency-key': key } });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get(IDEMPOTENT_REPLAYED_HEADER)).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.stripe_checkout_session_id).toBe(first.body.stripe_checkout_session_id);
    expect(await checkoutRows()).toBe(before + 1);
    const other = await createCheckout({ quantity: 4 }, { headers: { 'idempotency-key': key } });
    expect(other.status).toBe(422);
  });

  it('lets a customer key start and read its own customer’s checkouts only', async () => {
    const { key } = await harness.createKey(buyer.id, {
      scopes: ['checkout:write', 'checkout:read'],
    });
    const { key: readOnly } = await harness.createKey(buyer.id, { scopes: ['checkout:read'] });
    const own = await createCheckout({}, { key });
    expect(own.status).toBe(201);
    const read = await harness.request('GET', PUBLIC_API_PATHS.checkoutSession(own.body.id), {
      key: readOnly,
    });
    expect(read.status).toBe(200);
    expect((await createCheckout({}, { key: readOnly })).status).toBe(403);
    const theirs = await createCheckout({ customer_id: other.id }, { key });
    expect(theirs.status).toBe(404);
    const othersCheckout = (await createCheckout({ customer_id: other.id })).body;
    const hidden = await harness.request(
      'GET',
      PUBLIC_API_PATHS.checkoutSession(othersCheckout.id),
      {
        key,
      },
    );
    const missing = await harness.request(
      'GET',
      PUBLIC_API_PATHS.checkoutSession('chk_AAAAAAAAAAAAAAAA'),
      { key },
    );
    expect(hidden.status).toBe(404);
    expect(missing.status).toBe(404);
    expect((hidden.body as ProblemV1).title).toBe((missing.body as ProblemV1).title);
  });
});

describe('OpenAPI', () => {
  it('documents the checkout routes, not the pages', async () => {
    const answer = await harness.request<{ paths: Record<string, Record<string, unknown>> }>(
      'GET',
      PUBLIC_API_PATHS.openapi,
      { key: null },
    );
    const paths = answer.body.paths;
    expect(Object.keys(paths['/api/v1/payment/checkout'] ?? {})).toEqual(['post']);
    expect(Object.keys(paths['/api/v1/payment/checkout/{id}'] ?? {})).toEqual(['get']);
    expect(Object.keys(paths).filter((path) => path.startsWith('/payment/'))).toEqual([]);
  });
});

describe('the bundled pages', () => {
  it('answer a link that leads nowhere with a styled 404 that reflects nothing', async () => {
    for (const query of ['', '?session_id=cs_test_doesnotexist', '?session_id=%3Cscript%3Ex']) {
      const answer = await page(`${PUBLIC_API_PATHS.paymentSuccess}${query}`);
      expect(answer.status).toBe(404);
      expect(answer.text).toContain('Checkout not found');
      expect(answer.text).not.toContain('doesnotexist');
      expect(answer.text).not.toContain('<script');
    }
    const status = await fetch(
      `${harness.gateway.url}${PUBLIC_API_PATHS.paymentSuccessStatus}?session_id=nope`,
    );
    expect(status.status).toBe(400);
    const unknown = await fetch(
      `${harness.gateway.url}${PUBLIC_API_PATHS.paymentSuccessStatus}?session_id=cs_test_unknown`,
    );
    expect(unknown.status).toBe(404);
  });

  it('serve the cancel page without a key', async () => {
    const answer = await page(PUBLIC_API_PATHS.paymentCancel);
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('Checkout cancelled');
    expect(answer.headers.get('content-security-policy')).toMatch(/script-src 'nonce-/);
  });
});
