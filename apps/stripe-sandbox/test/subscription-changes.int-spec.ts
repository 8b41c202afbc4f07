import { describe, it, expect } from '@jest/globals';
import { defined, rejectionOf, waitFor } from '@aegis/testing';
import Stripe from 'stripe';
import { useSandbox } from './sandbox-harness.js';

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

describe('sandbox subscription changes', () => {
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

  /**
   * The newest recorded event of the type passing `matches`, read from the
   * events API (at once: webhooks of a long suite may still be on their way).
   */
  async function recorded<T extends Stripe.Event>(
    type: T['type'],
    matches: (event: T) => boolean,
  ): Promise<T> {
    for await (const event of stripe.events.list({ type, limit: 100 })) {
      if (matches(event as T)) return event as T;
    }
    throw new Error(`no ${type} event recorded`);
  }

  /** Every event the sandbox recorded about an object, oldest first (from the events API). */
  async function eventsAbout(objectId: string): Promise<Stripe.Event[]> {
    const events: Stripe.Event[] = [];
    for await (const event of stripe.events.list({ limit: 100 })) {
      if ((event.data.object as { id?: string }).id === objectId) events.push(event);
    }
    return events.reverse();
  }

  async function setDefaultCard(customer: string, card: string): Promise<void> {
    const paymentMethod = await stripe.paymentMethods.attach(card, { customer });
    await stripe.customers.update(customer, {
      invoice_settings: { default_payment_method: paymentMethod.id },
    });
  }

  /** A customer on a new test clock at `frozenTime`, paying with a default card unless `card` is null. */
  async function customerOnClock(
    frozenTime: number,
    card: string | null = 'pm_card_visa',
  ): Promise<{ testClock: Stripe.TestHelpers.TestClock; customer: Stripe.Customer }> {
    const testClock = await stripe.testHelpers.testClocks.create({ frozen_time: frozenTime });
    const customer = await stripe.customers.create({
      email: 'changes@example.com',
      test_clock: testClock.id,
    });
    if (card !== null) await setDefaultCard(customer.id, card);
    return { testClock, customer };
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
    await stripe.testHelpers.testClocks.advance(testClock, { frozen_time: frozenTime });
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

  /** A monthly subscription started at `start` on a new clock, its first invoice paid. */
  async function monthlySubscription(
    start: number,
    unitAmount = 1000,
  ): Promise<{
    testClock: Stripe.TestHelpers.TestClock;
    customer: Stripe.Customer;
    subscription: Stripe.Subscription;
  }> {
    const { testClock, customer } = await customerOnClock(start);
    const price = await monthlyPrice(unitAmount, 'Monthly');
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
    });
    expect(subscription.status).toBe('active');
    return { testClock, customer, subscription };
  }

  describe('pause_collection', () => {
    it('voids the renewals made while paused, keeping the subscription active', async () => {
      const start = utc(2025, 1, 1);
      const { testClock, subscription } = await monthlySubscription(start);
      expect(subscription.pause_collection).toBe(null);

      const paused = await stripe.subscriptions.update(subscription.id, {
        pause_collection: { behavior: 'void' },
      });
      expect(paused.status).toBe('active');
      expect(paused.pause_collection).toStrictEqual({ behavior: 'void', resumes_at: null });
      const pausedEvent = await webhook<Stripe.CustomerSubscriptionUpdatedEvent>(
        'customer.subscription.updated',
        (event) =>
          event.data.object.id === subscription.id &&
          event.data.object.pause_collection?.behavior === 'void',
      );
      expect(pausedEvent.data.previous_attributes).toStrictEqual({ pause_collection: null });

      await advance(testClock.id, utc(2025, 2, 1, 1));
      const renewed = await retrieve(subscription.id);
      expect(renewed.status).toBe('active');
      expect(periodOf(renewed)).toStrictEqual({ start: utc(2025, 2, 1), end: utc(2025, 3, 1) });
      const voided = latestInvoiceOf(renewed);
      expect(voided.billing_reason).toBe('subscription_cycle');
      expect(voided.status).toBe('void');
      expect(voided.total).toBe(1000);
      expect(voided.amount_paid).toBe(0);
      expect(voided.attempt_count).toBe(0);
      expect(voided.attempted).toBe(false);
      expect(voided.auto_advance).toBe(false);
      expect(voided.next_payment_attempt).toBe(null);
      await webhook<Stripe.InvoiceVoidedEvent>(
        'invoice.voided',
        (event) => event.data.object.id === voided.id,
      );
      expect(
        receiver.ofType('invoice.payment_failed').map((e) => e.data.object),
      ).not.toContainEqual(expect.objectContaining({ id: voided.id }));
      const charges = await stripe.charges.list({ customer: renewed.customer as string });
      expect(charges.data.length).toBe(1);
    });

    it('marks renewals uncollectible without charging them', async () => {
      const start = utc(2025, 3, 1);
      const { testClock, subscription } = await monthlySubscription(start, 1500);
      await stripe.subscriptions.update(subscription.id, {
        pause_collection: { behavior: 'mark_uncollectible' },
      });
      await advance(testClock.id, utc(2025, 4, 1, 1));
      const renewed = await retrieve(subscription.id);
      expect(renewed.status).toBe('active');
      const invoice = latestInvoiceOf(renewed);
      expect(invoice.status).toBe('uncollectible');
      expect(invoice.number).not.toBe(null);
      expect(invoice.amount_due).toBe(1500);
      expect(invoice.amount_paid).toBe(0);
      expect(invoice.attempt_count).toBe(0);
      expect(invoice.payments?.data ?? []).toStrictEqual([]);
      await webhook<Stripe.InvoiceMarkedUncollectibleEvent>(
        'invoice.marked_uncollectible',
        (event) => event.data.object.id === invoice.id,
      );
    });

    it('keeps renewals as drafts until resumes_at, then collects again by itself', async () => {
      const start = utc(2025, 1, 1);
      const { testClock, subscription } = await monthlySubscription(start);
      const resumesAt = utc(2025, 2, 15);
      const paused = await stripe.subscriptions.update(subscription.id, {
        pause_collection: { behavior: 'keep_as_draft', resumes_at: resumesAt },
      });
      expect(paused.pause_collection).toStrictEqual({
        behavior: 'keep_as_draft',
        resumes_at: resumesAt,
      });

      await advance(testClock.id, utc(2025, 2, 1, 1));
      const draft = latestInvoiceOf(await retrieve(subscription.id));
      expect(draft.status).toBe('draft');
      expect(draft.auto_advance).toBe(false);
      expect(draft.attempt_count).toBe(0);
      expect(draft.total).toBe(1000);
      const created = await webhook<Stripe.InvoiceCreatedEvent>(
        'invoice.created',
        (event) => event.data.object.id === draft.id,
      );
      expect(created.data.object.auto_advance).toBe(false);

      await advance(testClock.id, utc(2025, 2, 20));
      const resumed = await retrieve(subscription.id);
      expect(resumed.pause_collection).toBe(null);
      expect(resumed.status).toBe('active');
      expect(latestInvoiceOf(resumed).id).toBe(draft.id);
      expect(latestInvoiceOf(resumed).status).toBe('draft');
      const resumedEvent = await webhook<Stripe.CustomerSubscriptionUpdatedEvent>(
        'customer.subscription.updated',
        (event) =>
          event.data.object.id === subscription.id &&
          event.data.object.pause_collection === null &&
          event.data.previous_attributes?.pause_collection?.behavior === 'keep_as_draft',
      );
      expect(resumedEvent.created).toBe(resumesAt);
      expect(resumedEvent.data.previous_attributes).toStrictEqual({
        pause_collection: { behavior: 'keep_as_draft', resumes_at: resumesAt },
      });

      await advance(testClock.id, utc(2025, 3, 1, 1));
      const collected = latestInvoiceOf(await retrieve(subscription.id));
      expect(collected.id).not.toBe(draft.id);
      expect(collected.status).toBe('paid');
      expect(collected.amount_paid).toBe(1000);
    });

    it("resumes collection when pause_collection is unset with ''", async () => {
      const start = utc(2025, 1, 1);
      const { testClock, subscription } = await monthlySubscription(start);
      await stripe.subscriptions.update(subscription.id, {
        pause_collection: { behavior: 'void' },
      });
      await advance(testClock.id, start + 10 * DAY);
      const unpaused = await stripe.subscriptions.update(subscription.id, {
        pause_collection: '',
      });
      expect(unpaused.pause_collection).toBe(null);
      await webhook<Stripe.CustomerSubscriptionUpdatedEvent>(
        'customer.subscription.updated',
        (event) =>
          event.data.object.id === subscription.id &&
          event.data.object.pause_collection === null &&
          event.data.previous_attributes?.pause_collection?.behavior === 'void',
      );
      await advance(testClock.id, utc(2025, 2, 1, 1));
      const renewal = latestInvoiceOf(await retrieve(subscription.id));
      expect(renewal.status).toBe('paid');
      expect(renewal.amount_paid).toBe(1000);
    });

    it('checks its parameters like Stripe', async () => {
      const start = utc(2025, 1, 1);
      const { subscription } = await monthlySubscription(start);
      const missing = await rejectionOf(
        stripe.subscriptions.update(subscription.id, {
          pause_collection: {
            resumes_at: start + DAY,
          } as Stripe.SubscriptionUpdateParams.PauseCollection,
        }),
        Stripe.errors.StripeInvalidRequestError,
      );
      expect(missing.code).toBe('parameter_missing');
      expect(missing.param).toBe('pause_collection[behavior]');
      const empty = await rejectionOf(
        stripe.subscriptions.update(subscription.id, { pause_collection: { behavior: '' } }),
        Stripe.errors.StripeInvalidRequestError,
      );
      expect(empty.code).toBe('parameter_invalid_empty');
      expect(empty.param).toBe('pause_collection[behavior]');
      const invalid = await rejectionOf(
        stripe.subscriptions.update(subscription.id, { pause_collection: { behavior: 'forever' } }),
        Stripe.errors.StripeInvalidRequestError,
      );
      expect(invalid.param).toBe('pause_collection[behavior]');
      const past = await rejectionOf(
        stripe.subscriptions.update(subscription.id, {
          pause_collection: { behavior: 'void', resumes_at: start },
        }),
        Stripe.errors.StripeInvalidRequestError,
      );
      expect(past.statusCode).toBe(400);
      expect(past.param).toBe('pause_collection[resumes_at]');
      const unknown = await rejectionOf(
        stripe.subscriptions.update(subscription.id, {
          pause_collection: {
            behavior: 'void',
            until: 5,
          } as Stripe.SubscriptionUpdateParams.PauseCollection,
        }),
        Stripe.errors.StripeInvalidRequestError,
      );
      expect(unknown.code).toBe('parameter_unknown');
      expect(unknown.param).toBe('pause_collection[until]');
      // Nothing of the refused requests was kept.
      expect((await stripe.subscriptions.retrieve(subscription.id)).pause_collection).toBe(null);
      expect(
        (await eventsAbout(subscription.id)).filter(
          (e) => e.type === 'customer.subscription.updated',
        ),
      ).toStrictEqual([]);
    });
  });

  describe('create_preview', () => {
    /** The newest event's id: a preview must leave it as it was. */
    async function newestEventId(): Promise<string | undefined> {
      return (await stripe.events.list({ limit: 1 })).data[0]?.id;
    }

    function amountsOf(invoice: Stripe.Invoice): number[] {
      return invoice.lines.data.map((line) => line.amount).sort((a, b) => a - b);
    }

    function linesOf(invoice: Stripe.Invoice): [number, string | null, number, number][] {
      return invoice.lines.data
        .map((line): [number, string | null, number, number] => [
          line.amount,
          line.description,
          line.period.start,
          line.period.end,
        ])
        .sort((a, b) => a[0] - b[0]);
    }

    it('previews an always_invoice price change to the cent of the invoice the update makes', async () => {
      const start = utc(2025, 2, 1);
      const { testClock, customer } = await customerOnClock(start);
      const small = await monthlyPrice(2800, 'Small');
      const large = await monthlyPrice(5900, 'Large');
      const subscription = await stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: small.id }],
      });
      const item = defined(subscription.items.data[0], 'the subscription item');
      await advance(testClock.id, start + 7 * DAY);
      // An odd second, so that both prorations are fractions rounded to the cent.
      const prorationDate = start + 7 * DAY + 12_345;
      const eventBefore = await newestEventId();

      const preview = await stripe.invoices.createPreview({
        subscription: subscription.id,
        subscription_details: {
          items: [{ id: item.id, price: large.id }],
          proration_behavior: 'always_invoice',
          proration_date: prorationDate,
        },
      });
      expect(preview.object).toBe('invoice');
      expect(preview.id).toMatch(/^upcoming_in_/);
      expect(preview.status).toBe('draft');
      expect(preview.number).toBe(null);
      expect(preview.customer).toBe(customer.id);
      expect(preview.parent?.subscription_details?.subscription).toBe(subscription.id);
      expect(preview.parent?.subscription_details?.subscription_proration_date).toBe(prorationDate);
      expect(preview.lines.data.length).toBe(2);
      for (const line of preview.lines.data) {
        expect(line.parent?.subscription_item_details?.proration).toBe(true);
        expect(line.period).toStrictEqual({ start: prorationDate, end: utc(2025, 3, 1) });
        expect(line.invoice).toBe(preview.id);
      }
      // 28 days less 7 days and 12,345 s remain of 28 days: not a whole number of cents.
      const remaining = utc(2025, 3, 1) - prorationDate;
      const length = utc(2025, 3, 1) - start;
      expect(amountsOf(preview)).toStrictEqual([
        -Math.round((2800 * remaining) / length),
        Math.round((5900 * remaining) / length),
      ]);
      expect(preview.total).toBe(amountsOf(preview).reduce((sum, amount) => sum + amount, 0));

      // Nothing was kept: no event, no invoice, no pending item, the subscription as it was.
      expect(await newestEventId()).toBe(eventBefore);
      const missing = await rejectionOf(
        stripe.invoices.retrieve(preview.id),
        Stripe.errors.StripeInvalidRequestError,
      );
      expect(missing.statusCode).toBe(404);
      const unchanged = await stripe.subscriptions.retrieve(subscription.id);
      expect(unchanged.items.data[0]?.price.id).toBe(small.id);
      expect(unchanged.latest_invoice).toBe(subscription.latest_invoice);
      const invoices = await stripe.invoices.list({ customer: customer.id });
      expect(invoices.data.length).toBe(1);
      const pending = await stripe.invoiceItems.list({ customer: customer.id, pending: true });
      expect(pending.data).toStrictEqual([]);

      const updated = await stripe.subscriptions.update(subscription.id, {
        items: [{ id: item.id, price: large.id }],
        proration_behavior: 'always_invoice',
        proration_date: prorationDate,
        expand: ['latest_invoice'],
      });
      const invoice = latestInvoiceOf(updated);
      expect(invoice.status).toBe('paid');
      expect(linesOf(invoice)).toStrictEqual(linesOf(preview));
      expect(invoice.total).toBe(preview.total);
      expect(invoice.amount_due).toBe(preview.amount_due);
    });

    it('previews create_prorations as the next renewal: prorations and the new period, as billed', async () => {
      const start = utc(2025, 1, 1);
      const { testClock, customer } = await customerOnClock(start);
      const seat = await monthlyPrice(1333, 'Seat');
      const subscription = await stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: seat.id }],
      });
      const item = defined(subscription.items.data[0], 'the subscription item');
      await advance(testClock.id, start + 9 * DAY);
      const prorationDate = start + 9 * DAY + 4_321;
      const eventBefore = await newestEventId();

      const preview = await stripe.invoices.createPreview({
        customer: customer.id,
        subscription: subscription.id,
        subscription_details: {
          items: [{ id: item.id, quantity: 3 }],
          proration_date: prorationDate,
        },
      });
      expect(preview.created).toBe(utc(2025, 2, 1));
      expect(preview.period_start).toBe(start);
      expect(preview.period_end).toBe(utc(2025, 2, 1));
      const prorations = preview.lines.data.filter(
        (line) => line.parent?.subscription_item_details?.proration === true,
      );
      expect(prorations.length).toBe(2);
      for (const line of prorations) {
        expect(line.parent?.subscription_item_details?.invoice_item).toBe(null);
      }
      const nextPeriod = preview.lines.data.filter(
        (line) => line.parent?.subscription_item_details?.proration === false,
      );
      expect(nextPeriod.map((line) => [line.amount, line.quantity, line.period])).toStrictEqual([
        [3999, 3, { start: utc(2025, 2, 1), end: utc(2025, 3, 1) }],
      ]);
      expect(await newestEventId()).toBe(eventBefore);

      await stripe.subscriptions.update(subscription.id, {
        items: [{ id: item.id, quantity: 3 }],
        proration_date: prorationDate,
      });
      await advance(testClock.id, utc(2025, 2, 1, 1));
      const renewal = latestInvoiceOf(await retrieve(subscription.id));
      expect(renewal.billing_reason).toBe('subscription_cycle');
      expect(linesOf(renewal)).toStrictEqual(linesOf(preview));
      expect(renewal.total).toBe(preview.total);
      expect(renewal.amount_paid).toBe(preview.amount_due);
    });

    it('previews the next invoice of a subscription or of a customer, and none when it ends', async () => {
      const start = utc(2025, 1, 1);
      const { customer, subscription } = await monthlySubscription(start, 2500);
      const ofSubscription = await stripe.invoices.createPreview({
        subscription: subscription.id,
      });
      const ofCustomer = await stripe.invoices.createPreview({ customer: customer.id });
      for (const preview of [ofSubscription, ofCustomer]) {
        expect(preview.parent?.subscription_details?.subscription).toBe(subscription.id);
        expect(preview.parent?.subscription_details?.subscription_proration_date).toBeUndefined();
        expect(preview.total).toBe(2500);
        expect(preview.lines.data.map((line) => line.period)).toStrictEqual([
          { start: utc(2025, 2, 1), end: utc(2025, 3, 1) },
        ]);
      }
      const ending = await rejectionOf(
        stripe.invoices.createPreview({
          subscription: subscription.id,
          subscription_details: { cancel_at_period_end: true },
        }),
        Stripe.errors.StripeInvalidRequestError,
      );
      expect(ending.statusCode).toBe(404);
      expect(ending.code).toBe('invoice_upcoming_none');
      expect((await stripe.subscriptions.retrieve(subscription.id)).cancel_at_period_end).toBe(
        false,
      );
      const stranger = await stripe.customers.create({ email: 'nobody@example.com' });
      const none = await rejectionOf(
        stripe.invoices.createPreview({ customer: stranger.id }),
        Stripe.errors.StripeInvalidRequestError,
      );
      expect(none.code).toBe('invoice_upcoming_none');
      expect(none.message).toBe(`No upcoming invoices for customer: ${stranger.id}`);
    });

    it('previews billing_cycle_anchor=now and trial_end=now as the updates bill them', async () => {
      const start = utc(2025, 1, 1);
      const { testClock, customer, subscription } = await monthlySubscription(start, 3100);
      await advance(testClock.id, start + 10 * DAY);
      const reset = await stripe.invoices.createPreview({
        subscription: subscription.id,
        subscription_details: { billing_cycle_anchor: { type: 'now' } },
      });
      expect(amountsOf(reset)).toStrictEqual([-2100, 3100]);
      const resetUpdate = await stripe.subscriptions.update(subscription.id, {
        billing_cycle_anchor: { type: 'now' },
        expand: ['latest_invoice'],
      });
      expect(resetUpdate.billing_cycle_anchor).toBe(start + 10 * DAY);
      expect(periodOf(resetUpdate)).toStrictEqual({
        start: start + 10 * DAY,
        end: utc(2025, 2, 11),
      });
      expect(linesOf(latestInvoiceOf(resetUpdate))).toStrictEqual(linesOf(reset));

      const price = await monthlyPrice(1700, 'Trial plan');
      const trialing = await stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: price.id }],
        trial_period_days: 14,
      });
      const endNow = await stripe.invoices.createPreview({
        subscription: trialing.id,
        subscription_details: { trial_end: 'now' },
      });
      expect(amountsOf(endNow)).toStrictEqual([1700]);
      expect((await stripe.subscriptions.retrieve(trialing.id)).status).toBe('trialing');
      const ended = await stripe.subscriptions.update(trialing.id, {
        trial_end: 'now',
        expand: ['latest_invoice'],
      });
      expect(linesOf(latestInvoiceOf(ended))).toStrictEqual(linesOf(endNow));
      const trialPreview = await stripe.invoices.createPreview({
        subscription: (
          await stripe.subscriptions.create({
            customer: customer.id,
            items: [{ price: (await monthlyPrice(900, 'Later')).id }],
            trial_period_days: 5,
          })
        ).id,
      });
      expect(trialPreview.created).toBe(start + 15 * DAY);
      expect(amountsOf(trialPreview)).toStrictEqual([900]);
    });

    it('checks its parameters like Stripe', async () => {
      const start = utc(2025, 1, 1);
      const { subscription } = await monthlySubscription(start);
      const item = defined(subscription.items.data[0], 'the subscription item');
      const nothing = await rejectionOf(
        stripe.invoices.createPreview({}),
        Stripe.errors.StripeInvalidRequestError,
      );
      expect(nothing.code).toBe('parameter_missing');
      expect(nothing.param).toBe('customer');
      const unknown = await rejectionOf(
        stripe.invoices.createPreview({
          subscription: subscription.id,
          subscription_details: {
            frequency: 2,
          } as Stripe.InvoiceCreatePreviewParams.SubscriptionDetails,
        }),
        Stripe.errors.StripeInvalidRequestError,
      );
      expect(unknown.code).toBe('parameter_unknown');
      expect(unknown.param).toBe('subscription_details[frequency]');
      const noItem = await rejectionOf(
        stripe.invoices.createPreview({
          subscription: subscription.id,
          subscription_details: { items: [{ id: 'si_missing', quantity: 2 }] },
        }),
        Stripe.errors.StripeInvalidRequestError,
      );
      expect(noItem.code).toBe('resource_missing');
      expect(noItem.param).toBe('subscription_details[items][0][id]');
      const outside = await rejectionOf(
        stripe.invoices.createPreview({
          subscription: subscription.id,
          subscription_details: {
            items: [{ id: item.id, quantity: 2 }],
            proration_date: utc(2025, 3, 1),
          },
        }),
        Stripe.errors.StripeInvalidRequestError,
      );
      expect(outside.param).toBe('subscription_details[proration_date]');
      const none = await rejectionOf(
        stripe.invoices.createPreview({
          subscription: subscription.id,
          subscription_details: {
            items: [{ id: item.id, quantity: 2 }],
            proration_behavior: 'none',
            proration_date: start + DAY,
          },
        }),
        Stripe.errors.StripeInvalidRequestError,
      );
      expect(none.param).toBe('subscription_details[proration_date]');
      const stringAnchor = await rejectionOf(
        stripe.invoices.createPreview({
          subscription: subscription.id,
          subscription_details: {
            billing_cycle_anchor: 'now',
          } as unknown as Stripe.InvoiceCreatePreviewParams.SubscriptionDetails,
        }),
        Stripe.errors.StripeInvalidRequestError,
      );
      expect(stringAnchor.param).toBe('subscription_details[billing_cycle_anchor]');
    });
  });

  describe('subscription_items', () => {
    it('lists, pages and retrieves the items of a subscription', async () => {
      const { customer } = await customerOnClock(utc(2025, 1, 1));
      const [a, b, c] = await Promise.all([
        monthlyPrice(1000, 'A'),
        monthlyPrice(2000, 'B'),
        monthlyPrice(3000, 'C'),
      ]);
      const subscription = await stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: a.id }, { price: b.id, quantity: 2 }, { price: c.id }],
      });
      const ids = subscription.items.data.map((item) => item.id);
      expect(subscription.items.url).toBe(`/v1/subscription_items?subscription=${subscription.id}`);
      const all = await stripe.subscriptionItems.list({ subscription: subscription.id });
      expect(all.object).toBe('list');
      expect(all.url).toBe('/v1/subscription_items');
      expect(all.has_more).toBe(false);
      expect(all.data).toStrictEqual(subscription.items.data);
      const first = await stripe.subscriptionItems.list({
        subscription: subscription.id,
        limit: 2,
      });
      expect(first.data.map((item) => item.id)).toStrictEqual(ids.slice(0, 2));
      expect(first.has_more).toBe(true);
      const rest = await stripe.subscriptionItems.list({
        subscription: subscription.id,
        limit: 2,
        starting_after: ids[1],
      });
      expect(rest.data.map((item) => item.id)).toStrictEqual(ids.slice(2));
      expect(rest.has_more).toBe(false);

      const retrieved = await stripe.subscriptionItems.retrieve(defined(ids[1], 'item B'));
      expect(retrieved.object).toBe('subscription_item');
      expect(retrieved.subscription).toBe(subscription.id);
      expect(retrieved.price.id).toBe(b.id);
      expect(retrieved.quantity).toBe(2);

      const missing = await rejectionOf(
        stripe.subscriptionItems.retrieve('si_missing'),
        Stripe.errors.StripeInvalidRequestError,
      );
      expect(missing.statusCode).toBe(404);
      expect(missing.code).toBe('resource_missing');
      const noSubscription = await rejectionOf(
        stripe.rawRequest('GET', '/v1/subscription_items'),
        Stripe.errors.StripeInvalidRequestError,
      );
      expect(noSubscription.code).toBe('parameter_missing');
      expect(noSubscription.param).toBe('subscription');
      const unknownSubscription = await rejectionOf(
        stripe.subscriptionItems.list({ subscription: 'sub_missing' }),
        Stripe.errors.StripeInvalidRequestError,
      );
      expect(unknownSubscription.code).toBe('resource_missing');
      expect(unknownSubscription.param).toBe('subscription');
    });

    it('adds an item, prorated as the subscription update and its preview prorate it', async () => {
      const start = utc(2025, 2, 1);
      const { testClock, subscription } = await monthlySubscription(start, 2800);
      const addOn = await monthlyPrice(1999, 'Add-on');
      await advance(testClock.id, start + 5 * DAY);
      const prorationDate = start + 5 * DAY + 777;
      const preview = await stripe.invoices.createPreview({
        subscription: subscription.id,
        subscription_details: {
          items: [{ price: addOn.id, quantity: 2 }],
          proration_behavior: 'always_invoice',
          proration_date: prorationDate,
        },
      });
      expect(preview.lines.data.length).toBe(1);

      const added = await stripe.subscriptionItems.create({
        subscription: subscription.id,
        price: addOn.id,
        quantity: 2,
        metadata: { seat: 'extra' },
        proration_behavior: 'always_invoice',
        proration_date: prorationDate,
      });
      expect(added.id).toMatch(/^si_/);
      expect(added.object).toBe('subscription_item');
      expect(added.subscription).toBe(subscription.id);
      expect(added.quantity).toBe(2);
      expect(added.metadata).toStrictEqual({ seat: 'extra' });
      expect({ start: added.current_period_start, end: added.current_period_end }).toStrictEqual({
        start,
        end: utc(2025, 3, 1),
      });
      const parent = await retrieve(subscription.id);
      expect(parent.items.data.map((item) => item.id)).toContain(added.id);
      const invoice = latestInvoiceOf(parent);
      expect(invoice.billing_reason).toBe('subscription_update');
      expect(invoice.status).toBe('paid');
      expect(invoice.lines.data.map((line) => [line.amount, line.description])).toStrictEqual(
        preview.lines.data.map((line) => [line.amount, line.description]),
      );
      const updated = await recorded<Stripe.CustomerSubscriptionUpdatedEvent>(
        'customer.subscription.updated',
        (event) =>
          event.data.object.id === subscription.id &&
          event.data.object.items.data.some((item) => item.id === added.id),
      );
      expect(updated.data.previous_attributes?.items?.data.map((item) => item.id)).toStrictEqual(
        subscription.items.data.map((item) => item.id),
      );
    });

    it('changes an item quantity with prorations, and its metadata without', async () => {
      const start = utc(2025, 1, 1);
      const { testClock, customer, subscription } = await monthlySubscription(start, 3100);
      const item = defined(subscription.items.data[0], 'the subscription item');
      await advance(testClock.id, start + 10 * DAY);
      const updated = await stripe.subscriptionItems.update(item.id, { quantity: 3 });
      expect(updated.quantity).toBe(3);
      expect(updated.id).toBe(item.id);
      const pending = await stripe.invoiceItems.list({ customer: customer.id, pending: true });
      // 21 of 31 days left: -1 × $31 and +3 × $31 for 21/31 of the month.
      expect(pending.data.map((p) => p.amount).sort((x, y) => x - y)).toStrictEqual([-2100, 6300]);
      expect(pending.data.every((p) => p.proration)).toBe(true);

      const labelled = await stripe.subscriptionItems.update(item.id, {
        metadata: { team: 'blue' },
      });
      expect(labelled.metadata).toStrictEqual({ team: 'blue' });
      expect(labelled.quantity).toBe(3);
      const stillPending = await stripe.invoiceItems.list({ customer: customer.id, pending: true });
      expect(stillPending.data.length).toBe(2);
      const parent = await stripe.subscriptions.retrieve(subscription.id);
      expect(parent.items.data[0]?.metadata).toStrictEqual({ team: 'blue' });
      await recorded<Stripe.CustomerSubscriptionUpdatedEvent>(
        'customer.subscription.updated',
        (event) =>
          event.data.object.id === subscription.id &&
          event.data.previous_attributes?.items?.data[0]?.quantity === 1,
      );
    });

    it('deletes an item with a credit for its unused time, but never the last one', async () => {
      const start = utc(2025, 1, 1);
      const { testClock, customer } = await customerOnClock(start);
      const base = await monthlyPrice(3100, 'Base');
      const extra = await monthlyPrice(6200, 'Extra');
      const subscription = await stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: base.id }, { price: extra.id }],
      });
      const [baseItem, extraItem] = subscription.items.data;
      await advance(testClock.id, start + 10 * DAY);
      const deleted = await stripe.subscriptionItems.del(defined(extraItem, 'extra').id);
      expect(deleted).toStrictEqual({
        id: defined(extraItem, 'extra').id,
        object: 'subscription_item',
        deleted: true,
      });
      const parent = await stripe.subscriptions.retrieve(subscription.id);
      expect(parent.items.data.map((item) => item.id)).toStrictEqual([
        defined(baseItem, 'base').id,
      ]);
      const pending = await stripe.invoiceItems.list({ customer: customer.id, pending: true });
      expect(pending.data.map((p) => p.amount)).toStrictEqual([-4200]);
      const gone = await rejectionOf(
        stripe.subscriptionItems.retrieve(defined(extraItem, 'extra').id),
        Stripe.errors.StripeInvalidRequestError,
      );
      expect(gone.statusCode).toBe(404);

      const last = await rejectionOf(
        stripe.subscriptionItems.del(defined(baseItem, 'base').id, { proration_behavior: 'none' }),
        Stripe.errors.StripeInvalidRequestError,
      );
      expect(last.statusCode).toBe(400);
      expect(last.message).toMatch(/at least one active plan/);
      expect((await stripe.subscriptions.retrieve(subscription.id)).items.data.length).toBe(1);
    });

    it('checks its parameters like Stripe', async () => {
      const start = utc(2025, 1, 1);
      const { subscription } = await monthlySubscription(start);
      const item = defined(subscription.items.data[0], 'the subscription item');
      const unknown = await rejectionOf(
        stripe.subscriptionItems.update(item.id, {
          quantiy: 2,
        } as Stripe.SubscriptionItemUpdateParams),
        Stripe.errors.StripeInvalidRequestError,
      );
      expect(unknown.code).toBe('parameter_unknown');
      expect(unknown.param).toBe('quantiy');
      const noPrice = await rejectionOf(
        stripe.subscriptionItems.create({ subscription: subscription.id, quantity: 2 }),
        Stripe.errors.StripeInvalidRequestError,
      );
      expect(noPrice.code).toBe('parameter_missing');
      expect(noPrice.param).toBe('price');
      const samePrice = await rejectionOf(
        stripe.subscriptionItems.create({ subscription: subscription.id, price: item.price.id }),
        Stripe.errors.StripeInvalidRequestError,
      );
      expect(samePrice.param).toBe('price');
      expect(samePrice.message).toMatch(/same price/);
      const missingPrice = await rejectionOf(
        stripe.subscriptionItems.update(item.id, { price: 'price_missing' }),
        Stripe.errors.StripeInvalidRequestError,
      );
      expect(missingPrice.code).toBe('resource_missing');
      expect(missingPrice.param).toBe('price');
      const outside = await rejectionOf(
        stripe.subscriptionItems.update(item.id, { quantity: 2, proration_date: utc(2024, 1, 1) }),
        Stripe.errors.StripeInvalidRequestError,
      );
      expect(outside.param).toBe('proration_date');
      await stripe.subscriptions.cancel(subscription.id);
      const canceled = await rejectionOf(
        stripe.subscriptionItems.update(item.id, { quantity: 2 }),
        Stripe.errors.StripeInvalidRequestError,
      );
      expect(canceled.statusCode).toBe(400);
      expect(canceled.message).toMatch(/canceled subscription/);
      expect((await stripe.subscriptionItems.retrieve(item.id)).quantity).toBe(1);
    });
  });

  describe('paused subscriptions and resume', () => {
    /** A subscription whose 7-day trial, without a payment method, ends in `paused` (or as `behavior` says). */
    async function cardlessTrial(
      start: number,
      unitAmount: number,
      behavior: 'cancel' | 'pause' = 'pause',
    ): Promise<{
      testClock: Stripe.TestHelpers.TestClock;
      customer: Stripe.Customer;
      subscription: Stripe.Subscription;
    }> {
      const { testClock, customer } = await customerOnClock(start, null);
      const price = await monthlyPrice(unitAmount, 'Cardless');
      const subscription = await stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: price.id }],
        trial_period_days: 7,
        trial_settings: { end_behavior: { missing_payment_method: behavior } },
      });
      expect(subscription.status).toBe('trialing');
      expect(subscription.trial_settings?.end_behavior.missing_payment_method).toBe(behavior);
      return { testClock, customer, subscription };
    }

    it('pauses a trial that ends without a payment method, then resumes it with a new period', async () => {
      const start = utc(2025, 1, 1);
      const trialEnd = start + 7 * DAY;
      const { testClock, customer, subscription } = await cardlessTrial(start, 1500);
      await advance(testClock.id, trialEnd + HOUR);
      const paused = await retrieve(subscription.id);
      expect(paused.status).toBe('paused');
      expect(paused.status_details).toStrictEqual({
        paused: {
          subscription: { type: 'trial_end_without_payment_method' },
          transitioned_at: trialEnd,
          type: 'subscription',
        },
      });
      expect(latestInvoiceOf(paused).id).toBe(subscription.latest_invoice);
      const pausedEvent = await recorded<Stripe.CustomerSubscriptionPausedEvent>(
        'customer.subscription.paused',
        (event) => event.data.object.id === subscription.id,
      );
      expect(pausedEvent.created).toBe(trialEnd);
      await recorded<Stripe.CustomerSubscriptionUpdatedEvent>(
        'customer.subscription.updated',
        (event) =>
          event.data.object.id === subscription.id &&
          event.data.object.status === 'paused' &&
          event.data.previous_attributes?.status === 'trialing',
      );

      // Paused: no invoice and no new period while time passes.
      await advance(testClock.id, utc(2025, 2, 20));
      const stillPaused = await stripe.subscriptions.retrieve(subscription.id);
      expect(stillPaused.status).toBe('paused');
      expect((await stripe.invoices.list({ subscription: subscription.id })).data.length).toBe(1);
      await expect(
        stripe.invoices.createPreview({ subscription: subscription.id }),
      ).rejects.toMatchObject({ code: 'invoice_upcoming_none' });

      await setDefaultCard(customer.id, 'pm_card_visa');
      const resumed = await stripe.subscriptions.resume(subscription.id, {
        expand: ['latest_invoice'],
      });
      expect(resumed.status).toBe('active');
      expect(resumed.status_details).toBeUndefined();
      expect(resumed.billing_cycle_anchor).toBe(utc(2025, 2, 20));
      expect(periodOf(resumed)).toStrictEqual({ start: utc(2025, 2, 20), end: utc(2025, 3, 20) });
      const invoice = latestInvoiceOf(resumed);
      expect(invoice.billing_reason).toBe('subscription_update');
      expect(invoice.status).toBe('paid');
      expect(invoice.amount_paid).toBe(1500);
      await recorded<Stripe.CustomerSubscriptionResumedEvent>(
        'customer.subscription.resumed',
        (event) =>
          event.data.object.id === subscription.id && event.data.object.status === 'active',
      );
      const updated = await recorded<Stripe.CustomerSubscriptionUpdatedEvent>(
        'customer.subscription.updated',
        (event) =>
          event.data.object.id === subscription.id &&
          event.data.previous_attributes?.status === 'paused',
      );
      expect(updated.data.object.latest_invoice).toBe(invoice.id);

      const notPaused = await rejectionOf(
        stripe.subscriptions.resume(subscription.id),
        Stripe.errors.StripeInvalidRequestError,
      );
      expect(notPaused.statusCode).toBe(400);
      expect(notPaused.type).toBe('StripeInvalidRequestError');
      expect(notPaused.message).toMatch(/paused/);
    });

    it('resumes on the unchanged billing cycle, invoicing the rest of its period at once', async () => {
      const start = utc(2025, 1, 1);
      const { testClock, customer, subscription } = await cardlessTrial(start, 3100);
      // Paused at 8 Jan; 10 of the 31 days to 8 Feb have passed at 18 Jan.
      await advance(testClock.id, utc(2025, 1, 18));
      expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('paused');
      await setDefaultCard(customer.id, 'pm_card_visa');
      const resumed = await stripe.subscriptions.resume(subscription.id, {
        billing_cycle_anchor: { type: 'unchanged' },
        proration_behavior: 'always_invoice',
        expand: ['latest_invoice'],
      });
      expect(resumed.status).toBe('active');
      expect(resumed.billing_cycle_anchor).toBe(utc(2025, 1, 8));
      expect(periodOf(resumed)).toStrictEqual({ start: utc(2025, 1, 8), end: utc(2025, 2, 8) });
      const invoice = latestInvoiceOf(resumed);
      expect(invoice.lines.data.map((line) => [line.amount, line.period])).toStrictEqual([
        [2100, { start: utc(2025, 1, 18), end: utc(2025, 2, 8) }],
      ]);
      expect(invoice.status).toBe('paid');

      await advance(testClock.id, utc(2025, 2, 8, 1));
      const renewal = latestInvoiceOf(await retrieve(subscription.id));
      expect(renewal.billing_reason).toBe('subscription_cycle');
      expect(renewal.amount_paid).toBe(3100);
    });

    it('stays paused until paid with resume_on_payment_success; is past_due with resume_on_payment_attempt', async () => {
      const start = utc(2025, 1, 1);
      const waiting = await cardlessTrial(start, 1200);
      await advance(waiting.testClock.id, start + 8 * DAY);
      await setDefaultCard(waiting.customer.id, 'pm_card_chargeDeclined');
      const stillPaused = await stripe.subscriptions.resume(waiting.subscription.id, {
        payment_behavior: 'resume_on_payment_success',
        expand: ['latest_invoice'],
      });
      expect(stillPaused.status).toBe('paused');
      const open = latestInvoiceOf(stillPaused);
      expect(open.status).toBe('open');
      expect(open.attempt_count).toBe(1);
      const paid = await stripe.invoices.pay(open.id, { payment_method: 'pm_card_visa' });
      expect(paid.status).toBe('paid');
      expect((await stripe.subscriptions.retrieve(waiting.subscription.id)).status).toBe('active');
      await recorded<Stripe.CustomerSubscriptionResumedEvent>(
        'customer.subscription.resumed',
        (event) => event.data.object.id === waiting.subscription.id,
      );

      const eager = await cardlessTrial(start, 1200);
      await advance(eager.testClock.id, start + 8 * DAY);
      await setDefaultCard(eager.customer.id, 'pm_card_chargeDeclined');
      const pastDue = await stripe.subscriptions.resume(eager.subscription.id, {
        expand: ['latest_invoice'],
      });
      expect(pastDue.status).toBe('past_due');
      expect(latestInvoiceOf(pastDue).status).toBe('open');
      await recorded<Stripe.CustomerSubscriptionResumedEvent>(
        'customer.subscription.resumed',
        (event) => event.data.object.id === eager.subscription.id,
      );
    });

    it('cancels a trial ending without a payment method when missing_payment_method is cancel', async () => {
      const start = utc(2025, 1, 1);
      const { testClock, subscription } = await cardlessTrial(start, 1000, 'cancel');
      await advance(testClock.id, start + 8 * DAY);
      const canceled = await stripe.subscriptions.retrieve(subscription.id);
      expect(canceled.status).toBe('canceled');
      expect(canceled.ended_at).toBe(start + 7 * DAY);
      expect((await stripe.invoices.list({ subscription: subscription.id })).data.length).toBe(1);
      const resumeCanceled = await rejectionOf(
        stripe.subscriptions.resume(subscription.id),
        Stripe.errors.StripeInvalidRequestError,
      );
      expect(resumeCanceled.statusCode).toBe(400);
      const unknown = await rejectionOf(
        stripe.subscriptions.resume(subscription.id, {
          billing_cycle_anchor: 'now',
        } as unknown as Stripe.SubscriptionResumeParams),
        Stripe.errors.StripeInvalidRequestError,
      );
      expect(unknown.param).toBe('billing_cycle_anchor');
      const badSetting = await rejectionOf(
        stripe.subscriptions.create({
          customer: canceled.customer as string,
          items: [{ price: defined(canceled.items.data[0], 'item').price.id }],
          trial_period_days: 3,
          trial_settings: { end_behavior: { missing_payment_method: 'wait' } },
        }),
        Stripe.errors.StripeInvalidRequestError,
      );
      expect(badSetting.param).toBe('trial_settings[end_behavior][missing_payment_method]');
    });
  });
});
