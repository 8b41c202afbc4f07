import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import { useSandbox } from './sandbox-harness.js';

function isInvalidRequest(message: RegExp, code?: string) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError, String(error));
    assert.match(error.message, message);
    if (code !== undefined) assert.equal(error.code, code);
    return true;
  };
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
    assert.match(priced.id, /^ii_/);
    assert.equal(priced.amount, 3000);
    assert.equal(priced.invoice, null);
    assert.equal(priced.pricing?.price_details?.price, price.id);
    assert.equal(priced.pricing.price_details.product, widget.id);
    const fee = await stripe.invoiceItems.create({
      customer: customer.id,
      amount: 250,
      currency: 'usd',
      description: 'Setup fee',
    });
    assert.equal(fee.quantity, 1);

    const draft = await stripe.invoices.create({
      customer: customer.id,
      pending_invoice_items_behavior: 'include',
      metadata: { order: '42' },
    });
    assert.match(draft.id, /^in_/);
    assert.equal(draft.status, 'draft');
    assert.equal(draft.number, null);
    assert.equal(draft.billing_reason, 'manual');
    assert.equal(draft.parent, null);
    assert.deepEqual(lineAmounts(draft), [3000, 250]);
    assert.equal(draft.subtotal, 3250);
    assert.equal(draft.total, 3250);
    assert.equal(draft.amount_due, 3250);
    assert.equal(draft.amount_remaining, 3250);
    assert.equal(draft.lines.data[0]?.parent?.type, 'invoice_item_details');
    assert.equal(draft.lines.data[0].parent.invoice_item_details?.invoice_item, priced.id);
    assert.match(draft.lines.data[0].id, /^il_/);
    assert.equal((await stripe.invoiceItems.retrieve(fee.id)).invoice, draft.id);

    const finalized = await stripe.invoices.finalizeInvoice(draft.id);
    assert.equal(finalized.status, 'open');
    assert.match(finalized.number ?? '', new RegExp(`^${customer.invoice_prefix ?? '?'}-0001$`));
    assert.equal(typeof finalized.status_transitions.finalized_at, 'number');
    assert.equal(finalized.amount_remaining, 3250);

    const paid = await stripe.invoices.pay(draft.id);
    assert.equal(paid.status, 'paid');
    assert.equal(paid.amount_paid, 3250);
    assert.equal(paid.amount_remaining, 0);
    assert.equal(paid.attempt_count, 1);
    assert.equal(typeof paid.status_transitions.paid_at, 'number');
    const payment = paid.payments?.data[0];
    assert.ok(payment !== undefined);
    assert.match(payment.id, /^inpay_/);
    assert.equal(payment.status, 'paid');
    assert.equal(payment.amount_paid, 3250);
    assert.equal(payment.payment.type, 'payment_intent');
    const intentId = payment.payment.payment_intent;
    assert.ok(typeof intentId === 'string');
    const intent = await stripe.paymentIntents.retrieve(intentId);
    assert.equal(intent.amount, 3250);
    assert.equal(intent.status, 'succeeded');
    const listed = await stripe.invoicePayments.list({ invoice: draft.id });
    assert.deepEqual(
      listed.data.map((entry) => entry.id),
      [payment.id],
    );

    const second = await stripe.invoices.create({ customer: customer.id });
    await stripe.invoiceItems.create({
      customer: customer.id,
      invoice: second.id,
      amount: 100,
      currency: 'usd',
    });
    const secondFinalized = await stripe.invoices.finalizeInvoice(second.id);
    assert.match(secondFinalized.number ?? '', /-0002$/);

    await assert.rejects(stripe.invoiceItems.del(fee.id), isInvalidRequest(/no longer a draft/));
    await assert.rejects(stripe.invoices.pay(draft.id), isInvalidRequest(/already paid/));

    await receiver.waitForEvent('invoice.created', draft.id);
    await receiver.waitForEvent('invoice.finalized', draft.id);
    await receiver.waitForEvent('invoice_payment.paid', payment.id);
    await receiver.waitForEvent('invoice.payment_succeeded', draft.id);
    const paidEvent = (await receiver.waitForEvent(
      'invoice.paid',
      draft.id,
    )) as Stripe.InvoicePaidEvent;
    assert.equal(paidEvent.data.object.status, 'paid');
    assert.equal(paidEvent.data.object.amount_paid, 3250);
    await receiver.waitForEvent('invoiceitem.created', priced.id);
    assert.deepEqual(receiver.rejected, []);
  });

  it('keeps a declined invoice open, then takes a good card', async () => {
    const invoice = await openInvoice(1999);
    await assert.rejects(
      stripe.invoices.pay(invoice.id, { payment_method: 'pm_card_chargeDeclined' }),
      (error: unknown) => {
        assert.ok(error instanceof Stripe.errors.StripeCardError, String(error));
        assert.equal(error.code, 'card_declined');
        assert.equal(error.statusCode, 402);
        return true;
      },
    );
    const declined = await stripe.invoices.retrieve(invoice.id);
    assert.equal(declined.status, 'open');
    assert.equal(declined.attempt_count, 1);
    assert.equal(declined.attempted, true);
    assert.equal(declined.amount_paid, 0);
    assert.equal(declined.amount_remaining, 1999);
    assert.equal(declined.payments?.data[0]?.status, 'open');
    assert.equal(declined.confirmation_secret?.type, 'payment_intent');
    const expanded = await stripe.invoices.retrieve(invoice.id, {
      expand: ['payments.data.payment.payment_intent'],
    });
    const declinedIntent = expanded.payments?.data[0]?.payment.payment_intent;
    assert.ok(typeof declinedIntent === 'object');
    assert.equal(declinedIntent.status, 'requires_payment_method');
    assert.equal(declinedIntent.amount, 1999);
    assert.equal(declinedIntent.client_secret, declined.confirmation_secret.client_secret);
    const failed = (await receiver.waitForEvent(
      'invoice.payment_failed',
      invoice.id,
    )) as Stripe.InvoicePaymentFailedEvent;
    assert.equal(failed.data.object.attempt_count, 1);

    const paid = await stripe.invoices.pay(invoice.id, { payment_method: 'pm_card_visa' });
    assert.equal(paid.status, 'paid');
    assert.equal(paid.attempt_count, 2);
    assert.equal(paid.amount_paid, 1999);
    assert.deepEqual(
      paid.payments?.data.map((payment) => payment.status),
      ['paid', 'canceled'],
    );
    await receiver.waitForEvent('invoice.paid', invoice.id);
  });

  it('voids an open invoice and marks another uncollectible, which can still be paid', async () => {
    const toVoid = await openInvoice(500);
    const voided = await stripe.invoices.voidInvoice(toVoid.id);
    assert.equal(voided.status, 'void');
    assert.equal(typeof voided.status_transitions.voided_at, 'number');
    await assert.rejects(stripe.invoices.pay(toVoid.id), isInvalidRequest(/voided/));
    await assert.rejects(stripe.invoices.voidInvoice(toVoid.id), isInvalidRequest(/only void/));
    await receiver.waitForEvent('invoice.voided', toVoid.id);

    const unpaid = await openInvoice(700);
    const uncollectible = await stripe.invoices.markUncollectible(unpaid.id);
    assert.equal(uncollectible.status, 'uncollectible');
    assert.equal(typeof uncollectible.status_transitions.marked_uncollectible_at, 'number');
    await receiver.waitForEvent('invoice.marked_uncollectible', unpaid.id);
    const paidLate = await stripe.invoices.pay(unpaid.id);
    assert.equal(paidLate.status, 'paid');
    assert.equal(paidLate.amount_paid, 700);

    const customer = await stripe.customers.create();
    const draft = await stripe.invoices.create({ customer: customer.id });
    await assert.rejects(stripe.invoices.voidInvoice(draft.id), isInvalidRequest(/only void/));
    await assert.rejects(
      stripe.invoices.markUncollectible(draft.id),
      isInvalidRequest(/only mark open/),
    );
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
    assert.deepEqual(deleted, { id: draft.id, object: 'invoice', deleted: true });
    await assert.rejects(stripe.invoices.retrieve(draft.id), (error: unknown) => {
      assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError);
      assert.equal(error.statusCode, 404);
      assert.equal(error.code, 'resource_missing');
      return true;
    });
    await assert.rejects(stripe.invoiceItems.retrieve(item.id), isInvalidRequest(/No such/));
    await receiver.waitForEvent('invoice.deleted', draft.id);
    await receiver.waitForEvent('invoiceitem.deleted', item.id);

    const finalized = await openInvoice(100);
    await assert.rejects(stripe.invoices.del(finalized.id), isInvalidRequest(/only delete draft/));
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
    assert.deepEqual(lineAmounts(empty), []);
    assert.equal(empty.total, 0);
    const pendingBefore = await stripe.invoiceItems.list({ customer: customer.id, pending: true });
    assert.deepEqual(
      pendingBefore.data.map((item) => item.id),
      [euros.id, second.id, first.id],
    );

    // Nothing is due, so finalizing pays the invoice without a payment.
    const zero = await stripe.invoices.finalizeInvoice(empty.id);
    assert.equal(zero.status, 'paid');
    assert.equal(zero.amount_paid, 0);
    assert.deepEqual(zero.payments?.data, []);
    await receiver.waitForEvent('invoice.paid', empty.id);

    const full = await stripe.invoices.create({
      customer: customer.id,
      currency: 'usd',
      pending_invoice_items_behavior: 'include',
    });
    assert.deepEqual(lineAmounts(full), [400, 600]);
    assert.equal(full.amount_due, 1000);
    const pendingAfter = await stripe.invoiceItems.list({ customer: customer.id, pending: true });
    assert.deepEqual(
      pendingAfter.data.map((item) => item.id),
      [euros.id],
    );
    const onInvoice = await stripe.invoiceItems.list({ invoice: full.id });
    assert.deepEqual(
      onInvoice.data.map((item) => item.id),
      [second.id, first.id],
    );
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
    assert.equal(million.amount, 125_000);
    assert.equal(String(million.pricing?.unit_amount_decimal), '0.125');
    // 3 × 0.5 = 1.5, rounded once to 2 (rounding each unit would give 3).
    assert.equal((await add({ pricing: { price: half.id }, quantity: 3 })).amount, 2);
    // 10 × 100 + 3 × 50.5 = 1151.5 → 1152.
    assert.equal((await add({ pricing: { price: graduated.id }, quantity: 13 })).amount, 1152);
    // 6 units all in the second tier: 6 × 150 + 100.
    assert.equal((await add({ pricing: { price: volume.id }, quantity: 6 })).amount, 1000);
    // 3 × 33.335 = 100.005 → 100.
    const byUnit = await add({
      currency: 'usd',
      unit_amount_decimal: Stripe.Decimal.from('33.335'),
      quantity: 3,
    });
    assert.equal(byUnit.amount, 100);
    const inline = await add({
      price_data: {
        currency: 'usd',
        product: widget.id,
        unit_amount_decimal: Stripe.Decimal.from('12.25'),
      },
      quantity: 2,
    });
    assert.equal(inline.amount, 25);
    const inlinePrice = inline.pricing?.price_details?.price;
    assert.ok(typeof inlinePrice === 'string');
    assert.match(inlinePrice, /^price_/);

    const invoice = await stripe.invoices.retrieve(draft.id);
    assert.deepEqual(lineAmounts(invoice), [125_000, 2, 1152, 1000, 100, 25]);
    assert.equal(invoice.subtotal, 127_279);
    assert.equal(invoice.total, 127_279);
    assert.equal(invoice.amount_due, 127_279);

    const changed = await stripe.invoiceItems.update(million.id, { quantity: 4 });
    assert.equal(changed.amount, 1);
    const lines = await stripe.invoices.listLineItems(draft.id, { limit: 2 });
    assert.deepEqual(
      lines.data.map((line) => line.amount),
      [1, 2],
    );
    assert.equal(lines.has_more, true);
    assert.equal((await stripe.invoices.retrieve(draft.id)).total, 2280);
    const removed = await stripe.invoiceItems.del(byUnit.id);
    assert.equal(removed.deleted, true);
    assert.equal((await stripe.invoices.retrieve(draft.id)).total, 2180);
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
    assert.equal(updated.description, 'Second');
    assert.deepEqual(updated.metadata, { keep: 'yes' });
    assert.equal(updated.collection_method, 'send_invoice');
    assert.equal(updated.due_date, updated.created + 30 * 24 * 60 * 60);
    const event = (await receiver.waitForEvent(
      'invoice.updated',
      draft.id,
    )) as Stripe.InvoiceUpdatedEvent;
    assert.equal(event.data.previous_attributes?.description, 'First');
    assert.deepEqual(event.data.previous_attributes.metadata, { keep: 'yes', drop: 'me' });

    await stripe.invoiceItems.create({
      customer: customer.id,
      invoice: draft.id,
      amount: 100,
      currency: 'usd',
    });
    await stripe.invoices.finalizeInvoice(draft.id);
    await assert.rejects(
      stripe.invoices.update(draft.id, { collection_method: 'charge_automatically' }),
      isInvalidRequest(/collection_method/),
    );
    const described = await stripe.invoices.update(draft.id, { metadata: { after: 'open' } });
    assert.deepEqual(described.metadata, { keep: 'yes', after: 'open' });
  });

  it('answers invalid invoice and invoice item parameters like Stripe', async () => {
    const customer = await stripe.customers.create();
    await assert.rejects(
      stripe.invoiceItems.create({
        customer: customer.id,
        amount: 100,
        currency: 'usd',
        quantity: 2,
      }),
      isInvalidRequest(/only specify one of these parameters: amount, quantity/),
    );
    await assert.rejects(
      stripe.invoiceItems.create({ customer: customer.id, amount: 100 }),
      isInvalidRequest(/Missing required param: currency/, 'parameter_missing'),
    );
    await assert.rejects(
      stripe.invoices.create({ customer: customer.id, collection_method: 'send_invoice' }),
      isInvalidRequest(/due date/),
    );
    await assert.rejects(
      stripe.invoices.create({ customer: 'cus_missing' }),
      isInvalidRequest(/No such customer/, 'resource_missing'),
    );
    await assert.rejects(
      stripe.invoices.create({
        customer: customer.id,
        colour: 'blue',
      } as Stripe.InvoiceCreateParams),
      isInvalidRequest(/unknown parameter: colour/, 'parameter_unknown'),
    );
    const draft = await stripe.invoices.create({ customer: customer.id });
    await assert.rejects(
      stripe.invoiceItems.create({
        customer: customer.id,
        invoice: draft.id,
        amount: 100,
        currency: 'eur',
      }),
      isInvalidRequest(/must match the currency of the invoice/),
    );
    await stripe.invoiceItems.create({
      customer: customer.id,
      invoice: draft.id,
      amount: 100,
      currency: 'usd',
    });
    await assert.rejects(
      stripe.invoices.pay(draft.id),
      isInvalidRequest(/no attached payment source or default payment method/),
    );
    assert.equal((await stripe.invoices.retrieve(draft.id)).status, 'draft');
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
    assert.equal(finalized.status, 'open');
    const paid = (await receiver.waitForEvent('invoice.paid', draft.id)) as Stripe.InvoicePaidEvent;
    assert.equal(paid.data.object.amount_paid, 4200);
    assert.equal(paid.data.object.auto_advance, false);
    assert.equal((await stripe.invoices.retrieve(draft.id)).status, 'paid');
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
    assert.deepEqual(
      all.data.map((invoice) => invoice.id),
      [newest, middle, oldest],
    );
    const drafts = await stripe.invoices.list({ customer: customer.id, status: 'draft' });
    assert.deepEqual(
      drafts.data.map((invoice) => invoice.id),
      [oldest],
    );
    const open = await stripe.invoices.list({ customer: customer.id, status: 'open' });
    assert.deepEqual(
      open.data.map((invoice) => invoice.id),
      [middle],
    );
    const firstPage = await stripe.invoices.list({ customer: customer.id, limit: 2 });
    assert.equal(firstPage.has_more, true);
    const secondPage = await stripe.invoices.list({
      customer: customer.id,
      limit: 2,
      starting_after: firstPage.data[1]?.id,
    });
    assert.deepEqual(
      secondPage.data.map((invoice) => invoice.id),
      [oldest],
    );
    assert.equal(secondPage.has_more, false);
    const paged: string[] = [];
    for await (const invoice of stripe.invoices.list({ customer: customer.id, limit: 1 })) {
      paged.push(invoice.id);
    }
    assert.deepEqual(paged, [newest, middle, oldest]);
    const future = await stripe.invoices.list({
      customer: customer.id,
      created: { gt: Math.floor(Date.now() / 1000) + 3600 },
    });
    assert.deepEqual(future.data, []);
    const bySubscription = await stripe.invoices.list({ subscription: 'sub_none' });
    assert.deepEqual(bySubscription.data, []);

    const items: string[] = [];
    for await (const item of stripe.invoiceItems.list({ customer: customer.id, limit: 2 })) {
      items.push(item.id);
    }
    assert.equal(items.length, 3);
    const newestItems = await stripe.invoiceItems.list({ invoice: newest });
    assert.equal(newestItems.data.length, 1);
    assert.equal(newestItems.data[0]?.amount, 300);
  });
});
