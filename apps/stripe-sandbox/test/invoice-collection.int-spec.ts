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
