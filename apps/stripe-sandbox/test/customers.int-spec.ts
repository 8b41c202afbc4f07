import { describe, it, expect } from '@jest/globals';
import { defined, rejectionOf } from '@aegis/testing';
import Stripe from 'stripe';
import { useSandbox } from './sandbox-harness.js';

describe('sandbox customers and payment methods', () => {
  const { sandbox, stripe, receiver } = useSandbox();

  it('creates, retrieves, updates, lists and deletes a customer', async () => {
    const customer = await stripe.customers.create({
      email: 'ada@example.com',
      name: 'Ada',
      metadata: { plan: 'pro' },
    });
    expect(customer.id).toMatch(/^cus_/);
    expect(customer.object).toBe('customer');
    expect(customer.livemode).toBe(false);
    const updated = await stripe.customers.update(customer.id, {
      metadata: { plan: '', tier: 'gold' },
    });
    expect(updated.metadata).toStrictEqual({ tier: 'gold' });
    const fetched = await stripe.customers.retrieve(customer.id);
    expect((fetched as Stripe.Customer).email).toBe('ada@example.com');
    const listed = await stripe.customers.list({ email: 'ada@example.com' });
    expect(listed.data.map((c) => c.id)).toStrictEqual([customer.id]);
    const deleted = await stripe.customers.del(customer.id);
    expect(deleted.deleted).toBe(true);
    const missing = await rejectionOf(
      stripe.customers.retrieve(customer.id),
      Stripe.errors.StripeInvalidRequestError,
    );
    expect(missing.code).toBe('resource_missing');
    expect(missing.statusCode).toBe(404);
    const updatedEvent = await receiver.waitForEvent('customer.updated', customer.id);
    const previous = (updatedEvent as Stripe.CustomerUpdatedEvent).data.previous_attributes;
    expect(previous?.metadata).toStrictEqual({ plan: 'pro' });
  });

  it('answers a Stripe path it does not serve as an unrecognized URL, not as an object id', async () => {
    const unserved: [Promise<unknown>, string][] = [
      [stripe.customers.search({ query: "email:'ada@example.com'" }), 'GET: /v1/customers/search'],
      [stripe.rawRequest('GET', '/v1/invoices/create_preview'), 'GET: /v1/invoices/create_preview'],
      [stripe.rawRequest('GET', '/v1/invoices/upcoming'), 'GET: /v1/invoices/upcoming'],
    ];
    for (const [request, route] of unserved) {
      const error = await rejectionOf(request, Stripe.errors.StripeInvalidRequestError);
      expect(error.statusCode).toBe(404);
      expect(error.message).toMatch(new RegExp(`^Unrecognized request URL \\(${route}\\)`));
      expect(error.param).toBeUndefined();
    }
  });

  it('attaches a test card and makes it the default payment method', async () => {
    const customer = await stripe.customers.create({ email: 'bob@example.com' });
    const paymentMethod = await stripe.paymentMethods.attach('pm_card_visa', {
      customer: customer.id,
    });
    expect(paymentMethod.id).toMatch(/^pm_/);
    expect(paymentMethod.id).not.toBe('pm_card_visa');
    const card = defined(paymentMethod.card, 'the card');
    expect(card.last4).toBe('4242');
    expect(card.brand).toBe('visa');
    const updated = await stripe.customers.update(customer.id, {
      invoice_settings: { default_payment_method: paymentMethod.id },
    });
    expect(updated.invoice_settings.default_payment_method).toBe(paymentMethod.id);
    const expanded = await stripe.customers.retrieve(customer.id, {
      expand: ['invoice_settings.default_payment_method'],
    });
    const expandedMethod = (expanded as Stripe.Customer).invoice_settings
      .default_payment_method as Stripe.PaymentMethod;
    expect(expandedMethod.card?.last4).toBe('4242');
    const methods = await stripe.customers.listPaymentMethods(customer.id);
    expect(methods.data.map((method) => method.id)).toStrictEqual([paymentMethod.id]);
    const byNumber = await stripe.paymentMethods.create({
      type: 'card',
      card: { number: '4000000000000002', exp_month: 12, exp_year: 2040, cvc: '123' },
    });
    expect(byNumber.card?.last4).toBe('0002');
    const detached = await stripe.paymentMethods.detach(paymentMethod.id);
    expect(detached.customer).toBe(null);
    await receiver.waitForEvent('payment_method.attached', paymentMethod.id);
  });

  it('creates a customer with a test card attached and made the default in one request', async () => {
    const customer = await stripe.customers.create({
      email: 'one-step@example.com',
      payment_method: 'pm_card_visa',
      invoice_settings: { default_payment_method: 'pm_card_visa' },
    });
    const defaultMethod = customer.invoice_settings.default_payment_method;
    expect(typeof defaultMethod).toBe('string');
    expect(defaultMethod).toMatch(/^pm_/);
    expect(defaultMethod).not.toBe('pm_card_visa');
    const methods = await stripe.customers.listPaymentMethods(customer.id);
    expect(methods.data.map((method) => method.id)).toStrictEqual([defaultMethod]);
  });

  it('answers an unknown parameter and a missing one like Stripe', async () => {
    const unknown = await rejectionOf(
      stripe.customers.create({ emial: 'typo@example.com' } as Stripe.CustomerCreateParams),
      Stripe.errors.StripeInvalidRequestError,
    );
    expect(unknown.code).toBe('parameter_unknown');
    expect(unknown.param).toBe('emial');
    const missing = await rejectionOf(
      stripe.paymentMethods.attach('pm_card_visa', {}),
      Stripe.errors.StripeInvalidRequestError,
    );
    expect(missing.code).toBe('parameter_missing');
    expect(missing.param).toBe('customer');
  });

  it('refuses a key that is not a test-mode secret key', async () => {
    const port = Number(new URL(sandbox.url).port);
    const live = new Stripe('sk_live_abcdefghijklmnop', {
      host: '127.0.0.1',
      port,
      protocol: 'http',
    });
    await rejectionOf(live.customers.list(), Stripe.errors.StripeAuthenticationError);
  });

  it('replays an idempotent request and refuses the key with other parameters', async () => {
    const key = `idem-${Date.now()}`;
    const first = await stripe.customers.create(
      { email: 'once@example.com' },
      { idempotencyKey: key },
    );
    const again = await stripe.customers.create(
      { email: 'once@example.com' },
      { idempotencyKey: key },
    );
    expect(again.id).toBe(first.id);
    expect((await stripe.customers.list({ email: 'once@example.com' })).data.length).toBe(1);
    await rejectionOf(
      stripe.customers.create({ email: 'other@example.com' }, { idempotencyKey: key }),
      Stripe.errors.StripeIdempotencyError,
    );
  });

  it('pages through a list with starting_after and ending_before', async () => {
    const created: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      created.push((await stripe.customers.create({ email: 'page@example.com' })).id);
    }
    const newestFirst = [...created].reverse();
    const first = await stripe.customers.list({ email: 'page@example.com', limit: 2 });
    expect(first.data.map((c) => c.id)).toStrictEqual(newestFirst.slice(0, 2));
    expect(first.has_more).toBe(true);
    const second = await stripe.customers.list({
      email: 'page@example.com',
      limit: 2,
      starting_after: first.data[1]?.id,
    });
    expect(second.data.map((c) => c.id)).toStrictEqual(newestFirst.slice(2, 4));
    const back = await stripe.customers.list({
      email: 'page@example.com',
      limit: 2,
      ending_before: second.data[0]?.id,
    });
    expect(back.data.map((c) => c.id)).toStrictEqual(newestFirst.slice(0, 2));
    const all: string[] = [];
    for await (const customer of stripe.customers.list({ email: 'page@example.com', limit: 2 })) {
      all.push(customer.id);
    }
    expect(all).toStrictEqual(newestFirst);
  });
});
