import { describe, expect, it } from '@jest/globals';
import { currentBillingPeriod, formatMoney, formatRate, minorDigitsOf, utcDay } from './format';

describe('the dashboard’s formats', () => {
  it('shows integer minor units as money without a float, by the currency’s digits', () => {
    expect(formatMoney(3_320_370, 'usd')).toBe('33,203.70 USD');
    expect(formatMoney(5, 'usd')).toBe('0.05 USD');
    expect(formatMoney(0, 'eur')).toBe('0.00 EUR');
    expect(formatMoney(-99_900, 'usd')).toBe('-999.00 USD');
    // 2^53 - 1 cents: exact to the last digit, as no division by 100 would keep it.
    expect(formatMoney(9_007_199_254_740_991, 'usd')).toBe('90,071,992,547,409.91 USD');
    expect(minorDigitsOf('jpy')).toBe(0);
    expect(formatMoney(1_500, 'jpy')).toBe('1,500 JPY');
  });

  it('shows a 6-decimal rate as a percentage from its text', () => {
    expect(formatRate('0.080000')).toBe('8.00 %');
    expect(formatRate('0.333333')).toBe('33.33 %');
    expect(formatRate('1.000000')).toBe('100.00 %');
    expect(formatRate('0')).toBe('0.00 %');
  });

  it('names UTC days and billing periods', () => {
    const now = new Date('2026-03-01T00:30:00Z');
    expect(utcDay(0, now)).toBe('2026-03-01');
    expect(utcDay(1, now)).toBe('2026-02-28');
    expect(currentBillingPeriod(now)).toBe('2026-03');
  });
});
