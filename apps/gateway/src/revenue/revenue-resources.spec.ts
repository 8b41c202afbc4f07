import { describe, expect, it } from '@jest/globals';
import { InvalidInputException } from '@aegis/platform';
import { instantOfAt, instantOfFrom, perCurrency } from './revenue-resources.js';

describe('revenue resources', () => {
  const entry = (currency: string) => ({ currency, cents: currency.length });

  it('answers one currency as its shape, none as the empty one, several by currency', () => {
    const shape = (value: { currency: string }): { of: string | null } => ({ of: value.currency });
    expect(perCurrency([], shape, { of: null })).toEqual({ of: null });
    expect(perCurrency([entry('usd')], shape, { of: null })).toEqual({ of: 'usd' });
    expect(perCurrency([entry('eur'), entry('usd')], shape, { of: null })).toEqual({
      by_currency: { eur: { of: 'eur' }, usd: { of: 'usd' } },
    });
  });

  it('takes a day as the end of it for at and the start of it for movements_from (UTC)', () => {
    expect(instantOfAt('2026-11-30')).toBe('2026-12-01T00:00:00.000Z');
    expect(instantOfAt('2026-12-31')).toBe('2027-01-01T00:00:00.000Z');
    expect(instantOfAt('2026-12-03T07:00:00+01:00')).toBe('2026-12-03T06:00:00.000Z');
    expect(instantOfAt(undefined)).toBeUndefined();
    expect(instantOfFrom('2026-11-01')).toBe('2026-11-01T00:00:00.000Z');
    expect(() => instantOfAt('2026-W49')).toThrow(InvalidInputException);
  });
});
