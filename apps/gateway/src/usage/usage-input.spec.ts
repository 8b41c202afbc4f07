import { describe, expect, it } from '@jest/globals';
import { isCalendarDate, usageQuantityOf, usageRangeOf } from './usage-input.js';

describe(usageQuantityOf.name, () => {
  it('keeps a decimal string exactly as sent', () => {
    for (const text of ['0', '1', '1.5', '0.000000000001', '999999999999999999.999999999999'])
      expect(usageQuantityOf(text)).toBe(text);
  });

  it('refuses strings that are not non-negative decimals of at most 12 places', () => {
    for (const text of ['', '-1', '1.', '.5', '01', '1e3', '1.0000000000001', ' 1', '1,5', 'NaN'])
      expect(usageQuantityOf(text)).toBeUndefined();
    expect(usageQuantityOf('1'.repeat(19))).toBeUndefined();
  });

  it('takes a JSON number that carries its value exactly, as its decimal text', () => {
    expect(usageQuantityOf(0)).toBe('0');
    expect(usageQuantityOf(-0)).toBe('0');
    expect(usageQuantityOf(1.5)).toBe('1.5');
    expect(usageQuantityOf(0.000001)).toBe('0.000001');
    expect(usageQuantityOf(123456789.123456)).toBe('123456789.123456');
    expect(usageQuantityOf(Number.MAX_SAFE_INTEGER)).toBe('9007199254740991');
  });

  it('refuses a number JSON could not carry exactly, or one written with an exponent', () => {
    for (const number of [
      -1,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      0.1 + 0.2, // 0.30000000000000004: 17 decimal places
      1e-7, // String(): 1e-7
      1e21, // String(): 1e+21
      2 ** 53 + 2, // past the safe integers: not necessarily what was sent
      1234567890.1234567, // 17 significant digits
    ])
      expect(usageQuantityOf(number)).toBeUndefined();
    for (const other of [null, undefined, true, {}, ['1']])
      expect(usageQuantityOf(other)).toBeUndefined();
  });
});

describe(isCalendarDate.name, () => {
  it('takes YYYY-MM-DD days that exist', () => {
    for (const date of ['2026-01-01', '2024-02-29', '2026-12-31'])
      expect(isCalendarDate(date)).toBe(true);
    for (const date of ['2026-02-29', '2026-13-01', '2026-1-1', '2026-01-01T00:00:00Z', '20260101'])
      expect(isCalendarDate(date)).toBe(false);
  });
});

describe(usageRangeOf.name, () => {
  it('runs from the first day’s midnight to the midnight after the last day (UTC)', () => {
    expect(usageRangeOf('2026-03-01', '2026-03-31')).toEqual({
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-04-01T00:00:00.000Z',
    });
    expect(usageRangeOf('2026-03-05', '2026-03-05')).toEqual({
      from: '2026-03-05T00:00:00.000Z',
      to: '2026-03-06T00:00:00.000Z',
    });
  });

  it('refuses an end before the start and more than 366 days, naming end_date', () => {
    expect(usageRangeOf('2026-03-05', '2026-03-04')).toMatchObject({ field: 'end_date' });
    expect(usageRangeOf('2024-01-01', '2024-12-31')).toHaveProperty('from'); // 366 days
    expect(usageRangeOf('2025-01-01', '2026-01-01')).toHaveProperty('from'); // 366 days
    expect(usageRangeOf('2025-01-01', '2026-01-02')).toMatchObject({
      field: 'end_date',
      message: expect.stringContaining('366 days'),
    });
  });
});
