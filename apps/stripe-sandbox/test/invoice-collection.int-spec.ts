import { describe, expect, it } from '@jest/globals';
import { defined, rejectionOf, waitFor } from '@aegis/testing';
import Stripe from 'stripe';
import { useSandbox } from './sandbox-harness.js';

const DAY = 24 * 60 * 60;
const START = Date.UTC(2026, 0, 5, 9) / 1000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('sandbox invoice collection: send_invoice and sending', () => {
  const { stripe, receiver } = useSandbox();

  /** A customer on a new test clock at START, with a card (4242…) as invoice default. */
  async function customerOnClock(): Promise<{ customer: Stripe.Customer; clock: string }> {
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: START });
    const customer = await stripe.customers.create({
      email: 'invoiced@example.com',
      test_clock: clock.id,
    });
    const card = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await stripe.customers.update(customer.id, {
      invoice_settings: { default_payment_method: card.id },
    });
    return { customer, clock: clock.id };
  }

  async function advance(clock: string, frozenTime: number): Promise<void> {
    await stripe.testHelpers.testClocks.advance(clock, { frozen_time: frozenTime });
    await waitFor(
      () => stripe.testHelpers.testClocks.retrieve(clock),
      (testClock) => testClock.status === 'ready',
      { timeoutMs: 10_000, what: `test clock ${clock} ready` },
    );
  }

  async function withItem(invoice: Stripe.Invoice, amount = 7500): Promise<Stripe.Invoice> {
    await stripe.invoiceItems.create({
      customer: defined(invoice.customer, 'the customer') as string,
      invoice: invoice.id,
      amount,
      currency: 'usd',
    });
    return stripe.invoices.retrieve(invoice.id);
  }

  it('makes a send_invoice invoice due days_until_due after finalization, and never charges it', async () => {
    const { customer, clock } = await customerOnClock();
    const draft = await withItem(
      await stripe.invoices.create({
        customer: customer.id,
        collection_method: 'send_invoice',
        days_until_due: 30,
        auto_advance: true,
      }),
    );
    expect(draft.created).toBe(START);
    expect(draft.due_date).toBe(START + 30 * DAY);

    await advance(clock, START + 5 * DAY);
    const open = await stripe.invoices.finalizeInvoice(draft.id);
    expect(open.status).toBe('open');
    expect(open.status_transitions.finalized_at).toBe(START + 5 * DAY);
    expect(open.due_date).toBe(START + 35 * DAY);
    expect(open.next_payment_attempt).toBe(null);
    await receiver.waitForEvent('invoice.finalized', draft.id);

    // The sandbox collects auto_advance charge_automatically invoices 100 ms after finalizing.
    await sleep(500);
    const untouched = await stripe.invoices.retrieve(draft.id);
    expect(untouched.status).toBe('open');
    expect(untouched.attempt_count).toBe(0);
    expect(untouched.attempted).toBe(false);
    expect(untouched.amount_paid).toBe(0);
    expect(untouched.payments?.data).toStrictEqual([]);
    expect((await stripe.paymentIntents.list({ customer: customer.id })).data).toStrictEqual([]);
  });

  it('keeps an explicit due_date, and counts days_until_due set on the draft from finalization', async () => {
    const { customer, clock } = await customerOnClock();
    const fixed = await withItem(
      await stripe.invoices.create({
        customer: customer.id,
        collection_method: 'send_invoice',
        due_date: START + 60 * DAY,
      }),
    );
    const changed = await withItem(
      await stripe.invoices.create({
        customer: customer.id,
        collection_method: 'send_invoice',
        due_date: START + 60 * DAY,
      }),
    );
    expect((await stripe.invoices.update(changed.id, { days_until_due: 10 })).due_date).toBe(
      START + 10 * DAY,
    );
    await advance(clock, START + 2 * DAY);
    expect((await stripe.invoices.finalizeInvoice(fixed.id)).due_date).toBe(START + 60 * DAY);
    expect((await stripe.invoices.finalizeInvoice(changed.id)).due_date).toBe(START + 12 * DAY);
  });

  it('sends an open invoice with invoice.sent, and refuses a draft and a voided invoice', async () => {
    const customer = await stripe.customers.create({ email: 'send@example.com' });
    const draft = await withItem(
      await stripe.invoices.create({
        customer: customer.id,
        collection_method: 'send_invoice',
        days_until_due: 7,
      }),
    );

    const refused = await rejectionOf(
      stripe.invoices.sendInvoice(draft.id),
      Stripe.errors.StripeInvalidRequestError,
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.type).toBe('StripeInvalidRequestError');
    expect(refused.raw).toMatchObject({ type: 'invalid_request_error' });
    expect(refused.message).toMatch(/only send an invoice once it is finalized.*is a draft/);
    expect((await stripe.invoices.retrieve(draft.id)).status).toBe('draft');

    const open = await stripe.invoices.finalizeInvoice(draft.id);
    const sent = await stripe.invoices.sendInvoice(draft.id);
    expect(sent.id).toBe(draft.id);
    expect(sent.object).toBe('invoice');
    expect(sent.status).toBe('open');
    expect(sent.due_date).toBe(open.due_date);
    expect(sent.hosted_invoice_url).toBe(open.hosted_invoice_url);
    const event = (await receiver.waitForEvent(
      'invoice.sent',
      draft.id,
    )) as Stripe.InvoiceSentEvent;
    expect(event.data.object.status).toBe('open');
    expect(event.data.object.number).toBe(open.number);
    const events = await stripe.events.list({ type: 'invoice.sent' });
    expect(
      events.data.filter((each) => (each.data.object as Stripe.Invoice).id === draft.id),
    ).toHaveLength(1);

    await stripe.invoices.voidInvoice(draft.id);
    const voided = await rejectionOf(
      stripe.invoices.sendInvoice(draft.id),
      Stripe.errors.StripeInvalidRequestError,
    );
    expect(voided.message).toMatch(/voided/);
    const missing = await rejectionOf(
      stripe.invoices.sendInvoice('in_missing'),
      Stripe.errors.StripeInvalidRequestError,
    );
    expect(missing.statusCode).toBe(404);
  });

  it('sends a paid invoice too, as Stripe allows', async () => {
    const customer = await stripe.customers.create({ email: 'paid-send@example.com' });
    const draft = await withItem(await stripe.invoices.create({ customer: customer.id }));
    await stripe.invoices.finalizeInvoice(draft.id);
    await stripe.invoices.pay(draft.id, { payment_method: 'pm_card_visa' });
    const sent = await stripe.invoices.sendInvoice(draft.id);
    expect(sent.status).toBe('paid');
    await receiver.waitForEvent('invoice.sent', draft.id);
  });
});

describe('sandbox invoice collection: charge_automatically with auto_advance', () => {
  const { stripe, receiver } = useSandbox();

  /** A customer whose invoice_settings.default_payment_method is a card made from `number`. */
  async function customerWithCard(
    number: string,
    testClock?: string,
  ): Promise<{ customer: Stripe.Customer; card: Stripe.PaymentMethod }> {
    const customer = await stripe.customers.create({
      email: 'charged@example.com',
      ...(testClock === undefined ? {} : { test_clock: testClock }),
    });
    const created = await stripe.paymentMethods.create({
      type: 'card',
      card: { number, exp_month: 12, exp_year: 2034, cvc: '123' },
    });
    const card = await stripe.paymentMethods.attach(created.id, { customer: customer.id });
    const updated = await stripe.customers.update(customer.id, {
      invoice_settings: { default_payment_method: card.id },
    });
    return { customer: updated, card };
  }

  /** An invoice of `amount` for the customer, finalized with auto_advance. */
  async function finalizedWithAutoAdvance(
    customer: Stripe.Customer,
    amount: number,
  ): Promise<Stripe.Invoice> {
    const draft = await stripe.invoices.create({ customer: customer.id, auto_advance: true });
    await stripe.invoiceItems.create({
      customer: customer.id,
      invoice: draft.id,
      amount,
      currency: 'usd',
    });
    const open = await stripe.invoices.finalizeInvoice(draft.id, { auto_advance: true });
    expect(open.status).toBe('open');
    expect(open.collection_method).toBe('charge_automatically');
    expect(open.auto_advance).toBe(true);
    return open;
  }

  async function advance(clock: string, frozenTime: number): Promise<void> {
    await stripe.testHelpers.testClocks.advance(clock, { frozen_time: frozenTime });
    await waitFor(
      () => stripe.testHelpers.testClocks.retrieve(clock),
      (testClock) => testClock.status === 'ready',
      { timeoutMs: 10_000, what: `test clock ${clock} ready` },
    );
  }

  it("pays with the customer's default card 4242…: paid, its events, a payment intent and a charge", async () => {
    const { customer, card } = await customerWithCard('4242424242424242');
    const open = await finalizedWithAutoAdvance(customer, 3150);

    const paid = await stripe.invoices.pay(open.id);
    expect(paid.status).toBe('paid');
    expect(paid.amount_paid).toBe(3150);
    expect(paid.amount_remaining).toBe(0);
    expect(paid.attempt_count).toBe(1);
    expect(paid.attempted).toBe(true);
    expect(paid.auto_advance).toBe(false);
    expect(paid.next_payment_attempt).toBe(null);
    const payment = defined(paid.payments?.data[0], 'the invoice payment');
    expect(payment.status).toBe('paid');
    const intentId = payment.payment.payment_intent;
    if (typeof intentId !== 'string') throw new Error('no payment intent id');
    const intent = await stripe.paymentIntents.retrieve(intentId);
    expect(intent.status).toBe('succeeded');
    expect(intent.amount).toBe(3150);
    expect(intent.customer).toBe(customer.id);
    expect(intent.payment_method).toBe(card.id);
    const charge = await stripe.charges.retrieve(
      defined(intent.latest_charge, 'the charge') as string,
    );
    expect(charge.paid).toBe(true);
    expect(charge.amount).toBe(3150);
    expect(charge.payment_method).toBe(card.id);
    expect(charge.payment_method_details?.card?.last4).toBe('4242');

    const paidEvent = (await receiver.waitForEvent(
      'invoice.paid',
      open.id,
    )) as Stripe.InvoicePaidEvent;
    expect(paidEvent.data.object.status).toBe('paid');
    const succeeded = (await receiver.waitForEvent(
      'invoice.payment_succeeded',
      open.id,
    )) as Stripe.InvoicePaymentSucceededEvent;
    expect(succeeded.data.object.amount_paid).toBe(3150);
    await receiver.waitForEvent('charge.succeeded', charge.id);
    expect(
      receiver
        .ofType('invoice.payment_failed')
        .filter((e) => (e.data.object as Stripe.Invoice).id === open.id),
    ).toStrictEqual([]);
  });

  it('declines card 4000 0000 0000 0002 with a 402: open, one attempt, retries scheduled, then retried', async () => {
    const testClock = await stripe.testHelpers.testClocks.create({ frozen_time: START });
    const { customer } = await customerWithCard('4000000000000002', testClock.id);
    const open = await finalizedWithAutoAdvance(customer, 2000);

    const declined = await rejectionOf(stripe.invoices.pay(open.id), Stripe.errors.StripeCardError);
    expect(declined.statusCode).toBe(402);
    expect(declined.raw).toMatchObject({ type: 'card_error' });
    expect(declined.code).toBe('card_declined');
    expect(declined.decline_code).toBe('generic_decline');
    expect(declined.message).toBe('Your card was declined.');

    const failed = await stripe.invoices.retrieve(open.id);
    expect(failed.status).toBe('open');
    expect(failed.attempt_count).toBe(1);
    expect(failed.attempted).toBe(true);
    expect(failed.amount_paid).toBe(0);
    expect(failed.next_payment_attempt).toBe(START + 3 * DAY);
    const failedEvent = (await receiver.waitForEvent(
      'invoice.payment_failed',
      open.id,
    )) as Stripe.InvoicePaymentFailedEvent;
    expect(failedEvent.data.object.attempt_count).toBe(1);
    expect(failedEvent.data.object.next_payment_attempt).toBe(START + 3 * DAY);

    // A manual attempt after the first counts for nothing in the retry schedule.
    await rejectionOf(stripe.invoices.pay(open.id), Stripe.errors.StripeCardError);
    const again = await stripe.invoices.retrieve(open.id);
    expect(again.attempt_count).toBe(1);
    expect(again.next_payment_attempt).toBe(START + 3 * DAY);

    // The first automatic retry, 3 days on, declines too and schedules the next one.
    await advance(testClock.id, START + 3 * DAY + 60);
    const retried = await stripe.invoices.retrieve(open.id);
    expect(retried.status).toBe('open');
    expect(retried.attempt_count).toBe(2);
    expect(retried.next_payment_attempt).toBe(START + 5 * DAY);

    // With a good card as default, the next retry pays it.
    const good = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await stripe.customers.update(customer.id, {
      invoice_settings: { default_payment_method: good.id },
    });
    await advance(testClock.id, START + 5 * DAY + 60);
    const recovered = await stripe.invoices.retrieve(open.id);
    expect(recovered.status).toBe('paid');
    expect(recovered.attempt_count).toBe(3);
    expect(recovered.next_payment_attempt).toBe(null);
    expect(recovered.status_transitions.paid_at).toBe(START + 5 * DAY);
    await receiver.waitForEvent('invoice.paid', open.id);
  });

  it('stops retrying after the last scheduled retry, leaving the invoice open and past due', async () => {
    const testClock = await stripe.testHelpers.testClocks.create({ frozen_time: START });
    const { customer } = await customerWithCard('4000000000000002', testClock.id);
    const open = await finalizedWithAutoAdvance(customer, 2000);
    await rejectionOf(stripe.invoices.pay(open.id), Stripe.errors.StripeCardError);
    await advance(testClock.id, START + 10 * DAY);
    const exhausted = await stripe.invoices.retrieve(open.id);
    expect(exhausted.status).toBe('open');
    expect(exhausted.attempt_count).toBe(4);
    expect(exhausted.next_payment_attempt).toBe(null);
    const failures = await waitFor(
      () =>
        Promise.resolve(
          receiver
            .ofType('invoice.payment_failed')
            .map((event) => event.data.object as Stripe.Invoice)
            .filter((invoice) => invoice.id === open.id),
        ),
      (found) => found.length >= 4,
      { timeoutMs: 10_000, what: 'four invoice.payment_failed webhooks' },
    );
    expect(failures.map((invoice) => invoice.attempt_count).sort()).toStrictEqual([1, 2, 3, 4]);
    expect(failures.map((invoice) => invoice.next_payment_attempt).sort()).toStrictEqual([
      START + 3 * DAY,
      START + 5 * DAY,
      START + 7 * DAY,
      null,
    ]);
  });

  it('pauses the retries while auto_advance is off, and resumes them when it is on again', async () => {
    const testClock = await stripe.testHelpers.testClocks.create({ frozen_time: START });
    const { customer } = await customerWithCard('4000000000000002', testClock.id);
    const open = await finalizedWithAutoAdvance(customer, 2000);
    await rejectionOf(stripe.invoices.pay(open.id), Stripe.errors.StripeCardError);

    const paused = await stripe.invoices.update(open.id, { auto_advance: false });
    expect(paused.next_payment_attempt).toBe(null);
    await advance(testClock.id, START + 4 * DAY);
    expect((await stripe.invoices.retrieve(open.id)).attempt_count).toBe(1);

    const resumed = await stripe.invoices.update(open.id, { auto_advance: true });
    expect(resumed.next_payment_attempt).toBe(START + 3 * DAY);
    await advance(testClock.id, START + 4 * DAY + 60);
    const retried = await stripe.invoices.retrieve(open.id);
    expect(retried.attempt_count).toBe(2);
    expect(retried.next_payment_attempt).toBe(START + 5 * DAY);
  });

  it('schedules the retries when its own collection after finalizing is declined', async () => {
    const { customer } = await customerWithCard('4000000000000002');
    const open = await finalizedWithAutoAdvance(customer, 1200);
    const failed = (await receiver.waitForEvent(
      'invoice.payment_failed',
      open.id,
    )) as Stripe.InvoicePaymentFailedEvent;
    expect(failed.data.object.attempt_count).toBe(1);
    const finalizedAt = defined(open.status_transitions.finalized_at, 'finalized_at');
    const retryAt = defined(failed.data.object.next_payment_attempt, 'next_payment_attempt');
    // The collection runs just after the finalizing request, within its second or the next.
    expect(retryAt - 3 * DAY - finalizedAt).toBeGreaterThanOrEqual(0);
    expect(retryAt - 3 * DAY - finalizedAt).toBeLessThanOrEqual(1);
  });

  it('neither retries nor schedules a retry for an invoice without auto_advance', async () => {
    const { customer } = await customerWithCard('4000000000000002');
    const draft = await stripe.invoices.create({ customer: customer.id });
    await stripe.invoiceItems.create({
      customer: customer.id,
      invoice: draft.id,
      amount: 900,
      currency: 'usd',
    });
    const open = await stripe.invoices.finalizeInvoice(draft.id);
    expect(open.auto_advance).toBe(false);
    await rejectionOf(stripe.invoices.pay(open.id), Stripe.errors.StripeCardError);
    const failed = await stripe.invoices.retrieve(open.id);
    expect(failed.attempt_count).toBe(1);
    expect(failed.next_payment_attempt).toBe(null);
  });
});
