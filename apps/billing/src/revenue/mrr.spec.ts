import { describe, expect, it } from '@jest/globals';
import {
  divideRoundHalfUp,
  intervalMonthsOf,
  movementOf,
  mrrOf,
  periodStartOf,
  priceIntervalMonthsOf,
  rateOf,
  supersedesState,
} from './mrr.js';
import { intervalStartOf, intervalStarts } from './revenue-intervals.js';

describe('revenue rules', () => {
  it('divides rounding half up, exactly', () => {
    expect(divideRoundHalfUp(10n, 4n)).toBe(3n);
    expect(divideRoundHalfUp(9n, 4n)).toBe(2n);
    expect(divideRoundHalfUp(10_000n, 12n)).toBe(833n);
    expect(divideRoundHalfUp(99_900n, 12n)).toBe(8_325n);
    expect(divideRoundHalfUp(0n, 7n)).toBe(0n);
  });

  it('writes rates with 6 decimals rounded half up, 0 over nothing', () => {
    expect(rateOf(1, 4)).toBe('0.250000');
    expect(rateOf(1, 3)).toBe('0.333333');
    expect(rateOf(2, 3)).toBe('0.666667');
    expect(rateOf(1, 8_000_000)).toBe('0.000000');
    expect(rateOf(1, 2_000_000)).toBe('0.000001');
    expect(rateOf(3, 2)).toBe('1.500000');
    expect(rateOf(0, 0)).toBe('0.000000');
    expect(rateOf(5, 0)).toBe('0.000000');
  });

  it('counts a period in whole mean months: 28 to 31 days is 1, a year 12, unknown 1', () => {
    expect(intervalMonthsOf('2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z')).toBe(1);
    expect(intervalMonthsOf('2026-01-31T00:00:00.000Z', '2026-02-28T00:00:00.000Z')).toBe(1);
    expect(intervalMonthsOf('2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z')).toBe(1);
    expect(intervalMonthsOf('2026-01-15T00:00:00.000Z', '2027-01-15T00:00:00.000Z')).toBe(12);
    expect(intervalMonthsOf('2027-06-01T00:00:00.000Z', '2028-06-01T00:00:00.000Z')).toBe(12);
    expect(intervalMonthsOf('2026-01-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z')).toBe(3);
    expect(intervalMonthsOf('2026-01-01T00:00:00.000Z', '2026-01-08T00:00:00.000Z')).toBe(1);
    expect(intervalMonthsOf(null, '2026-01-08T00:00:00.000Z')).toBe(1);
    expect(intervalMonthsOf(null, null)).toBe(1);
  });

  it('takes the months from the price’s interval when it is whole months, whatever the period', () => {
    // A yearly price whose current period was cut short (a billing anchor reset): still 12.
    const shortPeriod = ['2026-03-01T00:00:00.000Z', '2026-03-11T00:00:00.000Z'] as const;
    expect(priceIntervalMonthsOf('year', 1, ...shortPeriod)).toBe(12);
    expect(priceIntervalMonthsOf('year', 2, ...shortPeriod)).toBe(24);
    expect(priceIntervalMonthsOf('month', 3, ...shortPeriod)).toBe(3);
    expect(priceIntervalMonthsOf('month', null, ...shortPeriod)).toBe(1);
    // Weeks, days or a state without the interval: the period's length decides.
    const quarter = ['2026-01-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z'] as const;
    expect(priceIntervalMonthsOf('week', 12, ...quarter)).toBe(3);
    expect(priceIntervalMonthsOf(undefined, undefined, ...quarter)).toBe(3);
    expect(priceIntervalMonthsOf(null, null, null, null)).toBe(1);
  });

  it('gives MRR only to active and past_due subscriptions, yearly / 12 rounded half up', () => {
    const base = { unitAmount: 10_000, quantity: 1, intervalMonths: 1 } as const;
    expect(mrrOf({ ...base, status: 'active' })).toBe(10_000);
    expect(mrrOf({ ...base, status: 'past_due' })).toBe(10_000);
    expect(mrrOf({ ...base, status: 'trialing' })).toBe(0);
    expect(mrrOf({ ...base, status: 'canceled' })).toBe(0);
    expect(mrrOf({ ...base, status: 'paused' })).toBe(0);
    expect(mrrOf({ ...base, status: 'unpaid' })).toBe(0);
    expect(mrrOf({ ...base, status: 'active', intervalMonths: 12 })).toBe(833);
    expect(mrrOf({ ...base, status: 'active', unitAmount: 1_000, intervalMonths: 12 })).toBe(83);
    expect(mrrOf({ ...base, status: 'active', unitAmount: 1_002, intervalMonths: 12 })).toBe(84);
    expect(mrrOf({ ...base, status: 'active', quantity: 3 })).toBe(30_000);
    expect(mrrOf({ ...base, status: 'active', quantity: null })).toBe(10_000);
    expect(mrrOf({ ...base, status: 'active', unitAmount: null })).toBe(0);
  });

  it('names the movement of a customer MRR change', () => {
    expect(movementOf(0, 5_000, false)).toBe('new');
    expect(movementOf(0, 5_000, true)).toBe('reactivated');
    expect(movementOf(5_000, 0, true)).toBe('churned');
    expect(movementOf(5_000, 8_000, true)).toBe('expansion');
    expect(movementOf(8_000, 5_000, true)).toBe('contraction');
    expect(movementOf(5_000, 5_000, true)).toBeNull();
    expect(movementOf(0, 0, false)).toBeNull();
  });

  it('applies a later state, or on a tie one that ends the subscription', () => {
    const t = new Date('2026-11-01T00:00:00.000Z');
    const later = new Date('2026-11-02T00:00:00.000Z');
    expect(
      supersedesState({ updatedAt: later, status: 'active' }, { updatedAt: t, status: 'active' }),
    ).toBe(true);
    expect(
      supersedesState({ updatedAt: t, status: 'active' }, { updatedAt: later, status: 'active' }),
    ).toBe(false);
    expect(
      supersedesState({ updatedAt: t, status: 'active' }, { updatedAt: t, status: 'active' }),
    ).toBe(false);
    expect(
      supersedesState({ updatedAt: t, status: 'canceled' }, { updatedAt: t, status: 'active' }),
    ).toBe(true);
    expect(
      supersedesState({ updatedAt: t, status: 'active' }, { updatedAt: t, status: 'canceled' }),
    ).toBe(false);
  });

  it('takes the churn period as the UTC month of the instant just before at', () => {
    expect(periodStartOf(new Date('2026-12-03T07:00:00.000Z')).toISOString()).toBe(
      '2026-12-01T00:00:00.000Z',
    );
    expect(periodStartOf(new Date('2026-12-01T00:00:00.000Z')).toISOString()).toBe(
      '2026-11-01T00:00:00.000Z',
    );
    expect(periodStartOf(new Date('2026-01-01T00:00:00.001Z')).toISOString()).toBe(
      '2026-01-01T00:00:00.000Z',
    );
  });

  it('lists every interval start of a range, weeks from Monday, months from the 1st', () => {
    expect(intervalStartOf('2026-12-03', 'week')).toBe('2026-11-30');
    expect(intervalStartOf('2026-11-30', 'week')).toBe('2026-11-30');
    expect(intervalStartOf('2026-12-06', 'week')).toBe('2026-11-30');
    expect(intervalStartOf('2026-12-31', 'month')).toBe('2026-12-01');
    expect(intervalStarts('2026-12-30', '2027-01-02', 'day')).toEqual([
      '2026-12-30',
      '2026-12-31',
      '2027-01-01',
      '2027-01-02',
    ]);
    expect(intervalStarts('2026-12-03', '2026-12-14', 'week')).toEqual([
      '2026-11-30',
      '2026-12-07',
      '2026-12-14',
    ]);
    expect(intervalStarts('2026-11-15', '2027-02-01', 'month')).toEqual([
      '2026-11-01',
      '2026-12-01',
      '2027-01-01',
      '2027-02-01',
    ]);
    expect(intervalStarts('2028-02-28', '2028-03-01', 'day')).toEqual([
      '2028-02-28',
      '2028-02-29',
      '2028-03-01',
    ]);
  });
});
