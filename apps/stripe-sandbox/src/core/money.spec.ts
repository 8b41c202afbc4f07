import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import { Params } from './params.js';
import { StripeApiError } from './stripe-error.js';
import { checkChargeAmount, formatAmount, minorUnitDigits, readCurrency } from './money.js';

describe('formatAmount', () => {
  it('writes a fractional amount of minor units exactly, as in a unit price', () => {
    assert.equal(formatAmount(Stripe.Decimal.from('12.5'), 'usd'), '$0.125');
    assert.equal(formatAmount(Stripe.Decimal.from('1000'), 'usd'), '$10.00');
    assert.equal(formatAmount(-250, 'usd'), '-$2.50');
    assert.match(formatAmount(1999, 'chf'), /^CHF\s19\.99$/);
  });

  it('writes two-decimal amounts with their symbol and grouping', () => {
    assert.equal(formatAmount(2000, 'usd'), '$20.00');
    assert.equal(formatAmount(5, 'usd'), '$0.05');
    assert.equal(formatAmount(99_999_999, 'usd'), '$999,999.99');
    assert.equal(formatAmount(50, 'eur'), '€0.50');
  });

  it('writes zero- and three-decimal currencies in their own units', () => {
    assert.equal(minorUnitDigits('jpy'), 0);
    assert.equal(formatAmount(1500, 'jpy'), '¥1,500');
    assert.equal(minorUnitDigits('kwd'), 3);
    assert.match(formatAmount(1250, 'kwd'), /^KWD\s1\.250$/);
  });
});

describe('checkChargeAmount', () => {
  it("refuses an amount below the currency's minimum with amount_too_small", () => {
    assert.throws(
      () => checkChargeAmount(49, 'usd'),
      (error: unknown) =>
        error instanceof StripeApiError &&
        error.body.code === 'amount_too_small' &&
        error.body.message === 'Amount must be at least $0.50 usd',
    );
    assert.doesNotThrow(() => checkChargeAmount(50, 'usd'));
    assert.throws(() => checkChargeAmount(29, 'gbp'));
    assert.doesNotThrow(() => checkChargeAmount(30, 'gbp'));
  });

  it('refuses more than eight digits with amount_too_large', () => {
    assert.throws(
      () => checkChargeAmount(100_000_000, 'usd'),
      (error: unknown) => error instanceof StripeApiError && error.body.code === 'amount_too_large',
    );
  });
});

describe('readCurrency', () => {
  it('lower-cases an ISO currency and refuses an unknown one', () => {
    assert.equal(readCurrency(Params.of({ currency: 'EUR' })), 'eur');
    assert.throws(
      () => readCurrency(Params.of({ currency: 'xyz' })),
      (error: unknown) => error instanceof StripeApiError && error.body.param === 'currency',
    );
    assert.throws(
      () => readCurrency(Params.of({})),
      (error: unknown) =>
        error instanceof StripeApiError && error.body.code === 'parameter_missing',
    );
  });
});
