import { describe, it, expect } from '@jest/globals';
import { defined } from '@aegis/testing';
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
    expect(totalOfUnitAmount(Stripe.Decimal.from('0.5'), 3)).toBe(2);
    expect(totalOfUnitAmount(Stripe.Decimal.from('0.125'), 1_000_000)).toBe(125_000);
    expect(totalOfUnitAmount(Stripe.Decimal.from('-0.5'), 1)).toBe(-1);
    expect(totalOfUnitAmount(Stripe.Decimal.from('33.335'), 3)).toBe(100);
  });

  it('derives the unit amount of a total, or none for no units', () => {
    expect(unitAmountOfTotal(-1000, 3)?.toString()).toBe('-333.333333333333');
    expect(unitAmountOfTotal(500, 2)?.toString()).toBe('250');
    expect(unitAmountOfTotal(500, 0)).toBeNull();
  });

  it('numbers invoices with the customer prefix and four digits', () => {
    expect(invoiceNumber('ABCD1234', 1)).toBe('ABCD1234-0001');
    expect(invoiceNumber('ABCD1234', 12345)).toBe('ABCD1234-12345');
  });

  it('describes subscription lines with the unit price and interval', () => {
    const monthly = price({ recurring: recurring('month', 1) });
    expect(subscriptionLineDescription(2, 'Pro', monthly)).toBe('2 × Pro (at $10.00 / month)');
    const quarterly = price({ recurring: recurring('month', 3) });
    expect(subscriptionLineDescription(1, 'Pro', quarterly)).toBe(
      '1 × Pro (at $10.00 / every 3 months)',
    );
    const tiered = price({
      billing_scheme: 'tiered',
      unit_amount: null,
      unit_amount_decimal: null,
    });
    expect(subscriptionLineDescription(4, 'Seats', tiered)).toBe('4 × Seats');
  });

  it("makes an invoice item's line, under the subscription item it prorates if any", () => {
    const plain = invoiceItemLine(item(), 'in_1', 'il_1');
    const plainParent = defined(plain.parent, 'the parent of the plain line');
    expect(plainParent.type).toBe('invoice_item_details');
    expect(plainParent.invoice_item_details?.invoice_item).toBe('ii_1');
    expect(plain.amount).toBe(300);
    expect(plain.subtotal).toBe(300);
    expect(plain.metadata).toStrictEqual({ key: 'value' });
    expect(plain.subscription).toBeNull();
    expect(isLineOf(plain, 'ii_1')).toBeTruthy();
    expect(isLineOf(plain, 'ii_2')).toBeFalsy();

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
    const prorationParent = defined(proration.parent, 'the parent of the proration line');
    expect(prorationParent.type).toBe('subscription_item_details');
    const itemDetails = defined(
      prorationParent.subscription_item_details,
      'the subscription item details of the proration line',
    );
    expect(itemDetails.subscription_item).toBe('si_1');
    expect(itemDetails.proration).toBe(true);
    expect(proration.subscription).toBe('sub_1');
    expect(isLineOf(proration, 'ii_1')).toBeTruthy();
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
    expect(invoice.subtotal).toBe(500);
    expect(invoice.total).toBe(500);
    expect(invoice.amount_due).toBe(500);
    expect(invoice.amount_remaining).toBe(400);

    const credit: InvoiceTotals = {
      ...invoice,
      lines: { data: [invoiceItemLine(item({ amount: -50 }), 'in_1', 'il_3')] },
      amount_paid: 0,
    };
    applyTotals(credit);
    expect(credit.total).toBe(-50);
    expect(credit.amount_due).toBe(0);
    expect(credit.amount_remaining).toBe(0);
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
