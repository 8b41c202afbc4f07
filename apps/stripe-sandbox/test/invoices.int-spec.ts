import { describe, it, expect } from '@jest/globals';
import { defined, rejectionOf } from '@aegis/testing';
import Stripe from 'stripe';
import { useSandbox } from './sandbox-harness.js';

async function expectInvalidRequest(
  request: Promise<unknown>,
  message: RegExp,
  code?: string,
): Promise<void> {
  const error = await rejectionOf(request, Stripe.errors.StripeInvalidRequestError);
  expect(error.message).toMatch(message);
  if (code !== undefined) expect(error.code).toBe(code);
}

function lineAmounts(invoice: Stripe.Invoice): number[] {
  return invoice.lines.data.map((line) => line.amount);
}

describe('sandbox invoices and invoice items', () => {
  const { stripe, receiver } = useSandbox();

  /** A customer whose default payment method is an attached card (4242…). */
  async function customerWithCard(email = 'billing@example.com'): Promise<Stripe.Customer> {
    const customer = await stripe.customers.create({ email });
    const card = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    return stripe.customers.update(customer.id, {
      invoice_settings: { default_payment_method: card.id },
    });
  }

  async function product(): Promise<Stripe.Product> {
    return stripe.products.create({ name: 'Widget' });
  }

  /** An open invoice of `amount` for a new customer with a card. */
  async function openInvoice(amount: number): Promise<Stripe.Invoice> {
    const customer = await customerWithCard();
    const draft = await stripe.invoices.create({ customer: customer.id });
    await stripe.invoiceItems.create({
      customer: customer.id,
      invoice: draft.id,
      amount,
      currency: 'usd',
    });
    return stripe.invoices.finalizeInvoice(draft.id);
  }

  it('invoices pending items: draft, finalize, pay with a good card', async () => {
    const customer = await customerWithCard();
    const widget = await product();
    const price = await stripe.prices.create({
      product: widget.id,
      currency: 'usd',
      unit_amount: 1500,
    });
    const priced = await stripe.invoiceItems.create({
      customer: customer.id,
      pricing: { price: price.id },
      quantity: 2,
    });
    expect(priced.id).toMatch(/^ii_/);
    expect(priced.amount).toBe(3000);
    expect(priced.invoice).toBe(null);
    const priceDetails = defined(priced.pricing?.price_details, 'the price details');
    expect(priceDetails.price).toBe(price.id);
    expect(priceDetails.product).toBe(widget.id);
    const fee = await stripe.invoiceItems.create({
      customer: customer.id,
      amount: 250,
      currency: 'usd',
      description: 'Setup fee',
    });
    expect(fee.quantity).toBe(1);

    const draft = await stripe.invoices.create({
      customer: customer.id,
      pending_invoice_items_behavior: 'include',
      metadata: { order: '42' },
    });
    expect(draft.id).toMatch(/^in_/);
    expect(draft.status).toBe('draft');
    expect(draft.number).toBe(null);
    expect(draft.billing_reason).toBe('manual');
    expect(draft.parent).toBe(null);
    expect(lineAmounts(draft)).toStrictEqual([3000, 250]);
    expect(draft.subtotal).toBe(3250);
    expect(draft.total).toBe(3250);
    expect(draft.amount_due).toBe(3250);
    expect(draft.amount_remaining).toBe(3250);
    const firstLine = defined(draft.lines.data[0], 'the first line');
    const lineParent = defined(firstLine.parent, "the first line's parent");
    expect(lineParent.type).toBe('invoice_item_details');
    expect(lineParent.invoice_item_details?.invoice_item).toBe(priced.id);
    expect(firstLine.id).toMatch(/^il_/);
    expect((await stripe.invoiceItems.retrieve(fee.id)).invoice).toBe(draft.id);

    const finalized = await stripe.invoices.finalizeInvoice(draft.id);
    expect(finalized.status).toBe('open');
    expect(finalized.number ?? '').toMatch(new RegExp(`^${customer.invoice_prefix ?? '?'}-0001$`));
    expect(typeof finalized.status_transitions.finalized_at).toBe('number');
    expect(finalized.amount_remaining).toBe(3250);

    const paid = await stripe.invoices.pay(draft.id);
    expect(paid.status).toBe('paid');
    expect(paid.amount_paid).toBe(3250);
    expect(paid.amount_remaining).toBe(0);
    expect(paid.attempt_count).toBe(1);
    expect(typeof paid.status_transitions.paid_at).toBe('number');
    const payment = defined(paid.payments?.data[0], 'the payment');
    expect(payment.id).toMatch(/^inpay_/);
    expect(payment.status).toBe('paid');
    expect(payment.amount_paid).toBe(3250);
    expect(payment.payment.type).toBe('payment_intent');
    const intentId = payment.payment.payment_intent;
    expect(typeof intentId).toBe('string');
    if (typeof intentId !== 'string') throw new Error('the payment has no payment intent id');
    const intent = await stripe.paymentIntents.retrieve(intentId);
    expect(intent.amount).toBe(3250);
    expect(intent.status).toBe('succeeded');
    const listed = await stripe.invoicePayments.list({ invoice: draft.id });
    expect(listed.data.map((entry) => entry.id)).toStrictEqual([payment.id]);

    const second = await stripe.invoices.create({ customer: customer.id });
    await stripe.invoiceItems.create({
      customer: customer.id,
      invoice: second.id,
      amount: 100,
      currency: 'usd',
    });
    const secondFinalized = await stripe.invoices.finalizeInvoice(second.id);
    expect(secondFinalized.number ?? '').toMatch(/-0002$/);

    await expectInvalidRequest(stripe.invoiceItems.del(fee.id), /no longer a draft/);
    await expectInvalidRequest(stripe.invoices.pay(draft.id), /already paid/);

    await receiver.waitForEvent('invoice.created', draft.id);
    await receiver.waitForEvent('invoice.finalized', draft.id);
    await receiver.waitForEvent('invoice_payment.paid', payment.id);
    await receiver.waitForEvent('invoice.payment_succeeded', draft.id);
    const paidEvent = (await receiver.waitForEvent(
      'invoice.paid',
      draft.id,
    )) as Stripe.InvoicePaidEvent;
    expect(paidEvent.data.object.status).toBe('paid');
    expect(paidEvent.data.object.amount_paid).toBe(3250);
    await receiver.waitForEvent('invoiceitem.created', priced.id);
    expect(receiver.rejected).toStrictEqual([]);
  });

  it('keeps a declined invoice open, then takes a good card', async () => {
    const invoice = await openInvoice(1999);
    const declineError = await rejectionOf(
      stripe.invoices.pay(invoice.id, { payment_method: 'pm_card_chargeDeclined' }),
      Stripe.errors.StripeCardError,
    );
    expect(declineError.code).toBe('card_declined');
    expect(declineError.statusCode).toBe(402);
    const declined = await stripe.invoices.retrieve(invoice.id);
    expect(declined.status).toBe('open');
    expect(declined.attempt_count).toBe(1);
    expect(declined.attempted).toBe(true);
    expect(declined.amount_paid).toBe(0);
    expect(declined.amount_remaining).toBe(1999);
    expect(declined.payments?.data[0]?.status).toBe('open');
    expect(declined.confirmation_secret?.type).toBe('payment_intent');
    const expanded = await stripe.invoices.retrieve(invoice.id, {
      expand: ['payments.data.payment.payment_intent'],
    });
    const declinedIntent = expanded.payments?.data[0]?.payment.payment_intent;
    expect(typeof declinedIntent).toBe('object');
    if (typeof declinedIntent !== 'object') throw new Error('the payment intent is not expanded');
    expect(declinedIntent.status).toBe('requires_payment_method');
    expect(declinedIntent.amount).toBe(1999);
    expect(declinedIntent.client_secret).toBe(
      defined(declined.confirmation_secret, 'the confirmation secret').client_secret,
    );
    const failed = (await receiver.waitForEvent(
      'invoice.payment_failed',
      invoice.id,
    )) as Stripe.InvoicePaymentFailedEvent;
    expect(failed.data.object.attempt_count).toBe(1);

    const paid = await stripe.invoices.pay(invoice.id, { payment_method: 'pm_card_visa' });
    expect(paid.status).toBe('paid');
    // Stripe counts attempts for its retry schedule: a manual one after the first does not count.
    expect(paid.attempt_count).toBe(1);
    expect(paid.amount_paid).toBe(1999);
    expect(paid.payments?.data.map((payment) => payment.status)).toStrictEqual([
      'paid',
      'canceled',
    ]);
    await receiver.waitForEvent('invoice.paid', invoice.id);
  });

  it('voids an open invoice and marks another uncollectible, which can still be paid', async () => {
    const toVoid = await openInvoice(500);
    const voided = await stripe.invoices.voidInvoice(toVoid.id);
    expect(voided.status).toBe('void');
    expect(typeof voided.status_transitions.voided_at).toBe('number');
    await expectInvalidRequest(stripe.invoices.pay(toVoid.id), /voided/);
    await expectInvalidRequest(stripe.invoices.voidInvoice(toVoid.id), /only void/);
    await receiver.waitForEvent('invoice.voided', toVoid.id);

    const unpaid = await openInvoice(700);
    const uncollectible = await stripe.invoices.markUncollectible(unpaid.id);
    expect(uncollectible.status).toBe('uncollectible');
    expect(typeof uncollectible.status_transitions.marked_uncollectible_at).toBe('number');
    await receiver.waitForEvent('invoice.marked_uncollectible', unpaid.id);
    const paidLate = await stripe.invoices.pay(unpaid.id);
    expect(paidLate.status).toBe('paid');
    expect(paidLate.amount_paid).toBe(700);

    const customer = await stripe.customers.create();
    const draft = await stripe.invoices.create({ customer: customer.id });
    await expectInvalidRequest(stripe.invoices.voidInvoice(draft.id), /only void/);
    await expectInvalidRequest(stripe.invoices.markUncollectible(draft.id), /only mark open/);
  });

  it('deletes a draft with its items, and refuses to delete a finalized invoice', async () => {
    const customer = await stripe.customers.create();
    const draft = await stripe.invoices.create({ customer: customer.id });
    const item = await stripe.invoiceItems.create({
      customer: customer.id,
      invoice: draft.id,
      amount: 300,
      currency: 'usd',
    });
    const deleted = await stripe.invoices.del(draft.id);
    expect(deleted).toStrictEqual({ id: draft.id, object: 'invoice', deleted: true });
    const missing = await rejectionOf(
      stripe.invoices.retrieve(draft.id),
      Stripe.errors.StripeInvalidRequestError,
    );
    expect(missing.statusCode).toBe(404);
    expect(missing.code).toBe('resource_missing');
    await expectInvalidRequest(stripe.invoiceItems.retrieve(item.id), /No such/);
    await receiver.waitForEvent('invoice.deleted', draft.id);
    await receiver.waitForEvent('invoiceitem.deleted', item.id);

    const finalized = await openInvoice(100);
    await expectInvalidRequest(stripe.invoices.del(finalized.id), /only delete draft/);
  });

  it('leaves pending items out by default and takes them in with include', async () => {
    const customer = await customerWithCard();
    const first = await stripe.invoiceItems.create({
      customer: customer.id,
      amount: 400,
      currency: 'usd',
    });
    const second = await stripe.invoiceItems.create({
      customer: customer.id,
      amount: 600,
      currency: 'usd',
    });
    const euros = await stripe.invoiceItems.create({
      customer: customer.id,
      amount: 900,
      currency: 'eur',
    });
    const empty = await stripe.invoices.create({ customer: customer.id });
    expect(lineAmounts(empty)).toStrictEqual([]);
    expect(empty.total).toBe(0);
    const pendingBefore = await stripe.invoiceItems.list({ customer: customer.id, pending: true });
    expect(pendingBefore.data.map((item) => item.id)).toStrictEqual([
      euros.id,
      second.id,
      first.id,
    ]);

    // Nothing is due, so finalizing pays the invoice without a payment.
    const zero = await stripe.invoices.finalizeInvoice(empty.id);
    expect(zero.status).toBe('paid');
    expect(zero.amount_paid).toBe(0);
    expect(zero.payments?.data).toStrictEqual([]);
    await receiver.waitForEvent('invoice.paid', empty.id);

    const full = await stripe.invoices.create({
      customer: customer.id,
      currency: 'usd',
      pending_invoice_items_behavior: 'include',
    });
    expect(lineAmounts(full)).toStrictEqual([400, 600]);
    expect(full.amount_due).toBe(1000);
    const pendingAfter = await stripe.invoiceItems.list({ customer: customer.id, pending: true });
    expect(pendingAfter.data.map((item) => item.id)).toStrictEqual([euros.id]);
    const onInvoice = await stripe.invoiceItems.list({ invoice: full.id });
    expect(onInvoice.data.map((item) => item.id)).toStrictEqual([second.id, first.id]);
  });

  it('prices unit_amount_decimal and tiered prices exactly, rounding once per line', async () => {
    const customer = await stripe.customers.create();
    const widget = await product();
    const eighth = await stripe.prices.create({
      product: widget.id,
      currency: 'usd',
      unit_amount_decimal: Stripe.Decimal.from('0.125'),
    });
    const half = await stripe.prices.create({
      product: widget.id,
      currency: 'usd',
      unit_amount_decimal: Stripe.Decimal.from('0.5'),
    });
    const graduated = await stripe.prices.create({
      product: widget.id,
      currency: 'usd',
      recurring: { interval: 'month' },
      billing_scheme: 'tiered',
      tiers_mode: 'graduated',
      tiers: [
        { up_to: 10, unit_amount: 100 },
        { up_to: 'inf', unit_amount_decimal: Stripe.Decimal.from('50.5') },
      ],
    });
    const volume = await stripe.prices.create({
      product: widget.id,
      currency: 'usd',
      recurring: { interval: 'month' },
      billing_scheme: 'tiered',
      tiers_mode: 'volume',
      tiers: [
        { up_to: 5, unit_amount: 200 },
        { up_to: 'inf', unit_amount: 150, flat_amount: 100 },
      ],
    });
    const draft = await stripe.invoices.create({ customer: customer.id });
    const add = (params: Omit<Stripe.InvoiceItemCreateParams, 'customer' | 'invoice'>) =>
      stripe.invoiceItems.create({ customer: customer.id, invoice: draft.id, ...params });

    const million = await add({ pricing: { price: eighth.id }, quantity: 1_000_000 });
    expect(million.amount).toBe(125_000);
    expect(String(million.pricing?.unit_amount_decimal)).toBe('0.125');
    // 3 × 0.5 = 1.5, rounded once to 2 (rounding each unit would give 3).
    expect((await add({ pricing: { price: half.id }, quantity: 3 })).amount).toBe(2);
    // 10 × 100 + 3 × 50.5 = 1151.5 → 1152.
    expect((await add({ pricing: { price: graduated.id }, quantity: 13 })).amount).toBe(1152);
    // 6 units all in the second tier: 6 × 150 + 100.
    expect((await add({ pricing: { price: volume.id }, quantity: 6 })).amount).toBe(1000);
    // 3 × 33.335 = 100.005 → 100.
    const byUnit = await add({
      currency: 'usd',
      unit_amount_decimal: Stripe.Decimal.from('33.335'),
      quantity: 3,
    });
    expect(byUnit.amount).toBe(100);
    const inline = await add({
      price_data: {
        currency: 'usd',
        product: widget.id,
        unit_amount_decimal: Stripe.Decimal.from('12.25'),
      },
      quantity: 2,
    });
    expect(inline.amount).toBe(25);
    const inlinePrice = inline.pricing?.price_details?.price;
    expect(typeof inlinePrice).toBe('string');
    expect(inlinePrice).toMatch(/^price_/);

    const invoice = await stripe.invoices.retrieve(draft.id);
    expect(lineAmounts(invoice)).toStrictEqual([125_000, 2, 1152, 1000, 100, 25]);
    expect(invoice.subtotal).toBe(127_279);
    expect(invoice.total).toBe(127_279);
    expect(invoice.amount_due).toBe(127_279);

    const changed = await stripe.invoiceItems.update(million.id, { quantity: 4 });
    expect(changed.amount).toBe(1);
    const lines = await stripe.invoices.listLineItems(draft.id, { limit: 2 });
    expect(lines.data.map((line) => line.amount)).toStrictEqual([1, 2]);
    expect(lines.has_more).toBe(true);
    expect((await stripe.invoices.retrieve(draft.id)).total).toBe(2280);
    const removed = await stripe.invoiceItems.del(byUnit.id);
    expect(removed.deleted).toBe(true);
    expect((await stripe.invoices.retrieve(draft.id)).total).toBe(2180);
  });

  it('updates a draft with invoice.updated and refuses draft-only changes once open', async () => {
    const customer = await stripe.customers.create();
    const draft = await stripe.invoices.create({
      customer: customer.id,
      description: 'First',
      metadata: { keep: 'yes', drop: 'me' },
    });
    const updated = await stripe.invoices.update(draft.id, {
      description: 'Second',
      metadata: { drop: '' },
      collection_method: 'send_invoice',
      days_until_due: 30,
    });
    expect(updated.description).toBe('Second');
    expect(updated.metadata).toStrictEqual({ keep: 'yes' });
    expect(updated.collection_method).toBe('send_invoice');
    expect(updated.due_date).toBe(updated.created + 30 * 24 * 60 * 60);
    const event = (await receiver.waitForEvent(
      'invoice.updated',
      draft.id,
    )) as Stripe.InvoiceUpdatedEvent;
    const previous = defined(event.data.previous_attributes, 'the previous attributes');
    expect(previous.description).toBe('First');
    expect(previous.metadata).toStrictEqual({ keep: 'yes', drop: 'me' });

    await stripe.invoiceItems.create({
      customer: customer.id,
      invoice: draft.id,
      amount: 100,
      currency: 'usd',
    });
    await stripe.invoices.finalizeInvoice(draft.id);
    await expectInvalidRequest(
      stripe.invoices.update(draft.id, { collection_method: 'charge_automatically' }),
      /collection_method/,
    );
    const described = await stripe.invoices.update(draft.id, { metadata: { after: 'open' } });
    expect(described.metadata).toStrictEqual({ keep: 'yes', after: 'open' });
  });

  it('answers invalid invoice and invoice item parameters like Stripe', async () => {
    const customer = await stripe.customers.create();
    await expectInvalidRequest(
      stripe.invoiceItems.create({
        customer: customer.id,
        amount: 100,
        currency: 'usd',
        quantity: 2,
      }),
      /only specify one of these parameters: amount, quantity/,
    );
    await expectInvalidRequest(
      stripe.invoiceItems.create({ customer: customer.id, amount: 100 }),
      /Missing required param: currency/,
      'parameter_missing',
    );
    await expectInvalidRequest(
      stripe.invoices.create({ customer: customer.id, collection_method: 'send_invoice' }),
      /due date/,
    );
    await expectInvalidRequest(
      stripe.invoices.create({ customer: 'cus_missing' }),
      /No such customer/,
      'resource_missing',
    );
    await expectInvalidRequest(
      stripe.invoices.create({
        customer: customer.id,
        colour: 'blue',
      } as Stripe.InvoiceCreateParams),
      /unknown parameter: colour/,
      'parameter_unknown',
    );
    const draft = await stripe.invoices.create({ customer: customer.id });
    await expectInvalidRequest(
      stripe.invoiceItems.create({
        customer: customer.id,
        invoice: draft.id,
        amount: 100,
        currency: 'eur',
      }),
      /must match the currency of the invoice/,
    );
    await stripe.invoiceItems.create({
      customer: customer.id,
      invoice: draft.id,
      amount: 100,
      currency: 'usd',
    });
    await expectInvalidRequest(
      stripe.invoices.pay(draft.id),
      /no attached payment source or default payment method/,
    );
    expect((await stripe.invoices.retrieve(draft.id)).status).toBe('draft');
  });

  it('collects an auto_advance invoice by itself after finalization', async () => {
    const customer = await customerWithCard();
    const draft = await stripe.invoices.create({ customer: customer.id, auto_advance: true });
    await stripe.invoiceItems.create({
      customer: customer.id,
      invoice: draft.id,
      amount: 4200,
      currency: 'usd',
    });
    const finalized = await stripe.invoices.finalizeInvoice(draft.id);
    expect(finalized.status).toBe('open');
    const paid = (await receiver.waitForEvent('invoice.paid', draft.id)) as Stripe.InvoicePaidEvent;
    expect(paid.data.object.amount_paid).toBe(4200);
    expect(paid.data.object.auto_advance).toBe(false);
    expect((await stripe.invoices.retrieve(draft.id)).status).toBe('paid');
  });

  it('filters and pages invoice and invoice item lists', async () => {
    const customer = await customerWithCard('lists@example.com');
    const ids: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      const draft = await stripe.invoices.create({ customer: customer.id });
      await stripe.invoiceItems.create({
        customer: customer.id,
        invoice: draft.id,
        amount: 100 * (index + 1),
        currency: 'usd',
      });
      ids.push(draft.id);
    }
    const [oldest, middle, newest] = ids as [string, string, string];
    await stripe.invoices.finalizeInvoice(middle);
    await stripe.invoices.finalizeInvoice(newest);
    await stripe.invoices.pay(newest);

    const all = await stripe.invoices.list({ customer: customer.id });
    expect(all.data.map((invoice) => invoice.id)).toStrictEqual([newest, middle, oldest]);
    const drafts = await stripe.invoices.list({ customer: customer.id, status: 'draft' });
    expect(drafts.data.map((invoice) => invoice.id)).toStrictEqual([oldest]);
    const open = await stripe.invoices.list({ customer: customer.id, status: 'open' });
    expect(open.data.map((invoice) => invoice.id)).toStrictEqual([middle]);
    const firstPage = await stripe.invoices.list({ customer: customer.id, limit: 2 });
    expect(firstPage.has_more).toBe(true);
    const secondPage = await stripe.invoices.list({
      customer: customer.id,
      limit: 2,
      starting_after: firstPage.data[1]?.id,
    });
    expect(secondPage.data.map((invoice) => invoice.id)).toStrictEqual([oldest]);
    expect(secondPage.has_more).toBe(false);
    const paged: string[] = [];
    for await (const invoice of stripe.invoices.list({ customer: customer.id, limit: 1 })) {
      paged.push(invoice.id);
    }
    expect(paged).toStrictEqual([newest, middle, oldest]);
    const future = await stripe.invoices.list({
      customer: customer.id,
      created: { gt: Math.floor(Date.now() / 1000) + 3600 },
    });
    expect(future.data).toStrictEqual([]);
    const bySubscription = await stripe.invoices.list({ subscription: 'sub_none' });
    expect(bySubscription.data).toStrictEqual([]);

    const items: string[] = [];
    for await (const item of stripe.invoiceItems.list({ customer: customer.id, limit: 2 })) {
      items.push(item.id);
    }
    expect(items.length).toBe(3);
    const newestItems = await stripe.invoiceItems.list({ invoice: newest });
    expect(newestItems.data.length).toBe(1);
    expect(newestItems.data[0]?.amount).toBe(300);
  });
});
