import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '@aegis/testing';
import Stripe from 'stripe';
import { startSandbox, type RunningSandbox, useSandbox } from './sandbox-harness.js';

const SUCCESS_URL = 'https://shop.example/success?session={CHECKOUT_SESSION_ID}';
const CANCEL_URL = 'https://shop.example/cart';

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

  const pagePost = (url: string, form: URLSearchParams): Promise<Response> =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      redirect: 'manual',
    });

  it('creates a payment session with its line items, totals and payment page url', async () => {
    const session = await createPaymentSession({
      client_reference_id: 'order-17',
      metadata: { order: '17' },
    });
    assert.match(session.id, /^cs_test_\w+$/);
    assert.equal(session.object, 'checkout.session');
    assert.equal(session.mode, 'payment');
    assert.equal(session.status, 'open');
    assert.equal(session.payment_status, 'unpaid');
    assert.equal(session.amount_subtotal, 3000);
    assert.equal(session.amount_total, 3000);
    assert.equal(session.currency, 'usd');
    assert.equal(session.customer, null);
    assert.equal(session.customer_creation, 'if_required');
    assert.equal(session.client_reference_id, 'order-17');
    assert.deepEqual(session.metadata, { order: '17' });
    assert.deepEqual(session.payment_method_types, ['card']);
    assert.equal(session.ui_mode, 'hosted_page');
    assert.equal(session.expires_at, session.created + 24 * 60 * 60);
    assert.equal(session.url, `${sandbox.url}/checkout/pay/${session.id}`);
    assert.equal(session.line_items, undefined);

    const lineItems = await stripe.checkout.sessions.listLineItems(session.id);
    assert.deepEqual(
      lineItems.data.map((item) => [item.description, item.quantity, item.amount_total]),
      [
        ['Notebook', 2, 2500],
        ['Pen', 1, 500],
      ],
    );
    const [notebook] = lineItems.data;
    assert.match(notebook?.id ?? '', /^li_/);
    assert.equal(notebook?.object, 'item');
    assert.equal(notebook.price?.unit_amount, 1250);
    const page = await stripe.checkout.sessions.listLineItems(session.id, { limit: 1 });
    assert.equal(page.has_more, true);

    const expanded = await stripe.checkout.sessions.retrieve(session.id, {
      expand: ['line_items', 'line_items.data.price.product'],
    });
    assert.equal(expanded.line_items?.data.length, 2);
    const product = expanded.line_items.data[0]?.price?.product as Stripe.Product;
    assert.equal(product.name, 'Notebook');
  });

  it('completes a payment session through the test helper', async () => {
    const session = await createPaymentSession({
      customer_email: 'helper@example.com',
      customer_creation: 'always',
      payment_intent_data: { description: 'Order 18', metadata: { order: '18' } },
    });
    const completed = await completeWith(session.id, 'pm_card_visa');
    assert.equal(completed.id, session.id);
    assert.equal(completed.status, 'complete');
    assert.equal(completed.payment_status, 'paid');
    assert.equal(completed.url, null);
    assert.equal(completed.customer_details?.email, 'helper@example.com');
    assert.equal(typeof completed.customer, 'string');
    assert.equal(typeof completed.payment_intent, 'string');

    const customer = (await stripe.customers.retrieve(
      completed.customer as string,
    )) as Stripe.Customer;
    assert.equal(customer.email, 'helper@example.com');
    const paymentIntent = await stripe.paymentIntents.retrieve(completed.payment_intent as string);
    assert.equal(paymentIntent.status, 'succeeded');
    assert.equal(paymentIntent.amount, 3000);
    assert.equal(paymentIntent.currency, 'usd');
    assert.equal(paymentIntent.customer, customer.id);
    assert.equal(paymentIntent.description, 'Order 18');
    assert.deepEqual(paymentIntent.metadata, { order: '18' });

    const event = await receiver.waitForEvent('checkout.session.completed', session.id);
    const sent = event.data.object as Stripe.Checkout.Session;
    assert.equal(sent.status, 'complete');
    assert.equal(sent.payment_intent, paymentIntent.id);
    assert.deepEqual(receiver.rejected, []);

    await assert.rejects(completeWith(session.id, 'pm_card_visa'), (error: unknown) => {
      assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError);
      assert.match(error.message, /already been completed/);
      return true;
    });
  });

  it('pays on the hosted page and redirects to the success url', async () => {
    const session = await createPaymentSession();
    const url = session.url ?? '';
    const shown = await fetch(url);
    assert.equal(shown.status, 200);
    assert.match(shown.headers.get('content-type') ?? '', /^text\/html/);
    const html = await shown.text();
    assert.match(html, /Notebook/);
    assert.match(html, /Pen/);
    assert.match(html, /\$30\.00/);
    assert.match(html, /<form method="post">/);
    assert.match(html, /4242 4242 4242 4242/);
    assert.match(html, /5555 5555 5555 4444/);
    assert.match(html, /4000 0000 0000 0002/);
    assert.ok(html.includes(`href="${CANCEL_URL}"`));

    const paid = await pagePost(url, cardForm('4242 4242 4242 4242', 'page@example.com'));
    assert.equal(paid.status, 303);
    assert.equal(
      paid.headers.get('location'),
      `https://shop.example/success?session=${session.id}`,
    );
    const completed = await stripe.checkout.sessions.retrieve(session.id);
    assert.equal(completed.status, 'complete');
    assert.equal(completed.payment_status, 'paid');
    assert.equal(completed.customer_details?.email, 'page@example.com');
    assert.equal(completed.customer_details.name, 'Ada Buyer');
    assert.equal(completed.customer, null);
    const paymentIntent = await stripe.paymentIntents.retrieve(completed.payment_intent as string, {
      expand: ['payment_method'],
    });
    assert.equal(paymentIntent.status, 'succeeded');
    assert.equal((paymentIntent.payment_method as Stripe.PaymentMethod).card?.last4, '4242');

    const again = await fetch(url);
    assert.match(await again.text(), /Payment complete/);
  });

  it('shows a declined card on the page, keeps the session open, then takes another card', async () => {
    const session = await createPaymentSession();
    const url = session.url ?? '';
    const declined = await pagePost(url, cardForm('4000 0000 0000 0002'));
    assert.equal(declined.status, 402);
    const html = await declined.text();
    assert.match(html, /Your card was declined\./);
    assert.match(html, /<form method="post">/);
    const open = await stripe.checkout.sessions.retrieve(session.id);
    assert.equal(open.status, 'open');
    assert.equal(open.payment_status, 'unpaid');
    const failed = await stripe.paymentIntents.list({ limit: 1 });
    assert.equal(failed.data[0]?.status, 'requires_payment_method');
    assert.equal(failed.data[0].last_payment_error?.decline_code, 'generic_decline');

    const invalid = await pagePost(url, cardForm('4242 4242 4242 4241'));
    assert.equal(invalid.status, 402);
    assert.match(await invalid.text(), /Your card number is incorrect\./);

    const paid = await pagePost(url, cardForm('4242424242424242'));
    assert.equal(paid.status, 303);
    assert.equal((await stripe.checkout.sessions.retrieve(session.id)).status, 'complete');
  });

  it('answers a decline through the test helper with a 402 and keeps the session open', async () => {
    const customer = await stripe.customers.create({ email: 'declined@example.com' });
    const session = await createPaymentSession({ customer: customer.id });
    assert.equal(session.customer_creation, null);
    await assert.rejects(
      completeWith(session.id, 'pm_card_chargeDeclinedInsufficientFunds'),
      (error: unknown) => {
        assert.ok(error instanceof Stripe.errors.StripeCardError);
        assert.equal(error.statusCode, 402);
        assert.equal(error.code, 'card_declined');
        assert.equal(error.decline_code, 'insufficient_funds');
        return true;
      },
    );
    const open = await stripe.checkout.sessions.retrieve(session.id);
    assert.equal(open.status, 'open');
    assert.equal(open.payment_intent, null);
    const completed = await completeWith(session.id, 'pm_card_visa');
    assert.equal(completed.status, 'complete');
    assert.equal(completed.customer, customer.id);
    const paymentIntent = await stripe.paymentIntents.retrieve(completed.payment_intent as string);
    assert.equal(paymentIntent.customer, customer.id);
    assert.equal(paymentIntent.status, 'succeeded');
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
    assert.equal(session.amount_total, 1800);
    assert.equal(session.customer_creation, 'always');
    assert.equal(session.invoice_creation, null);

    const completed = await completeWith(session.id, 'pm_card_visa');
    assert.equal(completed.status, 'complete');
    assert.equal(completed.payment_status, 'paid');
    assert.equal(completed.payment_intent, null);
    const customer = (await stripe.customers.retrieve(
      completed.customer as string,
    )) as Stripe.Customer;
    assert.equal(customer.email, 'subscriber@example.com');
    const subscription = await stripe.subscriptions.retrieve(completed.subscription as string);
    assert.equal(subscription.status, 'active');
    assert.equal(subscription.customer, customer.id);
    assert.deepEqual(subscription.metadata, { plan: 'pro' });
    assert.equal(subscription.items.data[0]?.price.id, price.id);
    assert.equal(subscription.items.data[0].quantity, 2);
    const invoice = await stripe.invoices.retrieve(completed.invoice as string);
    assert.equal(invoice.status, 'paid');
    assert.equal(invoice.amount_paid, 1800);
    const paymentMethods = await stripe.customers.listPaymentMethods(customer.id);
    assert.equal(paymentMethods.data.length, 1);

    const event = await receiver.waitForEvent('checkout.session.completed', session.id);
    assert.equal((event.data.object as Stripe.Checkout.Session).subscription, subscription.id);
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
    assert.equal(session.amount_total, 0);
    const completed = await completeWith(session.id, 'pm_card_visa');
    assert.equal(completed.payment_status, 'no_payment_required');
    const subscription = await stripe.subscriptions.retrieve(completed.subscription as string);
    assert.equal(subscription.status, 'trialing');
  });

  it('expires a session on request and refuses to pay or expire it again', async () => {
    const session = await createPaymentSession();
    const expired = await stripe.checkout.sessions.expire(session.id);
    assert.equal(expired.status, 'expired');
    assert.equal(expired.url, null);
    const event = await receiver.waitForEvent('checkout.session.expired', session.id);
    assert.equal((event.data.object as Stripe.Checkout.Session).status, 'expired');
    await assert.rejects(stripe.checkout.sessions.expire(session.id), (error: unknown) => {
      assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError);
      return true;
    });
    await assert.rejects(completeWith(session.id, 'pm_card_visa'), (error: unknown) => {
      assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError);
      assert.match(error.message, /expired/);
      return true;
    });
    const page = await fetch(session.url ?? '');
    assert.match(await page.text(), /has expired/);
    const post = await pagePost(session.url ?? '', cardForm('4242424242424242'));
    assert.doesNotMatch(await post.text(), /<form/);
    assert.equal((await stripe.checkout.sessions.retrieve(session.id)).status, 'expired');
  });

  it("expires a session when its customer's test clock passes expires_at", async () => {
    const start = Math.floor(Date.now() / 1000) - 3600;
    const testClock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
    const customer = await stripe.customers.create({ test_clock: testClock.id });
    const session = await createPaymentSession({ customer: customer.id });
    assert.equal(session.created, start);
    assert.equal(session.expires_at, start + 24 * 60 * 60);
    const shortLived = await createPaymentSession({
      customer: customer.id,
      expires_at: start + 2 * 60 * 60,
    });
    assert.equal(shortLived.expires_at, start + 2 * 60 * 60);

    await stripe.testHelpers.testClocks.advance(testClock.id, { frozen_time: start + 3 * 60 * 60 });
    await waitFor(
      () => stripe.testHelpers.testClocks.retrieve(testClock.id),
      (clock) => clock.status === 'ready',
      { timeoutMs: 10_000, what: 'test clock ready' },
    );
    assert.equal((await stripe.checkout.sessions.retrieve(shortLived.id)).status, 'expired');
    assert.equal((await stripe.checkout.sessions.retrieve(session.id)).status, 'open');
    const event = await receiver.waitForEvent('checkout.session.expired', shortLived.id);
    assert.equal(event.created, start + 3 * 60 * 60);

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
    assert.deepEqual(
      byCustomer.data.map((session) => session.id),
      [open.id, paid.id],
    );
    const openOnes = await stripe.checkout.sessions.list({
      customer: customer.id,
      status: 'open',
    });
    assert.deepEqual(
      openOnes.data.map((session) => session.id),
      [open.id],
    );
    const byIntent = await stripe.checkout.sessions.list({
      payment_intent: paid.payment_intent as string,
    });
    assert.deepEqual(
      byIntent.data.map((session) => session.id),
      [paid.id],
    );
    const bySubscription = await stripe.checkout.sessions.list({ subscription: 'sub_missing' });
    assert.equal(bySubscription.data.length, 0);
    const byEmail = await stripe.checkout.sessions.list({
      customer_details: { email: 'lister@example.com' },
    });
    assert.deepEqual(
      byEmail.data.map((session) => session.id),
      [paid.id],
    );
    const later = await stripe.checkout.sessions.list({
      customer: customer.id,
      created: { gt: open.created + 10 },
    });
    assert.equal(later.data.length, 0);
    const withItems = await stripe.checkout.sessions.list({
      customer: customer.id,
      limit: 1,
      expand: ['data.line_items'],
    });
    assert.equal(withItems.has_more, true);
    assert.equal(withItems.data[0]?.line_items?.data.length, 2);
  });

  it('rejects what Stripe rejects', async () => {
    const expectInvalid = async (
      params: Stripe.Checkout.SessionCreateParams,
      param: string | undefined,
    ): Promise<void> => {
      await assert.rejects(stripe.checkout.sessions.create(params), (error: unknown) => {
        assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError, String(error));
        assert.equal(error.param, param);
        return true;
      });
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
    await assert.rejects(
      stripe.checkout.sessions.create({
        mode: 'payment',
        line_items: [item],
        colour: 'red',
      } as Stripe.Checkout.SessionCreateParams),
      (error: unknown) => {
        assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError);
        assert.equal(error.code, 'parameter_unknown');
        return true;
      },
    );
    await assert.rejects(stripe.checkout.sessions.retrieve('cs_test_missing'), (error: unknown) => {
      assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError);
      assert.equal(error.statusCode, 404);
      assert.equal(error.code, 'resource_missing');
      return true;
    });
    const missingPage = await fetch(`${sandbox.url}/checkout/pay/cs_test_missing`);
    assert.equal(missingPage.status, 404);
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
    const html = await (await fetch(session.url ?? '')).text();
    assert.match(html, /&lt;script&gt;alert\(&quot;item&quot;\)&lt;\/script&gt;/);
    assert.doesNotMatch(html, /<script/);
    const paid = await pagePost(session.url ?? '', cardForm('4242424242424242'));
    assert.equal(paid.status, 200);
    assert.match(await paid.text(), /Payment complete/);
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
    assert.match(secret, /^whsec_/);

    const overview = await fetch(`${sandbox.url}/_sandbox`);
    assert.equal(overview.status, 200);
    assert.match(overview.headers.get('content-type') ?? '', /^text\/html/);
    const html = await overview.text();
    assert.ok(html.includes(`/_sandbox/objects/${customer.id}`));
    assert.ok(html.includes(`/_sandbox/objects/${session.id}`));
    assert.ok(html.includes('https://hooks.example/stripe'));
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.doesNotMatch(html, /<img/);
    assert.ok(!html.includes(secret));
    assert.ok(
      html.indexOf(`/_sandbox/objects/${newer.id}`) <
        html.indexOf(`/_sandbox/objects/${customer.id}`),
      'newest first',
    );
    assert.match(html, /customer\.created/);

    const customerPage = await (
      await fetch(`${sandbox.url}/_sandbox/objects/${customer.id}`)
    ).text();
    assert.ok(customerPage.includes('&quot;email&quot;: &quot;dashboard@example.com&quot;'));
    assert.ok(customerPage.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.doesNotMatch(customerPage, /<img/);
    const sessionPage = await (await fetch(`${sandbox.url}/_sandbox/objects/${session.id}`)).text();
    assert.ok(sessionPage.includes(`href="/_sandbox/objects/${customer.id}"`));
    const endpointPage = await (
      await fetch(`${sandbox.url}/_sandbox/objects/${endpoint.id}`)
    ).text();
    assert.ok(endpointPage.includes('https://hooks.example/stripe'));
    assert.ok(!endpointPage.includes(secret));
    const missing = await fetch(`${sandbox.url}/_sandbox/objects/cus_missing`);
    assert.equal(missing.status, 404);
  });
});

describe('sandbox checkout with SANDBOX_PUBLIC_URL', () => {
  let sandbox: RunningSandbox;

  before(async () => {
    sandbox = await startSandbox({ SANDBOX_PUBLIC_URL: 'https://pay.example:8443/sandbox/' });
  });

  after(async () => {
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
    assert.equal(session.url, `https://pay.example:8443/sandbox/checkout/pay/${session.id}`);
    const page = await fetch(`${sandbox.url}/checkout/pay/${session.id}`);
    assert.match(await page.text(), /€9\.90/);
  });
});
