import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
    assert.match(customer.id, /^cus_/);
    assert.equal(customer.object, 'customer');
    assert.equal(customer.livemode, false);
    const updated = await stripe.customers.update(customer.id, {
      metadata: { plan: '', tier: 'gold' },
    });
    assert.deepEqual(updated.metadata, { tier: 'gold' });
    const fetched = await stripe.customers.retrieve(customer.id);
    assert.equal((fetched as Stripe.Customer).email, 'ada@example.com');
    const listed = await stripe.customers.list({ email: 'ada@example.com' });
    assert.deepEqual(
      listed.data.map((c) => c.id),
      [customer.id],
    );
    const deleted = await stripe.customers.del(customer.id);
    assert.equal(deleted.deleted, true);
    await assert.rejects(stripe.customers.retrieve(customer.id), (error: unknown) => {
      assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError);
      assert.equal(error.code, 'resource_missing');
      assert.equal(error.statusCode, 404);
      return true;
    });
    const updatedEvent = await receiver.waitForEvent('customer.updated', customer.id);
    const previous = (updatedEvent as Stripe.CustomerUpdatedEvent).data.previous_attributes;
    assert.deepEqual(previous?.metadata, { plan: 'pro' });
  });

  it('attaches a test card and makes it the default payment method', async () => {
    const customer = await stripe.customers.create({ email: 'bob@example.com' });
    const paymentMethod = await stripe.paymentMethods.attach('pm_card_visa', {
      customer: customer.id,
    });
    assert.match(paymentMethod.id, /^pm_/);
    assert.notEqual(paymentMethod.id, 'pm_card_visa');
    assert.equal(paymentMethod.card?.last4, '4242');
    assert.equal(paymentMethod.card.brand, 'visa');
    const updated = await stripe.customers.update(customer.id, {
      invoice_settings: { default_payment_method: paymentMethod.id },
    });
    assert.equal(updated.invoice_settings.default_payment_method, paymentMethod.id);
    const expanded = await stripe.customers.retrieve(customer.id, {
      expand: ['invoice_settings.default_payment_method'],
    });
    const expandedMethod = (expanded as Stripe.Customer).invoice_settings
      .default_payment_method as Stripe.PaymentMethod;
    assert.equal(expandedMethod.card?.last4, '4242');
    const methods = await stripe.customers.listPaymentMethods(customer.id);
    assert.deepEqual(
      methods.data.map((method) => method.id),
      [paymentMethod.id],
    );
    const byNumber = await stripe.paymentMethods.create({
      type: 'card',
      card: { number: '4000000000000002', exp_month: 12, exp_year: 2040, cvc: '123' },
    });
    assert.equal(byNumber.card?.last4, '0002');
    const detached = await stripe.paymentMethods.detach(paymentMethod.id);
    assert.equal(detached.customer, null);
    await receiver.waitForEvent('payment_method.attached', paymentMethod.id);
  });

  it('creates a customer with a test card attached and made the default in one request', async () => {
    const customer = await stripe.customers.create({
      email: 'one-step@example.com',
      payment_method: 'pm_card_visa',
      invoice_settings: { default_payment_method: 'pm_card_visa' },
    });
    const defaultMethod = customer.invoice_settings.default_payment_method;
    assert.ok(typeof defaultMethod === 'string');
    assert.match(defaultMethod, /^pm_/);
    assert.notEqual(defaultMethod, 'pm_card_visa');
    const methods = await stripe.customers.listPaymentMethods(customer.id);
    assert.deepEqual(
      methods.data.map((method) => method.id),
      [defaultMethod],
    );
  });

  it('answers an unknown parameter and a missing one like Stripe', async () => {
    await assert.rejects(
      stripe.customers.create({ emial: 'typo@example.com' } as Stripe.CustomerCreateParams),
      (error: unknown) => {
        assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError);
        assert.equal(error.code, 'parameter_unknown');
        assert.equal(error.param, 'emial');
        return true;
      },
    );
    await assert.rejects(stripe.paymentMethods.attach('pm_card_visa', {}), (error: unknown) => {
      assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError);
      assert.equal(error.code, 'parameter_missing');
      assert.equal(error.param, 'customer');
      return true;
    });
  });

  it('refuses a key that is not a test-mode secret key', async () => {
    const port = Number(new URL(sandbox.url).port);
    const live = new Stripe('sk_live_abcdefghijklmnop', {
      host: '127.0.0.1',
      port,
      protocol: 'http',
    });
    await assert.rejects(live.customers.list(), (error: unknown) => {
      assert.ok(error instanceof Stripe.errors.StripeAuthenticationError);
      return true;
    });
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
    assert.equal(again.id, first.id);
    assert.equal((await stripe.customers.list({ email: 'once@example.com' })).data.length, 1);
    await assert.rejects(
      stripe.customers.create({ email: 'other@example.com' }, { idempotencyKey: key }),
      (error: unknown) => {
        assert.ok(error instanceof Stripe.errors.StripeIdempotencyError);
        return true;
      },
    );
  });

  it('pages through a list with starting_after and ending_before', async () => {
    const created: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      created.push((await stripe.customers.create({ email: 'page@example.com' })).id);
    }
    const newestFirst = [...created].reverse();
    const first = await stripe.customers.list({ email: 'page@example.com', limit: 2 });
    assert.deepEqual(
      first.data.map((c) => c.id),
      newestFirst.slice(0, 2),
    );
    assert.equal(first.has_more, true);
    const second = await stripe.customers.list({
      email: 'page@example.com',
      limit: 2,
      starting_after: first.data[1]?.id,
    });
    assert.deepEqual(
      second.data.map((c) => c.id),
      newestFirst.slice(2, 4),
    );
    const back = await stripe.customers.list({
      email: 'page@example.com',
      limit: 2,
      ending_before: second.data[0]?.id,
    });
    assert.deepEqual(
      back.data.map((c) => c.id),
      newestFirst.slice(0, 2),
    );
    const all: string[] = [];
    for await (const customer of stripe.customers.list({ email: 'page@example.com', limit: 2 })) {
      all.push(customer.id);
    }
    assert.deepEqual(all, newestFirst);
  });
});
