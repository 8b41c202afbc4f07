import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import {
  applyTotals,
  invoiceItemLine,
  invoiceNumber,
  isLineOf,
  subscriptionLineDescription,
  type InvoiceTotals,
  totalOfUnitAmount,
  unitAmountOfTotal,
} from './invoice-lines.js';

function price(overrides: Partial<Stripe.Price> = {}): Stripe.Price {
  return {
    id: 'price_1',
    object: 'price',
    active: true,
    billing_scheme: 'per_unit',
    created: 0,
    currency: 'usd',
    custom_unit_amount: null,
    livemode: false,
    lookup_key: null,
    metadata: {},
    nickname: null,
    product: 'prod_1',
    recurring: null,
    tax_behavior: 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: 'one_time',
    unit_amount: 1000,
    unit_amount_decimal: Stripe.Decimal.from('1000'),
    ...overrides,
  };
}

function item(overrides: Partial<Stripe.InvoiceItem> = {}): Stripe.InvoiceItem {
  return {
    id: 'ii_1',
    object: 'invoiceitem',
    amount: 300,
    currency: 'usd',
    customer: 'cus_1',
    customer_account: null,
    date: 10,
    description: 'Item',
    discountable: true,
    discounts: [],
    invoice: 'in_1',
    livemode: false,
    metadata: { key: 'value' },
    parent: null,
    period: { start: 10, end: 20 },
    pricing: { type: 'price_details', unit_amount_decimal: Stripe.Decimal.from('100') },
    proration: false,
    quantity: 3,
    quantity_decimal: Stripe.Decimal.from('3'),
    tax_rates: [],
    test_clock: null,
    ...overrides,
  };
}

describe('invoice lines', () => {
  it('rounds a unit amount times a quantity once, half away from zero', () => {
    assert.equal(totalOfUnitAmount(Stripe.Decimal.from('0.5'), 3), 2);
    assert.equal(totalOfUnitAmount(Stripe.Decimal.from('0.125'), 1_000_000), 125_000);
    assert.equal(totalOfUnitAmount(Stripe.Decimal.from('-0.5'), 1), -1);
    assert.equal(totalOfUnitAmount(Stripe.Decimal.from('33.335'), 3), 100);
  });

  it('derives the unit amount of a total, or none for no units', () => {
    assert.equal(unitAmountOfTotal(-1000, 3)?.toString(), '-333.333333333333');
    assert.equal(unitAmountOfTotal(500, 2)?.toString(), '250');
    assert.equal(unitAmountOfTotal(500, 0), null);
  });

  it('numbers invoices with the customer prefix and four digits', () => {
    assert.equal(invoiceNumber('ABCD1234', 1), 'ABCD1234-0001');
    assert.equal(invoiceNumber('ABCD1234', 12345), 'ABCD1234-12345');
  });

  it('describes subscription lines with the unit price and interval', () => {
    const monthly = price({ recurring: recurring('month', 1) });
    assert.equal(subscriptionLineDescription(2, 'Pro', monthly), '2 × Pro (at $10.00 / month)');
    const quarterly = price({ recurring: recurring('month', 3) });
    assert.equal(
      subscriptionLineDescription(1, 'Pro', quarterly),
      '1 × Pro (at $10.00 / every 3 months)',
    );
    const tiered = price({
      billing_scheme: 'tiered',
      unit_amount: null,
      unit_amount_decimal: null,
    });
    assert.equal(subscriptionLineDescription(4, 'Seats', tiered), '4 × Seats');
  });

  it("makes an invoice item's line, under the subscription item it prorates if any", () => {
    const plain = invoiceItemLine(item(), 'in_1', 'il_1');
    assert.equal(plain.parent?.type, 'invoice_item_details');
    assert.equal(plain.parent.invoice_item_details?.invoice_item, 'ii_1');
    assert.equal(plain.amount, 300);
    assert.equal(plain.subtotal, 300);
    assert.deepEqual(plain.metadata, { key: 'value' });
    assert.equal(plain.subscription, null);
    assert.ok(isLineOf(plain, 'ii_1'));
    assert.ok(!isLineOf(plain, 'ii_2'));

    const proration = invoiceItemLine(
      item({
        proration: true,
        parent: {
          type: 'subscription_details',
          subscription_details: { subscription: 'sub_1', subscription_item: 'si_1' },
        },
      }),
      'in_1',
      'il_2',
    );
    assert.equal(proration.parent?.type, 'subscription_item_details');
    assert.equal(proration.parent.subscription_item_details?.subscription_item, 'si_1');
    assert.equal(proration.parent.subscription_item_details.proration, true);
    assert.equal(proration.subscription, 'sub_1');
    assert.ok(isLineOf(proration, 'ii_1'));
  });

  it('totals the lines, owing nothing on a negative total', () => {
    const invoice: InvoiceTotals = {
      lines: {
        data: [
          invoiceItemLine(item({ amount: 700 }), 'in_1', 'il_1'),
          invoiceItemLine(item({ id: 'ii_2', amount: -200 }), 'in_1', 'il_2'),
        ],
      },
      amount_paid: 100,
      amount_due: 0,
      amount_remaining: 0,
      subtotal: 0,
      subtotal_excluding_tax: 0,
      total: 0,
      total_excluding_tax: 0,
    };
    applyTotals(invoice);
    assert.equal(invoice.subtotal, 500);
    assert.equal(invoice.total, 500);
    assert.equal(invoice.amount_due, 500);
    assert.equal(invoice.amount_remaining, 400);

    const credit: InvoiceTotals = {
      ...invoice,
      lines: { data: [invoiceItemLine(item({ amount: -50 }), 'in_1', 'il_3')] },
      amount_paid: 0,
    };
    applyTotals(credit);
    assert.equal(credit.total, -50);
    assert.equal(credit.amount_due, 0);
    assert.equal(credit.amount_remaining, 0);
  });
});

function recurring(interval: 'month' | 'year', count: number): Stripe.Price.Recurring {
  return {
    interval,
    interval_count: count,
    meter: null,
    trial_period_days: null,
    usage_type: 'licensed',
  };
}
