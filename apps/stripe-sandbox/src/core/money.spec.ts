import { describe, it, expect } from '@jest/globals';
import { thrownBy } from '@aegis/testing';
import Stripe from 'stripe';
import { Params } from './params.js';
import { StripeApiError } from './stripe-error.js';
import { checkChargeAmount, formatAmount, minorUnitDigits, readCurrency } from './money.js';

describe('formatAmount', () => {
  it('writes a fractional amount of minor units exactly, as in a unit price', () => {
    expect(formatAmount(Stripe.Decimal.from('12.5'), 'usd')).toBe('$0.125');
    expect(formatAmount(Stripe.Decimal.from('1000'), 'usd')).toBe('$10.00');
    expect(formatAmount(-250, 'usd')).toBe('-$2.50');
    expect(formatAmount(1999, 'chf')).toMatch(/^CHF\s19\.99$/);
  });

  it('writes two-decimal amounts with their symbol and grouping', () => {
    expect(formatAmount(2000, 'usd')).toBe('$20.00');
    expect(formatAmount(5, 'usd')).toBe('$0.05');
    expect(formatAmount(99_999_999, 'usd')).toBe('$999,999.99');
    expect(formatAmount(50, 'eur')).toBe('€0.50');
  });

  it('writes zero- and three-decimal currencies in their own units', () => {
    expect(minorUnitDigits('jpy')).toBe(0);
    expect(formatAmount(1500, 'jpy')).toBe('¥1,500');
    expect(minorUnitDigits('kwd')).toBe(3);
    expect(formatAmount(1250, 'kwd')).toMatch(/^KWD\s1\.250$/);
  });
});

describe('checkChargeAmount', () => {
  it("refuses an amount below the currency's minimum with amount_too_small", () => {
    const tooSmall = thrownBy(() => checkChargeAmount(49, 'usd'), StripeApiError);
    expect(tooSmall.body.code).toBe('amount_too_small');
    expect(tooSmall.body.message).toBe('Amount must be at least $0.50 usd');
    expect(() => checkChargeAmount(50, 'usd')).not.toThrow();
    expect(() => checkChargeAmount(29, 'gbp')).toThrow();
    expect(() => checkChargeAmount(30, 'gbp')).not.toThrow();
  });

  it('refuses more than eight digits with amount_too_large', () => {
    const tooLarge = thrownBy(() => checkChargeAmount(100_000_000, 'usd'), StripeApiError);
    expect(tooLarge.body.code).toBe('amount_too_large');
  });
});

describe('readCurrency', () => {
  it('lower-cases an ISO currency and refuses an unknown one', () => {
    expect(readCurrency(Params.of({ currency: 'EUR' }))).toBe('eur');
    const unknown = thrownBy(() => readCurrency(Params.of({ currency: 'xyz' })), StripeApiError);
    expect(unknown.body.param).toBe('currency');
    const missing = thrownBy(() => readCurrency(Params.of({})), StripeApiError);
    expect(missing.body.code).toBe('parameter_missing');
  });
});
