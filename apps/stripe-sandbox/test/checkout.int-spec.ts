import { afterAll, beforeAll, describe, it, expect } from '@jest/globals';
import { defined, rejectionOf, waitFor } from '@aegis/testing';
import Stripe from 'stripe';
import request from 'supertest';
import { startSandbox, type RunningSandbox, useSandbox } from './sandbox-harness.js';

const SUCCESS_URL = 'https://shop.example/success?session={CHECKOUT_SESSION_ID}';
const CANCEL_URL = 'https://shop.example/cart';

/**
 * The path of a page of the sandbox's (the sandbox runs in this process, so
 * its pages are requested from its HTTP server directly).
 */
function pathOf(url: string | null): string {
  return new URL(defined(url, 'the url')).pathname;
}

/** The form the payment page posts, filled in as a person would. */
function cardForm(cardNumber: string, email = 'buyer@example.com'): URLSearchParams {
  return new URLSearchParams({
    email,
    name: 'Ada Buyer',
    card_number: cardNumber,
    card_expiry: '12 / 34',
    card_cvc: '123',
  });
}

describe('sandbox checkout sessions', () => {
  const { sandbox, stripe, receiver } = useSandbox();

  const completeWith = async (
    sessionId: string,
    paymentMethod: string,
  ): Promise<Stripe.Checkout.Session> =>
    (await stripe.rawRequest('POST', `/v1/test_helpers/checkout/sessions/${sessionId}/complete`, {
      payment_method: paymentMethod,
    })) as Stripe.Checkout.Session;

  const createPaymentSession = (
    extra: Partial<Stripe.Checkout.SessionCreateParams> = {},
  ): Promise<Stripe.Checkout.Session> =>
    stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [
        {
          price_data: { currency: 'usd', unit_amount: 1250, product_data: { name: 'Notebook' } },
          quantity: 2,
        },
        {
          price_data: { currency: 'usd', unit_amount: 500, product_data: { name: 'Pen' } },
          quantity: 1,
        },
      ],
      success_url: SUCCESS_URL,
      cancel_url: CANCEL_URL,
      ...extra,
    });

  /** A page of the sandbox, requested from its HTTP server. */
  const page = (path: string): request.Test =>
    request(sandbox.service.app.getHttpServer()).get(path);

  /** Posts the form to a page, not following the redirect it answers with. */
  const pagePost = (path: string, form: URLSearchParams): request.Test =>
    request(sandbox.service.app.getHttpServer()).post(path).type('form').send(form.toString());

  it('creates a payment session with its line items, totals and payment page url', async () => {
    const session = await createPaymentSession({
      client_reference_id: 'order-17',
      metadata: { order: '17' },
    });
    expect(session.id).toMatch(/^cs_test_\w+$/);
    expect(session.object).toBe('checkout.session');
    expect(session.mode).toBe('payment');
    expect(session.status).toBe('open');
    expect(session.payment_status).toBe('unpaid');
    expect(session.amount_subtotal).toBe(3000);
    expect(session.amount_total).toBe(3000);
    expect(session.currency).toBe('usd');
    expect(session.customer).toBe(null);
    expect(session.customer_creation).toBe('if_required');
    expect(session.client_reference_id).toBe('order-17');
    expect(session.metadata).toStrictEqual({ order: '17' });
    expect(session.payment_method_types).toStrictEqual(['card']);
    expect(session.ui_mode).toBe('hosted_page');
    expect(session.expires_at).toBe(session.created + 24 * 60 * 60);
    expect(session.url).toBe(`${sandbox.url}/checkout/pay/${session.id}`);
    expect(session.line_items).toBe(undefined);

    const lineItems = await stripe.checkout.sessions.listLineItems(session.id);
    expect(
      lineItems.data.map((item) => [item.description, item.quantity, item.amount_total]),
    ).toStrictEqual([
      ['Notebook', 2, 2500],
      ['Pen', 1, 500],
    ]);
    const notebook = defined(lineItems.data[0], 'the first line item');
    expect(notebook.id).toMatch(/^li_/);
    expect(notebook.object).toBe('item');
    expect(notebook.price?.unit_amount).toBe(1250);
    const page = await stripe.checkout.sessions.listLineItems(session.id, { limit: 1 });
    expect(page.has_more).toBe(true);

    const expanded = await stripe.checkout.sessions.retrieve(session.id, {
      expand: ['line_items', 'line_items.data.price.product'],
    });
    const expandedItems = defined(expanded.line_items, 'the expanded line items');
    expect(expandedItems.data.length).toBe(2);
    const product = expandedItems.data[0]?.price?.product as Stripe.Product;
    expect(product.name).toBe('Notebook');
  });

  it('completes a payment session through the test helper', async () => {
    const session = await createPaymentSession({
      customer_email: 'helper@example.com',
      customer_creation: 'always',
      payment_intent_data: { description: 'Order 18', metadata: { order: '18' } },
    });
    const completed = await completeWith(session.id, 'pm_card_visa');
    expect(completed.id).toBe(session.id);
    expect(completed.status).toBe('complete');
    expect(completed.payment_status).toBe('paid');
    expect(completed.url).toBe(null);
    expect(completed.customer_details?.email).toBe('helper@example.com');
    expect(typeof completed.customer).toBe('string');
    expect(typeof completed.payment_intent).toBe('string');

    const customer = (await stripe.customers.retrieve(
      completed.customer as string,
    )) as Stripe.Customer;
    expect(customer.email).toBe('helper@example.com');
    const paymentIntent = await stripe.paymentIntents.retrieve(completed.payment_intent as string);
    expect(paymentIntent.status).toBe('succeeded');
    expect(paymentIntent.amount).toBe(3000);
    expect(paymentIntent.currency).toBe('usd');
    expect(paymentIntent.customer).toBe(customer.id);
    expect(paymentIntent.description).toBe('Order 18');
    expect(paymentIntent.metadata).toStrictEqual({ order: '18' });

    const event = await receiver.waitForEvent('checkout.session.completed', session.id);
    const sent = event.data.object as Stripe.Checkout.Session;
    expect(sent.status).toBe('complete');
    expect(sent.payment_intent).toBe(paymentIntent.id);
    expect(receiver.rejected).toStrictEqual([]);

    const twice = await rejectionOf(
      completeWith(session.id, 'pm_card_visa'),
      Stripe.errors.StripeInvalidRequestError,
    );
    expect(twice.message).toMatch(/already been completed/);
  });

  it('pays on the hosted page and redirects to the success url', async () => {
    const session = await createPaymentSession();
    const url = pathOf(session.url);
    const shown = await page(url);
    expect(shown.status).toBe(200);
    expect(shown.get('content-type')).toMatch(/^text\/html/);
    const html = shown.text;
    expect(html).toMatch(/Notebook/);
    expect(html).toMatch(/Pen/);
    expect(html).toMatch(/\$30\.00/);
    expect(html).toMatch(/<form method="post">/);
    expect(html).toMatch(/4242 4242 4242 4242/);
    expect(html).toMatch(/5555 5555 5555 4444/);
    expect(html).toMatch(/4000 0000 0000 0002/);
    expect(html).toContain(`href="${CANCEL_URL}"`);

    const paid = await pagePost(url, cardForm('4242 4242 4242 4242', 'page@example.com'));
    expect(paid.status).toBe(303);
    expect(paid.get('location')).toBe(`https://shop.example/success?session=${session.id}`);
    const completed = await stripe.checkout.sessions.retrieve(session.id);
    expect(completed.status).toBe('complete');
    expect(completed.payment_status).toBe('paid');
    const customerDetails = defined(completed.customer_details, 'the customer details');
    expect(customerDetails.email).toBe('page@example.com');
    expect(customerDetails.name).toBe('Ada Buyer');
    expect(completed.customer).toBe(null);
    const paymentIntent = await stripe.paymentIntents.retrieve(completed.payment_intent as string, {
      expand: ['payment_method'],
    });
    expect(paymentIntent.status).toBe('succeeded');
    expect((paymentIntent.payment_method as Stripe.PaymentMethod).card?.last4).toBe('4242');

    const again = await page(url);
    expect(again.text).toMatch(/Payment complete/);
  });

  it('shows a declined card on the page, keeps the session open, then takes another card', async () => {
    const session = await createPaymentSession();
    const url = pathOf(session.url);
    const declined = await pagePost(url, cardForm('4000 0000 0000 0002'));
    expect(declined.status).toBe(402);
    const html = declined.text;
    expect(html).toMatch(/Your card was declined\./);
    expect(html).toMatch(/<form method="post">/);
    const open = await stripe.checkout.sessions.retrieve(session.id);
    expect(open.status).toBe('open');
    expect(open.payment_status).toBe('unpaid');
    const failed = await stripe.paymentIntents.list({ limit: 1 });
    const failedIntent = defined(failed.data[0], 'the latest payment intent');
    expect(failedIntent.status).toBe('requires_payment_method');
    expect(failedIntent.last_payment_error?.decline_code).toBe('generic_decline');

    const invalid = await pagePost(url, cardForm('4242 4242 4242 4241'));
    expect(invalid.status).toBe(402);
    expect(invalid.text).toMatch(/Your card number is incorrect\./);

    const paid = await pagePost(url, cardForm('4242424242424242'));
    expect(paid.status).toBe(303);
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('complete');
  });

  it('answers a decline through the test helper with a 402 and keeps the session open', async () => {
    const customer = await stripe.customers.create({ email: 'declined@example.com' });
    const session = await createPaymentSession({ customer: customer.id });
    expect(session.customer_creation).toBe(null);
    const declined = await rejectionOf(
      completeWith(session.id, 'pm_card_chargeDeclinedInsufficientFunds'),
      Stripe.errors.StripeCardError,
    );
    expect(declined.statusCode).toBe(402);
    expect(declined.code).toBe('card_declined');
    expect(declined.decline_code).toBe('insufficient_funds');
    const open = await stripe.checkout.sessions.retrieve(session.id);
    expect(open.status).toBe('open');
    expect(open.payment_intent).toBe(null);
    const completed = await completeWith(session.id, 'pm_card_visa');
    expect(completed.status).toBe('complete');
    expect(completed.customer).toBe(customer.id);
    const paymentIntent = await stripe.paymentIntents.retrieve(completed.payment_intent as string);
    expect(paymentIntent.customer).toBe(customer.id);
    expect(paymentIntent.status).toBe('succeeded');
  });

  it('starts a subscription with a customer and a paid invoice in subscription mode', async () => {
    const price = await stripe.prices.create({
      currency: 'usd',
      unit_amount: 900,
      recurring: { interval: 'month' },
      product_data: { name: 'Pro plan' },
    });
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: price.id, quantity: 2 }],
      customer_email: 'subscriber@example.com',
      subscription_data: { metadata: { plan: 'pro' } },
      success_url: SUCCESS_URL,
    });
    expect(session.amount_total).toBe(1800);
    expect(session.customer_creation).toBe('always');
    expect(session.invoice_creation).toBe(null);

    const completed = await completeWith(session.id, 'pm_card_visa');
    expect(completed.status).toBe('complete');
    expect(completed.payment_status).toBe('paid');
    expect(completed.payment_intent).toBe(null);
    const customer = (await stripe.customers.retrieve(
      completed.customer as string,
    )) as Stripe.Customer;
    expect(customer.email).toBe('subscriber@example.com');
    const subscription = await stripe.subscriptions.retrieve(completed.subscription as string);
    expect(subscription.status).toBe('active');
    expect(subscription.customer).toBe(customer.id);
    expect(subscription.metadata).toStrictEqual({ plan: 'pro' });
    const item = defined(subscription.items.data[0], 'the subscription item');
    expect(item.price.id).toBe(price.id);
    expect(item.quantity).toBe(2);
    const invoice = await stripe.invoices.retrieve(completed.invoice as string);
    expect(invoice.status).toBe('paid');
    expect(invoice.amount_paid).toBe(1800);
    const paymentMethods = await stripe.customers.listPaymentMethods(customer.id);
    expect(paymentMethods.data.length).toBe(1);

    const event = await receiver.waitForEvent('checkout.session.completed', session.id);
    expect((event.data.object as Stripe.Checkout.Session).subscription).toBe(subscription.id);
  });

  it('starts a trial with nothing to pay today', async () => {
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [
        {
          price_data: {
            currency: 'usd',
            unit_amount: 2000,
            recurring: { interval: 'month' },
            product_data: { name: 'Team plan' },
          },
          quantity: 1,
        },
      ],
      subscription_data: { trial_period_days: 14 },
      success_url: SUCCESS_URL,
    });
    expect(session.amount_total).toBe(0);
    const completed = await completeWith(session.id, 'pm_card_visa');
    expect(completed.payment_status).toBe('no_payment_required');
    const subscription = await stripe.subscriptions.retrieve(completed.subscription as string);
    expect(subscription.status).toBe('trialing');
  });

  it('expires a session on request and refuses to pay or expire it again', async () => {
    const session = await createPaymentSession();
    const expired = await stripe.checkout.sessions.expire(session.id);
    expect(expired.status).toBe('expired');
    expect(expired.url).toBe(null);
    const event = await receiver.waitForEvent('checkout.session.expired', session.id);
    expect((event.data.object as Stripe.Checkout.Session).status).toBe('expired');
    await rejectionOf(
      stripe.checkout.sessions.expire(session.id),
      Stripe.errors.StripeInvalidRequestError,
    );
    const payExpired = await rejectionOf(
      completeWith(session.id, 'pm_card_visa'),
      Stripe.errors.StripeInvalidRequestError,
    );
    expect(payExpired.message).toMatch(/expired/);
    const shown = await page(pathOf(session.url));
    expect(shown.text).toMatch(/has expired/);
    const post = await pagePost(pathOf(session.url), cardForm('4242424242424242'));
    expect(post.text).not.toMatch(/<form/);
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('expired');
  });

  it("expires a session when its customer's test clock passes expires_at", async () => {
    const start = Math.floor(Date.now() / 1000) - 3600;
    const testClock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
    const customer = await stripe.customers.create({ test_clock: testClock.id });
    const session = await createPaymentSession({ customer: customer.id });
    expect(session.created).toBe(start);
    expect(session.expires_at).toBe(start + 24 * 60 * 60);
    const shortLived = await createPaymentSession({
      customer: customer.id,
      expires_at: start + 2 * 60 * 60,
    });
    expect(shortLived.expires_at).toBe(start + 2 * 60 * 60);

    await stripe.testHelpers.testClocks.advance(testClock.id, { frozen_time: start + 3 * 60 * 60 });
    await waitFor(
      () => stripe.testHelpers.testClocks.retrieve(testClock.id),
      (clock) => clock.status === 'ready',
      { timeoutMs: 10_000, what: 'test clock ready' },
    );
    expect((await stripe.checkout.sessions.retrieve(shortLived.id)).status).toBe('expired');
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
    const event = await receiver.waitForEvent('checkout.session.expired', shortLived.id);
    expect(event.created).toBe(start + 3 * 60 * 60);

    await stripe.testHelpers.testClocks.advance(testClock.id, {
      frozen_time: start + 25 * 60 * 60,
    });
    await waitFor(
      () => stripe.checkout.sessions.retrieve(session.id),
      (current) => current.status === 'expired',
      { timeoutMs: 10_000, what: 'session expired by the test clock' },
    );
  });

  it('lists sessions by customer, payment intent, subscription, status and created', async () => {
    const customer = await stripe.customers.create({ email: 'lister@example.com' });
    const paid = await completeWith(
      (await createPaymentSession({ customer: customer.id })).id,
      'pm_card_visa',
    );
    const open = await createPaymentSession({ customer: customer.id });
    const byCustomer = await stripe.checkout.sessions.list({ customer: customer.id });
    expect(byCustomer.data.map((session) => session.id)).toStrictEqual([open.id, paid.id]);
    const openOnes = await stripe.checkout.sessions.list({
      customer: customer.id,
      status: 'open',
    });
    expect(openOnes.data.map((session) => session.id)).toStrictEqual([open.id]);
    const byIntent = await stripe.checkout.sessions.list({
      payment_intent: paid.payment_intent as string,
    });
    expect(byIntent.data.map((session) => session.id)).toStrictEqual([paid.id]);
    const bySubscription = await stripe.checkout.sessions.list({ subscription: 'sub_missing' });
    expect(bySubscription.data.length).toBe(0);
    const byEmail = await stripe.checkout.sessions.list({
      customer_details: { email: 'lister@example.com' },
    });
    expect(byEmail.data.map((session) => session.id)).toStrictEqual([paid.id]);
    const later = await stripe.checkout.sessions.list({
      customer: customer.id,
      created: { gt: open.created + 10 },
    });
    expect(later.data.length).toBe(0);
    const withItems = await stripe.checkout.sessions.list({
      customer: customer.id,
      limit: 1,
      expand: ['data.line_items'],
    });
    expect(withItems.has_more).toBe(true);
    expect(withItems.data[0]?.line_items?.data.length).toBe(2);
  });

  it('rejects what Stripe rejects', async () => {
    const expectInvalid = async (
      params: Stripe.Checkout.SessionCreateParams,
      param: string | undefined,
    ): Promise<void> => {
      const error = await rejectionOf(
        stripe.checkout.sessions.create(params),
        Stripe.errors.StripeInvalidRequestError,
      );
      expect(error.param).toBe(param);
    };
    const item = {
      price_data: { currency: 'usd', unit_amount: 100, product_data: { name: 'Thing' } },
      quantity: 1,
    };
    await expectInvalid({ line_items: [item] }, 'mode');
    await expectInvalid({ mode: 'payment' }, 'line_items');
    await expectInvalid(
      { mode: 'payment', line_items: [{ price_data: item.price_data }] },
      'line_items[0][quantity]',
    );
    await expectInvalid(
      { mode: 'payment', line_items: [item], customer: 'cus_missing' },
      'customer',
    );
    const recurring = await stripe.prices.create({
      currency: 'usd',
      unit_amount: 100,
      recurring: { interval: 'month' },
      product_data: { name: 'Monthly' },
    });
    await expectInvalid(
      { mode: 'payment', line_items: [{ price: recurring.id, quantity: 1 }] },
      'line_items[0][price]',
    );
    await expectInvalid({ mode: 'subscription', line_items: [item] }, 'line_items');
    const customer = await stripe.customers.create({});
    await expectInvalid(
      {
        mode: 'payment',
        line_items: [item],
        customer: customer.id,
        customer_email: 'x@example.com',
      },
      'customer_email',
    );
    await expectInvalid(
      { mode: 'payment', line_items: [item], expires_at: Math.floor(Date.now() / 1000) + 60 },
      'expires_at',
    );
    await expectInvalid(
      { mode: 'payment', line_items: [item], subscription_data: { trial_period_days: 3 } },
      'subscription_data',
    );
    await expectInvalid(
      { mode: 'payment', line_items: [item], success_url: 'nope' },
      'success_url',
    );
    await expectInvalid(
      { mode: 'payment', line_items: [item], ui_mode: 'embedded_page' },
      'ui_mode',
    );
    const unknown = await rejectionOf(
      stripe.checkout.sessions.create({
        mode: 'payment',
        line_items: [item],
        colour: 'red',
      } as Stripe.Checkout.SessionCreateParams),
      Stripe.errors.StripeInvalidRequestError,
    );
    expect(unknown.code).toBe('parameter_unknown');
    const missing = await rejectionOf(
      stripe.checkout.sessions.retrieve('cs_test_missing'),
      Stripe.errors.StripeInvalidRequestError,
    );
    expect(missing.statusCode).toBe(404);
    expect(missing.code).toBe('resource_missing');
    const missingPage = await page('/checkout/pay/cs_test_missing');
    expect(missingPage.status).toBe(404);
  });

  it('escapes what customers type on the payment page', async () => {
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [
        {
          price_data: {
            currency: 'usd',
            unit_amount: 700,
            product_data: { name: '<script>alert("item")</script>' },
          },
          quantity: 1,
        },
      ],
    });
    const html = (await page(pathOf(session.url))).text;
    expect(html).toMatch(/&lt;script&gt;alert\(&quot;item&quot;\)&lt;\/script&gt;/);
    expect(html).not.toMatch(/<script/);
    const paid = await pagePost(pathOf(session.url), cardForm('4242424242424242'));
    expect(paid.status).toBe(200);
    expect(paid.text).toMatch(/Payment complete/);
  });

  it('lists what was made on /_sandbox, escaped, with each object and no secrets', async () => {
    const customer = await stripe.customers.create({
      name: '<img src=x onerror=alert(1)>',
      email: 'dashboard@example.com',
    });
    const newer = await stripe.customers.create({ email: 'newer@example.com' });
    const session = await createPaymentSession({ customer: customer.id });
    const endpoint = await stripe.webhookEndpoints.create({
      url: 'https://hooks.example/stripe',
      enabled_events: ['checkout.session.completed'],
    });
    const secret = endpoint.secret ?? '';
    expect(secret).toMatch(/^whsec_/);

    const overview = await page('/_sandbox');
    expect(overview.status).toBe(200);
    expect(overview.get('content-type')).toMatch(/^text\/html/);
    const html = overview.text;
    expect(html).toContain(`/_sandbox/objects/${customer.id}`);
    expect(html).toContain(`/_sandbox/objects/${session.id}`);
    expect(html).toContain('https://hooks.example/stripe');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toMatch(/<img/);
    expect(html).not.toContain(secret);
    expect(html.indexOf(`/_sandbox/objects/${newer.id}`)).toBeLessThan(
      html.indexOf(`/_sandbox/objects/${customer.id}`),
    );
    expect(html).toMatch(/customer\.created/);

    const customerPage = (await page(`/_sandbox/objects/${customer.id}`)).text;
    expect(customerPage).toContain('&quot;email&quot;: &quot;dashboard@example.com&quot;');
    expect(customerPage).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(customerPage).not.toMatch(/<img/);
    const sessionPage = (await page(`/_sandbox/objects/${session.id}`)).text;
    expect(sessionPage).toContain(`href="/_sandbox/objects/${customer.id}"`);
    const endpointPage = (await page(`/_sandbox/objects/${endpoint.id}`)).text;
    expect(endpointPage).toContain('https://hooks.example/stripe');
    expect(endpointPage).not.toContain(secret);
    const missing = await page('/_sandbox/objects/cus_missing');
    expect(missing.status).toBe(404);
  });
});

describe('sandbox checkout with SANDBOX_PUBLIC_URL', () => {
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ SANDBOX_PUBLIC_URL: 'https://pay.example:8443/sandbox/' });
  });

  afterAll(async () => {
    delete process.env.SANDBOX_PUBLIC_URL;
    await sandbox.stop();
  });

  it('puts the payment page under the public base url', async () => {
    const session = await sandbox.stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [
        {
          price_data: { currency: 'eur', unit_amount: 990, product_data: { name: 'Ticket' } },
          quantity: 1,
        },
      ],
    });
    expect(session.url).toBe(`https://pay.example:8443/sandbox/checkout/pay/${session.id}`);
    const shown = await request(sandbox.service.app.getHttpServer()).get(
      `/checkout/pay/${session.id}`,
    );
    expect(shown.text).toMatch(/€9\.90/);
  });
});
