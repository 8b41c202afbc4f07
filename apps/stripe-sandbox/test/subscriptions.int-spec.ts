import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, waitFor, type TestDatabase } from '@aegis/testing';
import Stripe from 'stripe';
import { startSandbox, useSandbox } from './sandbox-harness.js';

const HOUR = 60 * 60;
const DAY = 24 * HOUR;

/** Unix seconds of a UTC date. */
function utc(year: number, month: number, day: number, hour = 0): number {
  return Date.UTC(year, month - 1, day, hour) / 1000;
}

function periodOf(subscription: Stripe.Subscription): { start: number; end: number } {
  const [item] = subscription.items.data;
  assert.ok(item, 'the subscription has an item');
  return { start: item.current_period_start, end: item.current_period_end };
}

function latestInvoiceOf(subscription: Stripe.Subscription): Stripe.Invoice {
  const invoice = subscription.latest_invoice;
  assert.ok(invoice !== null && typeof invoice === 'object', 'latest_invoice is expanded');
  return invoice;
}

describe('sandbox subscriptions and test clocks', () => {
  const { stripe, receiver } = useSandbox();

  /** Waits for a verified webhook of the type whose event passes `matches`. */
  async function webhook<T extends Stripe.Event>(
    type: T['type'],
    matches: (event: T) => boolean,
  ): Promise<T> {
    const found = await waitFor(
      () => Promise.resolve(receiver.events.find((e) => e.type === type && matches(e as T))),
      (event) => event !== undefined,
      { timeoutMs: 10_000, what: `webhook ${type}` },
    );
    assert.ok(found);
    return found as T;
  }

  /** The `customer.subscription.updated` webhook of a status change. */
  async function statusChanged(
    subscription: string,
    from: Stripe.Subscription.Status,
    to: Stripe.Subscription.Status,
  ): Promise<Stripe.CustomerSubscriptionUpdatedEvent> {
    return webhook<Stripe.CustomerSubscriptionUpdatedEvent>(
      'customer.subscription.updated',
      (event) =>
        event.data.object.id === subscription &&
        event.data.object.status === to &&
        event.data.previous_attributes?.status === from,
    );
  }

  /** A customer on a new test clock at `frozenTime`, paying with a default card. */
  async function customerOnClock(
    frozenTime: number,
    card = 'pm_card_visa',
  ): Promise<{ testClock: Stripe.TestHelpers.TestClock; customer: Stripe.Customer }> {
    const testClock = await stripe.testHelpers.testClocks.create({
      frozen_time: frozenTime,
      name: 'subscriptions test',
    });
    const customer = await stripe.customers.create({
      email: 'subscriber@example.com',
      test_clock: testClock.id,
    });
    await setDefaultCard(customer.id, card);
    return { testClock, customer };
  }

  async function setDefaultCard(customer: string, card: string): Promise<void> {
    const paymentMethod = await stripe.paymentMethods.attach(card, { customer });
    await stripe.customers.update(customer, {
      invoice_settings: { default_payment_method: paymentMethod.id },
    });
  }

  async function monthlyPrice(unitAmount: number, name: string): Promise<Stripe.Price> {
    const product = await stripe.products.create({ name });
    return stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: unitAmount,
      recurring: { interval: 'month' },
    });
  }

  /** Advances the clock and waits until it is ready again. */
  async function advance(testClock: string, frozenTime: number): Promise<void> {
    const advancing = await stripe.testHelpers.testClocks.advance(testClock, {
      frozen_time: frozenTime,
    });
    assert.equal(advancing.status, 'advancing');
    const ready = await waitFor(
      () => stripe.testHelpers.testClocks.retrieve(testClock),
      (clock) => clock.status !== 'advancing',
      { timeoutMs: 10_000, what: `test clock ${testClock} ready` },
    );
    assert.equal(ready.status, 'ready');
    assert.equal(ready.frozen_time, frozenTime);
  }

  function retrieve(subscription: string): Promise<Stripe.Subscription> {
    return stripe.subscriptions.retrieve(subscription, { expand: ['latest_invoice'] });
  }

  it('renews over three periods, retrying a declined renewal until it is paid', async () => {
    const start = utc(2025, 1, 1);
    const { testClock, customer } = await customerOnClock(start);
    const price = await monthlyPrice(1000, 'Basic');
    const created = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      expand: ['latest_invoice'],
    });
    assert.match(created.id, /^sub_/);
    assert.equal(created.status, 'active');
    assert.equal(created.test_clock, testClock.id);
    assert.equal(created.billing_cycle_anchor, start);
    assert.deepEqual(periodOf(created), { start, end: utc(2025, 2, 1) });
    const first = latestInvoiceOf(created);
    assert.equal(first.billing_reason, 'subscription_create');
    assert.equal(first.status, 'paid');
    assert.equal(first.amount_paid, 1000);
    await webhook<Stripe.CustomerSubscriptionCreatedEvent>(
      'customer.subscription.created',
      (event) => event.data.object.id === created.id && event.data.object.status === 'active',
    );

    await advance(testClock.id, utc(2025, 2, 1, 1));
    const renewed = await retrieve(created.id);
    assert.equal(renewed.status, 'active');
    assert.deepEqual(periodOf(renewed), { start: utc(2025, 2, 1), end: utc(2025, 3, 1) });
    const second = latestInvoiceOf(renewed);
    assert.equal(second.billing_reason, 'subscription_cycle');
    assert.equal(second.status, 'paid');
    assert.equal(second.amount_paid, 1000);
    assert.equal(second.created, utc(2025, 2, 1));
    assert.deepEqual(second.lines.data[0]?.period, {
      start: utc(2025, 2, 1),
      end: utc(2025, 3, 1),
    });
    const renewalEvent = await webhook<Stripe.CustomerSubscriptionUpdatedEvent>(
      'customer.subscription.updated',
      (event) =>
        event.data.object.id === created.id && event.data.object.latest_invoice === second.id,
    );
    assert.equal(renewalEvent.created, utc(2025, 2, 1));
    assert.equal(renewalEvent.data.previous_attributes?.latest_invoice, first.id);

    await setDefaultCard(customer.id, 'pm_card_chargeDeclined');
    await advance(testClock.id, utc(2025, 3, 1, 1));
    const pastDue = await retrieve(created.id);
    assert.equal(pastDue.status, 'past_due');
    const third = latestInvoiceOf(pastDue);
    assert.equal(third.status, 'open');
    assert.equal(third.attempt_count, 1);
    assert.equal(third.next_payment_attempt, utc(2025, 3, 1) + 3 * DAY);
    await webhook<Stripe.InvoicePaymentFailedEvent>(
      'invoice.payment_failed',
      (event) => event.data.object.id === third.id,
    );
    const pastDueEvent = await statusChanged(created.id, 'active', 'past_due');
    assert.equal(pastDueEvent.data.object.latest_invoice, third.id);

    await setDefaultCard(customer.id, 'pm_card_visa');
    await advance(testClock.id, utc(2025, 3, 3, 23));
    const notYetRetried = await stripe.invoices.retrieve(third.id);
    assert.equal(notYetRetried.status, 'open');
    assert.equal(notYetRetried.attempt_count, 1);

    await advance(testClock.id, utc(2025, 3, 4, 1));
    const recovered = await retrieve(created.id);
    assert.equal(recovered.status, 'active');
    const retried = latestInvoiceOf(recovered);
    assert.equal(retried.id, third.id);
    assert.equal(retried.status, 'paid');
    assert.equal(retried.attempt_count, 2);
    assert.equal(retried.next_payment_attempt, null);
    await webhook<Stripe.InvoicePaidEvent>(
      'invoice.paid',
      (event) => event.data.object.id === third.id,
    );
    const activeAgain = await statusChanged(created.id, 'past_due', 'active');
    assert.equal(activeAgain.created, utc(2025, 3, 4));

    await advance(testClock.id, utc(2025, 4, 1, 1));
    const thirdRenewal = await retrieve(created.id);
    assert.equal(thirdRenewal.status, 'active');
    assert.deepEqual(periodOf(thirdRenewal), { start: utc(2025, 4, 1), end: utc(2025, 5, 1) });
    assert.equal(latestInvoiceOf(thirdRenewal).status, 'paid');
    const invoices = await stripe.invoices.list({ subscription: created.id });
    assert.deepEqual(
      invoices.data.map((invoice) => [invoice.billing_reason, invoice.status, invoice.amount_paid]),
      [
        ['subscription_cycle', 'paid', 1000],
        ['subscription_cycle', 'paid', 1000],
        ['subscription_cycle', 'paid', 1000],
        ['subscription_create', 'paid', 1000],
      ],
    );
  });

  it('runs a trial: trial_will_end three days before its end, then a paid first period', async () => {
    const start = utc(2025, 1, 1);
    const { testClock, customer } = await customerOnClock(start);
    const price = await monthlyPrice(1500, 'Pro');
    const trialing = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      trial_period_days: 7,
      expand: ['latest_invoice'],
    });
    assert.equal(trialing.status, 'trialing');
    assert.equal(trialing.trial_start, start);
    assert.equal(trialing.trial_end, start + 7 * DAY);
    assert.deepEqual(periodOf(trialing), { start, end: start + 7 * DAY });
    const trialInvoice = latestInvoiceOf(trialing);
    assert.equal(trialInvoice.amount_due, 0);
    assert.equal(trialInvoice.status, 'paid');

    await advance(testClock.id, start + 5 * DAY);
    const notice = await webhook<Stripe.CustomerSubscriptionTrialWillEndEvent>(
      'customer.subscription.trial_will_end',
      (event) => event.data.object.id === trialing.id,
    );
    assert.equal(notice.created, start + 4 * DAY);
    assert.equal((await retrieve(trialing.id)).status, 'trialing');

    await advance(testClock.id, start + 7 * DAY + HOUR);
    const active = await retrieve(trialing.id);
    assert.equal(active.status, 'active');
    assert.deepEqual(periodOf(active), { start: start + 7 * DAY, end: utc(2025, 2, 8) });
    const firstCharge = latestInvoiceOf(active);
    assert.equal(firstCharge.billing_reason, 'subscription_cycle');
    assert.equal(firstCharge.status, 'paid');
    assert.equal(firstCharge.amount_paid, 1500);
    const activated = await statusChanged(trialing.id, 'trialing', 'active');
    assert.equal(activated.created, start + 7 * DAY);
    assert.equal(
      receiver
        .ofType('customer.subscription.trial_will_end')
        .filter((event) => (event.data.object as Stripe.Subscription).id === trialing.id).length,
      1,
    );
  });

  it('is active again as soon as its past-due invoice is paid through the API', async () => {
    const start = utc(2025, 4, 1);
    const { testClock, customer } = await customerOnClock(start);
    const price = await monthlyPrice(1500, 'Recoverable');
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
    });
    await setDefaultCard(customer.id, 'pm_card_chargeDeclined');
    await advance(testClock.id, utc(2025, 5, 1, 1));
    const pastDue = await retrieve(subscription.id);
    assert.equal(pastDue.status, 'past_due');
    const invoice = latestInvoiceOf(pastDue);
    assert.equal(invoice.status, 'open');

    const paid = await stripe.invoices.pay(invoice.id, { payment_method: 'pm_card_visa' });
    assert.equal(paid.status, 'paid');
    // No sweep or clock advance in between: paying the invoice is what recovers it.
    const recovered = await stripe.subscriptions.retrieve(subscription.id);
    assert.equal(recovered.status, 'active');
    await statusChanged(subscription.id, 'past_due', 'active');
  });

  it('prorates a price change into the next invoice, to the cent', async () => {
    const start = utc(2025, 1, 1);
    const { testClock, customer } = await customerOnClock(start);
    const basic = await monthlyPrice(3100, 'Basic');
    const premium = await monthlyPrice(6200, 'Premium');
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: basic.id }],
    });
    const [item] = subscription.items.data;
    assert.ok(item);

    // 10 of January's 31 days used: 21/31 of each price remains.
    await advance(testClock.id, start + 10 * DAY);
    const upgraded = await stripe.subscriptions.update(subscription.id, {
      items: [{ id: item.id, price: premium.id }],
    });
    assert.equal(upgraded.items.data[0]?.price.id, premium.id);
    assert.equal(upgraded.latest_invoice, subscription.latest_invoice);
    const pending = await stripe.invoiceItems.list({ customer: customer.id, pending: true });
    assert.deepEqual(
      pending.data.map((pendingItem) => pendingItem.amount).sort((a, b) => a - b),
      [-2100, 4200],
    );
    assert.ok(pending.data.every((pendingItem) => pendingItem.proration));
    const changed = await webhook<Stripe.CustomerSubscriptionUpdatedEvent>(
      'customer.subscription.updated',
      (event) =>
        event.data.object.id === subscription.id &&
        event.data.previous_attributes?.items !== undefined,
    );
    assert.equal(changed.data.previous_attributes?.items?.data[0]?.price.id, basic.id);

    await advance(testClock.id, utc(2025, 2, 1, 1));
    const renewal = latestInvoiceOf(await retrieve(subscription.id));
    assert.equal(renewal.billing_reason, 'subscription_cycle');
    assert.deepEqual(
      renewal.lines.data.map((line) => line.amount).sort((a, b) => a - b),
      [-2100, 4200, 6200],
    );
    assert.equal(renewal.total, 8300);
    assert.equal(renewal.amount_paid, 8300);
    assert.equal(renewal.status, 'paid');
  });

  it('invoices the prorations of a change at once with always_invoice', async () => {
    const start = utc(2025, 2, 1);
    const { testClock, customer } = await customerOnClock(start);
    const small = await monthlyPrice(2800, 'Small');
    const large = await monthlyPrice(5600, 'Large');
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: small.id }],
    });
    const [item] = subscription.items.data;
    assert.ok(item);

    // 7 of February's 28 days used: 3/4 of each price remains.
    await advance(testClock.id, start + 7 * DAY);
    const upgraded = await stripe.subscriptions.update(subscription.id, {
      items: [{ id: item.id, price: large.id }],
      proration_behavior: 'always_invoice',
      expand: ['latest_invoice'],
    });
    const invoice = latestInvoiceOf(upgraded);
    assert.notEqual(invoice.id, subscription.latest_invoice);
    assert.equal(invoice.billing_reason, 'subscription_update');
    assert.equal(invoice.status, 'paid');
    assert.equal(invoice.total, 2100);
    assert.deepEqual(
      invoice.lines.data.map((line) => [line.amount, line.description]),
      [
        [-2100, 'Unused time on Small after 8 Feb 2025'],
        [4200, 'Remaining time on Large after 8 Feb 2025'],
      ].sort((a, b) => Number(a[0]) - Number(b[0])),
    );
    assert.equal(upgraded.status, 'active');
    assert.deepEqual(periodOf(upgraded), { start, end: utc(2025, 3, 1) });
    const pending = await stripe.invoiceItems.list({ customer: customer.id, pending: true });
    assert.equal(pending.data.length, 0);
    await webhook<Stripe.InvoicePaidEvent>(
      'invoice.paid',
      (event) => event.data.object.id === invoice.id,
    );
  });

  it('resets the billing cycle when the interval changes, billing the new period at once', async () => {
    const start = utc(2025, 1, 1);
    const { testClock, customer } = await customerOnClock(start);
    const monthly = await monthlyPrice(3100, 'Monthly plan');
    const yearly = await stripe.prices.create({
      product: (await stripe.products.create({ name: 'Yearly plan' })).id,
      currency: 'usd',
      unit_amount: 30000,
      recurring: { interval: 'year' },
    });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: monthly.id }],
    });
    const [item] = subscription.items.data;
    assert.ok(item);
    await advance(testClock.id, start + 10 * DAY);
    const switched = await stripe.subscriptions.update(subscription.id, {
      items: [{ id: item.id, price: yearly.id }],
      expand: ['latest_invoice'],
    });
    assert.equal(switched.billing_cycle_anchor, start + 10 * DAY);
    assert.deepEqual(periodOf(switched), { start: start + 10 * DAY, end: utc(2026, 1, 11) });
    const invoice = latestInvoiceOf(switched);
    assert.equal(invoice.billing_reason, 'subscription_update');
    assert.deepEqual(
      invoice.lines.data.map((line) => line.amount).sort((a, b) => a - b),
      [-2100, 30000],
    );
    assert.equal(invoice.amount_paid, 27900);
  });

  it('ends a trial early with trial_end=now, charging the first period at once', async () => {
    const start = utc(2025, 1, 1);
    const { customer } = await customerOnClock(start);
    const price = await monthlyPrice(1500, 'Pro');
    const trialing = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      trial_period_days: 30,
    });
    const ended = await stripe.subscriptions.update(trialing.id, {
      trial_end: 'now',
      expand: ['latest_invoice'],
    });
    assert.equal(ended.status, 'active');
    assert.equal(ended.trial_end, start);
    assert.deepEqual(periodOf(ended), { start, end: utc(2025, 2, 1) });
    const invoice = latestInvoiceOf(ended);
    assert.equal(invoice.billing_reason, 'subscription_update');
    assert.equal(invoice.amount_paid, 1500);
    await webhook<Stripe.CustomerSubscriptionTrialWillEndEvent>(
      'customer.subscription.trial_will_end',
      (event) => event.data.object.id === trialing.id,
    );
  });

  it('follows the wall clock for customers without a test clock', async () => {
    const customer = await stripe.customers.create({ email: 'wall-clock@example.com' });
    await setDefaultCard(customer.id, 'pm_card_visa');
    const price = await monthlyPrice(700, 'Wall clock');
    const trialEnd = Math.floor(Date.now() / 1000) + 2;
    const trialing = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      trial_end: trialEnd,
    });
    assert.equal(trialing.status, 'trialing');
    assert.equal(trialing.test_clock, null);
    const active = await waitFor(
      () => retrieve(trialing.id),
      (subscription) => subscription.status !== 'trialing',
      { timeoutMs: 15_000, what: 'the trial to end on the wall clock' },
    );
    assert.equal(active.status, 'active');
    assert.equal(active.billing_cycle_anchor, trialEnd);
    assert.equal(periodOf(active).start, trialEnd);
    const invoice = latestInvoiceOf(active);
    assert.equal(invoice.billing_reason, 'subscription_cycle');
    assert.equal(invoice.amount_paid, 700);
    await webhook<Stripe.CustomerSubscriptionTrialWillEndEvent>(
      'customer.subscription.trial_will_end',
      (event) => event.data.object.id === trialing.id,
    );
  });

  it('cancels now with a prorated credit on a final invoice', async () => {
    const start = utc(2025, 1, 1);
    const { testClock, customer } = await customerOnClock(start);
    const price = await monthlyPrice(3100, 'Monthly');
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
    });
    await advance(testClock.id, start + 10 * DAY);
    const canceled = await stripe.subscriptions.cancel(subscription.id, {
      invoice_now: true,
      prorate: true,
      expand: ['latest_invoice'],
    });
    assert.equal(canceled.status, 'canceled');
    const final = latestInvoiceOf(canceled);
    assert.notEqual(final.id, subscription.latest_invoice);
    assert.equal(final.total, -2100);
    assert.match(
      final.lines.data[0]?.description ?? '',
      /^Unused time on Monthly after 11 Jan 2025$/,
    );
  });

  it('cancels at the period end when asked to', async () => {
    const start = utc(2025, 1, 1);
    const { testClock, customer } = await customerOnClock(start);
    const price = await monthlyPrice(1000, 'Monthly');
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
    });
    await advance(testClock.id, start + 3 * DAY);
    const canceling = await stripe.subscriptions.update(subscription.id, {
      cancel_at_period_end: true,
      cancellation_details: { comment: 'Too expensive', feedback: 'too_expensive' },
    });
    assert.equal(canceling.status, 'active');
    assert.equal(canceling.cancel_at_period_end, true);
    assert.equal(canceling.cancel_at, utc(2025, 2, 1));
    assert.equal(canceling.canceled_at, start + 3 * DAY);
    assert.equal(canceling.cancellation_details?.reason, 'cancellation_requested');
    assert.equal(canceling.cancellation_details.feedback, 'too_expensive');
    const requested = await webhook<Stripe.CustomerSubscriptionUpdatedEvent>(
      'customer.subscription.updated',
      (event) => event.data.object.id === subscription.id && event.data.object.cancel_at_period_end,
    );
    assert.equal(requested.data.previous_attributes?.cancel_at_period_end, false);

    await advance(testClock.id, utc(2025, 2, 1, 1));
    const ended = await stripe.subscriptions.retrieve(subscription.id);
    assert.equal(ended.status, 'canceled');
    assert.equal(ended.ended_at, utc(2025, 2, 1));
    assert.equal(ended.latest_invoice, subscription.latest_invoice, 'no renewal invoice');
    const deleted = await webhook<Stripe.CustomerSubscriptionDeletedEvent>(
      'customer.subscription.deleted',
      (event) => event.data.object.id === subscription.id,
    );
    assert.equal(deleted.data.object.status, 'canceled');
    assert.equal(deleted.created, utc(2025, 2, 1));
  });

  it('cancels now, and lists canceled subscriptions only when asked for', async () => {
    const start = utc(2025, 1, 1);
    const { testClock, customer } = await customerOnClock(start);
    const price = await monthlyPrice(1000, 'Monthly');
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
    });
    await advance(testClock.id, start + 2 * DAY);
    const canceled = await stripe.subscriptions.cancel(subscription.id);
    assert.equal(canceled.status, 'canceled');
    assert.equal(canceled.canceled_at, start + 2 * DAY);
    assert.equal(canceled.ended_at, start + 2 * DAY);
    assert.equal(canceled.cancellation_details?.reason, 'cancellation_requested');
    await webhook<Stripe.CustomerSubscriptionDeletedEvent>(
      'customer.subscription.deleted',
      (event) => event.data.object.id === subscription.id,
    );
    const live = await stripe.subscriptions.list({ customer: customer.id });
    assert.deepEqual(live.data, []);
    const ended = await stripe.subscriptions.list({ customer: customer.id, status: 'canceled' });
    assert.deepEqual(
      ended.data.map((s) => s.id),
      [subscription.id],
    );
    await assert.rejects(stripe.subscriptions.cancel(subscription.id), (error: unknown) => {
      assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError);
      assert.equal(error.code, 'resource_missing');
      return true;
    });
    await assert.rejects(
      stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true }),
      (error: unknown) => {
        assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError);
        assert.match(error.message, /canceled subscription can only update/);
        return true;
      },
    );
  });

  it('leaves a declined first payment incomplete, expiring after 23 hours', async () => {
    const start = utc(2025, 1, 1);
    const { testClock, customer } = await customerOnClock(start, 'pm_card_chargeDeclined');
    const price = await monthlyPrice(1000, 'Monthly');
    const incomplete = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      expand: ['latest_invoice'],
    });
    assert.equal(incomplete.status, 'incomplete');
    const invoice = latestInvoiceOf(incomplete);
    assert.equal(invoice.status, 'open');
    assert.equal(invoice.next_payment_attempt, null);
    await webhook<Stripe.InvoicePaymentFailedEvent>(
      'invoice.payment_failed',
      (event) => event.data.object.id === invoice.id,
    );
    await webhook<Stripe.CustomerSubscriptionCreatedEvent>(
      'customer.subscription.created',
      (event) =>
        event.data.object.id === incomplete.id && event.data.object.status === 'incomplete',
    );

    await advance(testClock.id, start + 22 * HOUR);
    assert.equal((await stripe.subscriptions.retrieve(incomplete.id)).status, 'incomplete');
    await advance(testClock.id, start + 23 * HOUR + 60);
    const expired = await retrieve(incomplete.id);
    assert.equal(expired.status, 'incomplete_expired');
    assert.equal(expired.ended_at, start + 23 * HOUR);
    assert.equal(latestInvoiceOf(expired).status, 'void');
    const expiredEvent = await statusChanged(incomplete.id, 'incomplete', 'incomplete_expired');
    assert.equal(expiredEvent.created, start + 23 * HOUR);
  });

  it('refuses a declined first payment with error_if_incomplete, keeping nothing', async () => {
    const { customer } = await customerOnClock(utc(2025, 1, 1), 'pm_card_chargeDeclined');
    const price = await monthlyPrice(1000, 'Monthly');
    await assert.rejects(
      stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: price.id }],
        payment_behavior: 'error_if_incomplete',
      }),
      (error: unknown) => {
        assert.ok(error instanceof Stripe.errors.StripeCardError);
        assert.equal(error.statusCode, 402);
        assert.equal(error.code, 'card_declined');
        return true;
      },
    );
    const kept = await stripe.subscriptions.list({ customer: customer.id, status: 'all' });
    assert.deepEqual(kept.data, []);
    const invoices = await stripe.invoices.list({ customer: customer.id });
    assert.deepEqual(invoices.data, []);
  });

  it('checks parameters like Stripe', async () => {
    const { customer } = await customerOnClock(utc(2025, 1, 1));
    const price = await monthlyPrice(1000, 'Monthly');
    await assert.rejects(
      stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: price.id, quantiy: 2 } as Stripe.SubscriptionCreateParams.Item],
      }),
      (error: unknown) => {
        assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError);
        assert.equal(error.code, 'parameter_unknown');
        assert.equal(error.param, 'items[0][quantiy]');
        return true;
      },
    );
    await assert.rejects(
      stripe.subscriptions.create({ customer: customer.id, items: [{ price: 'price_missing' }] }),
      (error: unknown) => {
        assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError);
        assert.equal(error.code, 'resource_missing');
        assert.equal(error.param, 'items[0][price]');
        return true;
      },
    );
    const oneTime = await stripe.prices.create({
      product: (await stripe.products.create({ name: 'Once' })).id,
      currency: 'usd',
      unit_amount: 500,
    });
    await assert.rejects(
      stripe.subscriptions.create({ customer: customer.id, items: [{ price: oneTime.id }] }),
      (error: unknown) => {
        assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError);
        assert.match(error.message, /type=recurring/);
        return true;
      },
    );
  });

  it('manages test clocks: list, an advance limit, deletion with their customers', async () => {
    const start = utc(2025, 1, 1);
    const { testClock, customer } = await customerOnClock(start);
    const price = await monthlyPrice(1000, 'Monthly');
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
    });
    assert.equal(testClock.status, 'ready');
    assert.equal(testClock.frozen_time, start);
    assert.equal(testClock.name, 'subscriptions test');
    const listed = await stripe.testHelpers.testClocks.list({ limit: 100 });
    assert.ok(listed.data.some((clock) => clock.id === testClock.id));
    const onClock = await stripe.subscriptions.list({ test_clock: testClock.id });
    assert.deepEqual(
      onClock.data.map((s) => s.id),
      [subscription.id],
    );
    await assert.rejects(
      stripe.testHelpers.testClocks.advance(testClock.id, { frozen_time: utc(2025, 3, 2) }),
      (error: unknown) => {
        assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError);
        assert.equal(error.param, 'frozen_time');
        return true;
      },
    );
    await assert.rejects(
      stripe.testHelpers.testClocks.advance(testClock.id, { frozen_time: start }),
      (error: unknown) => {
        assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError);
        return true;
      },
    );
    const deleted = await stripe.testHelpers.testClocks.del(testClock.id);
    assert.equal(deleted.deleted, true);
    await webhook<Stripe.TestHelpersTestClockDeletedEvent>(
      'test_helpers.test_clock.deleted',
      (event) => event.data.object.id === testClock.id,
    );
    for (const missing of [
      stripe.testHelpers.testClocks.retrieve(testClock.id),
      stripe.customers.retrieve(customer.id),
      stripe.subscriptions.retrieve(subscription.id),
    ]) {
      await assert.rejects(missing, (error: unknown) => {
        assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError);
        assert.equal(error.statusCode, 404);
        return true;
      });
    }
    await webhook<Stripe.TestHelpersTestClockCreatedEvent>(
      'test_helpers.test_clock.created',
      (event) => event.data.object.id === testClock.id,
    );
  });
});

describe('sandbox subscriptions kept in PostgreSQL', () => {
  let database: TestDatabase;

  before(async () => {
    database = await createTestDatabase();
  });

  after(async () => {
    delete process.env.SANDBOX_DATABASE_URL;
    await database.drop();
  });

  async function advance(stripe: Stripe, testClock: string, frozenTime: number): Promise<void> {
    await stripe.testHelpers.testClocks.advance(testClock, { frozen_time: frozenTime });
    const ready = await waitFor(
      () => stripe.testHelpers.testClocks.retrieve(testClock),
      (clock) => clock.status !== 'advancing',
      { timeoutMs: 10_000, what: `test clock ${testClock} ready` },
    );
    assert.equal(ready.status, 'ready');
  }

  async function setDefaultCard(stripe: Stripe, customer: string, card: string): Promise<void> {
    const paymentMethod = await stripe.paymentMethods.attach(card, { customer });
    await stripe.customers.update(customer, {
      invoice_settings: { default_payment_method: paymentMethod.id },
    });
  }

  it('keeps a past_due subscription and its retry schedule across a restart', async () => {
    const start = utc(2025, 1, 1);
    const first = await startSandbox({ SANDBOX_DATABASE_URL: database.url });
    let subscriptionId: string;
    let testClockId: string;
    let customerId: string;
    try {
      const testClock = await first.stripe.testHelpers.testClocks.create({ frozen_time: start });
      const customer = await first.stripe.customers.create({ test_clock: testClock.id });
      await setDefaultCard(first.stripe, customer.id, 'pm_card_visa');
      const product = await first.stripe.products.create({ name: 'Durable' });
      const price = await first.stripe.prices.create({
        product: product.id,
        currency: 'usd',
        unit_amount: 1000,
        recurring: { interval: 'month' },
      });
      const subscription = await first.stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: price.id }],
      });
      await setDefaultCard(first.stripe, customer.id, 'pm_card_chargeDeclined');
      await advance(first.stripe, testClock.id, utc(2025, 2, 1, 1));
      assert.equal((await first.stripe.subscriptions.retrieve(subscription.id)).status, 'past_due');
      subscriptionId = subscription.id;
      testClockId = testClock.id;
      customerId = customer.id;
    } finally {
      await first.stop();
    }

    const second = await startSandbox({ SANDBOX_DATABASE_URL: database.url });
    try {
      const kept = await second.stripe.subscriptions.retrieve(subscriptionId, {
        expand: ['latest_invoice'],
      });
      assert.equal(kept.status, 'past_due');
      assert.deepEqual(periodOf(kept), { start: utc(2025, 2, 1), end: utc(2025, 3, 1) });
      const unpaid = latestInvoiceOf(kept);
      assert.equal(unpaid.status, 'open');
      assert.equal(unpaid.next_payment_attempt, utc(2025, 2, 1) + 3 * DAY);
      await setDefaultCard(second.stripe, customerId, 'pm_card_visa');
      await advance(second.stripe, testClockId, utc(2025, 2, 4, 1));
      const recovered = await second.stripe.subscriptions.retrieve(subscriptionId, {
        expand: ['latest_invoice'],
      });
      assert.equal(recovered.status, 'active');
      assert.equal(latestInvoiceOf(recovered).id, unpaid.id);
      assert.equal(latestInvoiceOf(recovered).status, 'paid');
    } finally {
      await second.stop();
    }
  });
});
