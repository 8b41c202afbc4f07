import { afterAll, beforeAll, describe, it, expect } from '@jest/globals';
import {
  createTestDatabase,
  defined,
  rejectionOf,
  waitFor,
  type TestDatabase,
} from '@aegis/testing';
import Stripe from 'stripe';
import { startSandbox, useSandbox } from './sandbox-harness.js';

const HOUR = 60 * 60;
const DAY = 24 * HOUR;

/** Unix seconds of a UTC date. */
function utc(year: number, month: number, day: number, hour = 0): number {
  return Date.UTC(year, month - 1, day, hour) / 1000;
}

function periodOf(subscription: Stripe.Subscription): { start: number; end: number } {
  const item = defined(subscription.items.data[0], 'the subscription item');
  return { start: item.current_period_start, end: item.current_period_end };
}

function latestInvoiceOf(subscription: Stripe.Subscription): Stripe.Invoice {
  const invoice = defined(subscription.latest_invoice, 'the latest invoice');
  if (typeof invoice !== 'object') throw new Error(`latest_invoice ${invoice} is not expanded`);
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
    return defined(found, `webhook ${type}`) as T;
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
    expect(advancing.status).toBe('advancing');
    const ready = await waitFor(
      () => stripe.testHelpers.testClocks.retrieve(testClock),
      (clock) => clock.status !== 'advancing',
      { timeoutMs: 10_000, what: `test clock ${testClock} ready` },
    );
    expect(ready.status).toBe('ready');
    expect(ready.frozen_time).toBe(frozenTime);
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
    expect(created.id).toMatch(/^sub_/);
    expect(created.status).toBe('active');
    expect(created.test_clock).toBe(testClock.id);
    expect(created.billing_cycle_anchor).toBe(start);
    expect(periodOf(created)).toStrictEqual({ start, end: utc(2025, 2, 1) });
    const first = latestInvoiceOf(created);
    expect(first.billing_reason).toBe('subscription_create');
    expect(first.status).toBe('paid');
    expect(first.amount_paid).toBe(1000);
    await webhook<Stripe.CustomerSubscriptionCreatedEvent>(
      'customer.subscription.created',
      (event) => event.data.object.id === created.id && event.data.object.status === 'active',
    );

    await advance(testClock.id, utc(2025, 2, 1, 1));
    const renewed = await retrieve(created.id);
    expect(renewed.status).toBe('active');
    expect(periodOf(renewed)).toStrictEqual({ start: utc(2025, 2, 1), end: utc(2025, 3, 1) });
    const second = latestInvoiceOf(renewed);
    expect(second.billing_reason).toBe('subscription_cycle');
    expect(second.status).toBe('paid');
    expect(second.amount_paid).toBe(1000);
    expect(second.created).toBe(utc(2025, 2, 1));
    expect(second.lines.data[0]?.period).toStrictEqual({
      start: utc(2025, 2, 1),
      end: utc(2025, 3, 1),
    });
    const renewalEvent = await webhook<Stripe.CustomerSubscriptionUpdatedEvent>(
      'customer.subscription.updated',
      (event) =>
        event.data.object.id === created.id && event.data.object.latest_invoice === second.id,
    );
    expect(renewalEvent.created).toBe(utc(2025, 2, 1));
    expect(renewalEvent.data.previous_attributes?.latest_invoice).toBe(first.id);

    await setDefaultCard(customer.id, 'pm_card_chargeDeclined');
    await advance(testClock.id, utc(2025, 3, 1, 1));
    const pastDue = await retrieve(created.id);
    expect(pastDue.status).toBe('past_due');
    const third = latestInvoiceOf(pastDue);
    expect(third.status).toBe('open');
    expect(third.attempt_count).toBe(1);
    expect(third.next_payment_attempt).toBe(utc(2025, 3, 1) + 3 * DAY);
    await webhook<Stripe.InvoicePaymentFailedEvent>(
      'invoice.payment_failed',
      (event) => event.data.object.id === third.id,
    );
    const pastDueEvent = await statusChanged(created.id, 'active', 'past_due');
    expect(pastDueEvent.data.object.latest_invoice).toBe(third.id);

    await setDefaultCard(customer.id, 'pm_card_visa');
    await advance(testClock.id, utc(2025, 3, 3, 23));
    const notYetRetried = await stripe.invoices.retrieve(third.id);
    expect(notYetRetried.status).toBe('open');
    expect(notYetRetried.attempt_count).toBe(1);

    await advance(testClock.id, utc(2025, 3, 4, 1));
    const recovered = await retrieve(created.id);
    expect(recovered.status).toBe('active');
    const retried = latestInvoiceOf(recovered);
    expect(retried.id).toBe(third.id);
    expect(retried.status).toBe('paid');
    expect(retried.attempt_count).toBe(2);
    expect(retried.next_payment_attempt).toBe(null);
    await webhook<Stripe.InvoicePaidEvent>(
      'invoice.paid',
      (event) => event.data.object.id === third.id,
    );
    const activeAgain = await statusChanged(created.id, 'past_due', 'active');
    expect(activeAgain.created).toBe(utc(2025, 3, 4));

    await advance(testClock.id, utc(2025, 4, 1, 1));
    const thirdRenewal = await retrieve(created.id);
    expect(thirdRenewal.status).toBe('active');
    expect(periodOf(thirdRenewal)).toStrictEqual({ start: utc(2025, 4, 1), end: utc(2025, 5, 1) });
    expect(latestInvoiceOf(thirdRenewal).status).toBe('paid');
    const invoices = await stripe.invoices.list({ subscription: created.id });
    expect(
      invoices.data.map((invoice) => [invoice.billing_reason, invoice.status, invoice.amount_paid]),
    ).toStrictEqual([
      ['subscription_cycle', 'paid', 1000],
      ['subscription_cycle', 'paid', 1000],
      ['subscription_cycle', 'paid', 1000],
      ['subscription_create', 'paid', 1000],
    ]);
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
    expect(trialing.status).toBe('trialing');
    expect(trialing.trial_start).toBe(start);
    expect(trialing.trial_end).toBe(start + 7 * DAY);
    expect(periodOf(trialing)).toStrictEqual({ start, end: start + 7 * DAY });
    const trialInvoice = latestInvoiceOf(trialing);
    expect(trialInvoice.amount_due).toBe(0);
    expect(trialInvoice.status).toBe('paid');

    await advance(testClock.id, start + 5 * DAY);
    const notice = await webhook<Stripe.CustomerSubscriptionTrialWillEndEvent>(
      'customer.subscription.trial_will_end',
      (event) => event.data.object.id === trialing.id,
    );
    expect(notice.created).toBe(start + 4 * DAY);
    expect((await retrieve(trialing.id)).status).toBe('trialing');

    await advance(testClock.id, start + 7 * DAY + HOUR);
    const active = await retrieve(trialing.id);
    expect(active.status).toBe('active');
    expect(periodOf(active)).toStrictEqual({ start: start + 7 * DAY, end: utc(2025, 2, 8) });
    const firstCharge = latestInvoiceOf(active);
    expect(firstCharge.billing_reason).toBe('subscription_cycle');
    expect(firstCharge.status).toBe('paid');
    expect(firstCharge.amount_paid).toBe(1500);
    const activated = await statusChanged(trialing.id, 'trialing', 'active');
    expect(activated.created).toBe(start + 7 * DAY);
    expect(
      receiver
        .ofType('customer.subscription.trial_will_end')
        .filter((event) => (event.data.object as Stripe.Subscription).id === trialing.id).length,
    ).toBe(1);
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
    expect(pastDue.status).toBe('past_due');
    const invoice = latestInvoiceOf(pastDue);
    expect(invoice.status).toBe('open');

    const paid = await stripe.invoices.pay(invoice.id, { payment_method: 'pm_card_visa' });
    expect(paid.status).toBe('paid');
    // No sweep or clock advance in between: paying the invoice is what recovers it.
    const recovered = await stripe.subscriptions.retrieve(subscription.id);
    expect(recovered.status).toBe('active');
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
    const item = defined(subscription.items.data[0], 'the subscription item');

    // 10 of January's 31 days used: 21/31 of each price remains.
    await advance(testClock.id, start + 10 * DAY);
    const upgraded = await stripe.subscriptions.update(subscription.id, {
      items: [{ id: item.id, price: premium.id }],
    });
    expect(upgraded.items.data[0]?.price.id).toBe(premium.id);
    expect(upgraded.latest_invoice).toBe(subscription.latest_invoice);
    const pending = await stripe.invoiceItems.list({ customer: customer.id, pending: true });
    expect(
      pending.data.map((pendingItem) => pendingItem.amount).sort((a, b) => a - b),
    ).toStrictEqual([-2100, 4200]);
    expect(pending.data.every((pendingItem) => pendingItem.proration)).toBeTruthy();
    const changed = await webhook<Stripe.CustomerSubscriptionUpdatedEvent>(
      'customer.subscription.updated',
      (event) =>
        event.data.object.id === subscription.id &&
        event.data.previous_attributes?.items !== undefined,
    );
    expect(changed.data.previous_attributes?.items?.data[0]?.price.id).toBe(basic.id);

    await advance(testClock.id, utc(2025, 2, 1, 1));
    const renewal = latestInvoiceOf(await retrieve(subscription.id));
    expect(renewal.billing_reason).toBe('subscription_cycle');
    expect(renewal.lines.data.map((line) => line.amount).sort((a, b) => a - b)).toStrictEqual([
      -2100, 4200, 6200,
    ]);
    expect(renewal.total).toBe(8300);
    expect(renewal.amount_paid).toBe(8300);
    expect(renewal.status).toBe('paid');
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
    const item = defined(subscription.items.data[0], 'the subscription item');

    // 7 of February's 28 days used: 3/4 of each price remains.
    await advance(testClock.id, start + 7 * DAY);
    const upgraded = await stripe.subscriptions.update(subscription.id, {
      items: [{ id: item.id, price: large.id }],
      proration_behavior: 'always_invoice',
      expand: ['latest_invoice'],
    });
    const invoice = latestInvoiceOf(upgraded);
    expect(invoice.id).not.toBe(subscription.latest_invoice);
    expect(invoice.billing_reason).toBe('subscription_update');
    expect(invoice.status).toBe('paid');
    expect(invoice.total).toBe(2100);
    expect(invoice.lines.data.map((line) => [line.amount, line.description])).toStrictEqual(
      [
        [-2100, 'Unused time on Small after 8 Feb 2025'],
        [4200, 'Remaining time on Large after 8 Feb 2025'],
      ].sort((a, b) => Number(a[0]) - Number(b[0])),
    );
    expect(upgraded.status).toBe('active');
    expect(periodOf(upgraded)).toStrictEqual({ start, end: utc(2025, 3, 1) });
    const pending = await stripe.invoiceItems.list({ customer: customer.id, pending: true });
    expect(pending.data.length).toBe(0);
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
    const item = defined(subscription.items.data[0], 'the subscription item');
    await advance(testClock.id, start + 10 * DAY);
    const switched = await stripe.subscriptions.update(subscription.id, {
      items: [{ id: item.id, price: yearly.id }],
      expand: ['latest_invoice'],
    });
    expect(switched.billing_cycle_anchor).toBe(start + 10 * DAY);
    expect(periodOf(switched)).toStrictEqual({ start: start + 10 * DAY, end: utc(2026, 1, 11) });
    const invoice = latestInvoiceOf(switched);
    expect(invoice.billing_reason).toBe('subscription_update');
    expect(invoice.lines.data.map((line) => line.amount).sort((a, b) => a - b)).toStrictEqual([
      -2100, 30000,
    ]);
    expect(invoice.amount_paid).toBe(27900);
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
    expect(ended.status).toBe('active');
    expect(ended.trial_end).toBe(start);
    expect(periodOf(ended)).toStrictEqual({ start, end: utc(2025, 2, 1) });
    const invoice = latestInvoiceOf(ended);
    expect(invoice.billing_reason).toBe('subscription_update');
    expect(invoice.amount_paid).toBe(1500);
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
    expect(trialing.status).toBe('trialing');
    expect(trialing.test_clock).toBe(null);
    const active = await waitFor(
      () => retrieve(trialing.id),
      (subscription) => subscription.status !== 'trialing',
      { timeoutMs: 15_000, what: 'the trial to end on the wall clock' },
    );
    expect(active.status).toBe('active');
    expect(active.billing_cycle_anchor).toBe(trialEnd);
    expect(periodOf(active).start).toBe(trialEnd);
    const invoice = latestInvoiceOf(active);
    expect(invoice.billing_reason).toBe('subscription_cycle');
    expect(invoice.amount_paid).toBe(700);
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
    expect(canceled.status).toBe('canceled');
    const final = latestInvoiceOf(canceled);
    expect(final.id).not.toBe(subscription.latest_invoice);
    expect(final.total).toBe(-2100);
    expect(final.lines.data[0]?.description ?? '').toMatch(
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
    expect(canceling.status).toBe('active');
    expect(canceling.cancel_at_period_end).toBe(true);
    expect(canceling.cancel_at).toBe(utc(2025, 2, 1));
    expect(canceling.canceled_at).toBe(start + 3 * DAY);
    const details = defined(canceling.cancellation_details, 'the cancellation details');
    expect(details.reason).toBe('cancellation_requested');
    expect(details.feedback).toBe('too_expensive');
    const requested = await webhook<Stripe.CustomerSubscriptionUpdatedEvent>(
      'customer.subscription.updated',
      (event) => event.data.object.id === subscription.id && event.data.object.cancel_at_period_end,
    );
    expect(requested.data.previous_attributes?.cancel_at_period_end).toBe(false);

    await advance(testClock.id, utc(2025, 2, 1, 1));
    const ended = await stripe.subscriptions.retrieve(subscription.id);
    expect(ended.status).toBe('canceled');
    expect(ended.ended_at).toBe(utc(2025, 2, 1));
    expect(ended.latest_invoice).toBe(subscription.latest_invoice);
    const deleted = await webhook<Stripe.CustomerSubscriptionDeletedEvent>(
      'customer.subscription.deleted',
      (event) => event.data.object.id === subscription.id,
    );
    expect(deleted.data.object.status).toBe('canceled');
    expect(deleted.created).toBe(utc(2025, 2, 1));
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
    expect(canceled.status).toBe('canceled');
    expect(canceled.canceled_at).toBe(start + 2 * DAY);
    expect(canceled.ended_at).toBe(start + 2 * DAY);
    expect(canceled.cancellation_details?.reason).toBe('cancellation_requested');
    await webhook<Stripe.CustomerSubscriptionDeletedEvent>(
      'customer.subscription.deleted',
      (event) => event.data.object.id === subscription.id,
    );
    const live = await stripe.subscriptions.list({ customer: customer.id });
    expect(live.data).toStrictEqual([]);
    const ended = await stripe.subscriptions.list({ customer: customer.id, status: 'canceled' });
    expect(ended.data.map((s) => s.id)).toStrictEqual([subscription.id]);
    const cancelAgain = await rejectionOf(
      stripe.subscriptions.cancel(subscription.id),
      Stripe.errors.StripeInvalidRequestError,
    );
    expect(cancelAgain.code).toBe('resource_missing');
    const updateCanceled = await rejectionOf(
      stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true }),
      Stripe.errors.StripeInvalidRequestError,
    );
    expect(updateCanceled.message).toMatch(/canceled subscription can only update/);
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
    expect(incomplete.status).toBe('incomplete');
    const invoice = latestInvoiceOf(incomplete);
    expect(invoice.status).toBe('open');
    expect(invoice.next_payment_attempt).toBe(null);
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
    expect((await stripe.subscriptions.retrieve(incomplete.id)).status).toBe('incomplete');
    await advance(testClock.id, start + 23 * HOUR + 60);
    const expired = await retrieve(incomplete.id);
    expect(expired.status).toBe('incomplete_expired');
    expect(expired.ended_at).toBe(start + 23 * HOUR);
    expect(latestInvoiceOf(expired).status).toBe('void');
    const expiredEvent = await statusChanged(incomplete.id, 'incomplete', 'incomplete_expired');
    expect(expiredEvent.created).toBe(start + 23 * HOUR);
  });

  it('refuses a declined first payment with error_if_incomplete, keeping nothing', async () => {
    const { customer } = await customerOnClock(utc(2025, 1, 1), 'pm_card_chargeDeclined');
    const price = await monthlyPrice(1000, 'Monthly');
    const declined = await rejectionOf(
      stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: price.id }],
        payment_behavior: 'error_if_incomplete',
      }),
      Stripe.errors.StripeCardError,
    );
    expect(declined.statusCode).toBe(402);
    expect(declined.code).toBe('card_declined');
    const kept = await stripe.subscriptions.list({ customer: customer.id, status: 'all' });
    expect(kept.data).toStrictEqual([]);
    const invoices = await stripe.invoices.list({ customer: customer.id });
    expect(invoices.data).toStrictEqual([]);
  });

  it('checks parameters like Stripe', async () => {
    const { customer } = await customerOnClock(utc(2025, 1, 1));
    const price = await monthlyPrice(1000, 'Monthly');
    const unknown = await rejectionOf(
      stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: price.id, quantiy: 2 } as Stripe.SubscriptionCreateParams.Item],
      }),
      Stripe.errors.StripeInvalidRequestError,
    );
    expect(unknown.code).toBe('parameter_unknown');
    expect(unknown.param).toBe('items[0][quantiy]');
    const missingPrice = await rejectionOf(
      stripe.subscriptions.create({ customer: customer.id, items: [{ price: 'price_missing' }] }),
      Stripe.errors.StripeInvalidRequestError,
    );
    expect(missingPrice.code).toBe('resource_missing');
    expect(missingPrice.param).toBe('items[0][price]');
    const oneTime = await stripe.prices.create({
      product: (await stripe.products.create({ name: 'Once' })).id,
      currency: 'usd',
      unit_amount: 500,
    });
    const notRecurring = await rejectionOf(
      stripe.subscriptions.create({ customer: customer.id, items: [{ price: oneTime.id }] }),
      Stripe.errors.StripeInvalidRequestError,
    );
    expect(notRecurring.message).toMatch(/type=recurring/);
  });

  it('manages test clocks: list, an advance limit, deletion with their customers', async () => {
    const start = utc(2025, 1, 1);
    const { testClock, customer } = await customerOnClock(start);
    const price = await monthlyPrice(1000, 'Monthly');
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
    });
    expect(testClock.status).toBe('ready');
    expect(testClock.frozen_time).toBe(start);
    expect(testClock.name).toBe('subscriptions test');
    const listed = await stripe.testHelpers.testClocks.list({ limit: 100 });
    expect(listed.data.some((clock) => clock.id === testClock.id)).toBeTruthy();
    const onClock = await stripe.subscriptions.list({ test_clock: testClock.id });
    expect(onClock.data.map((s) => s.id)).toStrictEqual([subscription.id]);
    const tooFar = await rejectionOf(
      stripe.testHelpers.testClocks.advance(testClock.id, { frozen_time: utc(2025, 3, 2) }),
      Stripe.errors.StripeInvalidRequestError,
    );
    expect(tooFar.param).toBe('frozen_time');
    await rejectionOf(
      stripe.testHelpers.testClocks.advance(testClock.id, { frozen_time: start }),
      Stripe.errors.StripeInvalidRequestError,
    );
    const deleted = await stripe.testHelpers.testClocks.del(testClock.id);
    expect(deleted.deleted).toBe(true);
    await webhook<Stripe.TestHelpersTestClockDeletedEvent>(
      'test_helpers.test_clock.deleted',
      (event) => event.data.object.id === testClock.id,
    );
    for (const missing of [
      stripe.testHelpers.testClocks.retrieve(testClock.id),
      stripe.customers.retrieve(customer.id),
      stripe.subscriptions.retrieve(subscription.id),
    ]) {
      const gone = await rejectionOf(missing, Stripe.errors.StripeInvalidRequestError);
      expect(gone.statusCode).toBe(404);
    }
    await webhook<Stripe.TestHelpersTestClockCreatedEvent>(
      'test_helpers.test_clock.created',
      (event) => event.data.object.id === testClock.id,
    );
  });
});

describe('sandbox subscriptions kept in PostgreSQL', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
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
    expect(ready.status).toBe('ready');
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
      expect((await first.stripe.subscriptions.retrieve(subscription.id)).status).toBe('past_due');
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
      expect(kept.status).toBe('past_due');
      expect(periodOf(kept)).toStrictEqual({ start: utc(2025, 2, 1), end: utc(2025, 3, 1) });
      const unpaid = latestInvoiceOf(kept);
      expect(unpaid.status).toBe('open');
      expect(unpaid.next_payment_attempt).toBe(utc(2025, 2, 1) + 3 * DAY);
      await setDefaultCard(second.stripe, customerId, 'pm_card_visa');
      await advance(second.stripe, testClockId, utc(2025, 2, 4, 1));
      const recovered = await second.stripe.subscriptions.retrieve(subscriptionId, {
        expand: ['latest_invoice'],
      });
      expect(recovered.status).toBe('active');
      expect(latestInvoiceOf(recovered).id).toBe(unpaid.id);
      expect(latestInvoiceOf(recovered).status).toBe('paid');
    } finally {
      await second.stop();
    }
  });
});
