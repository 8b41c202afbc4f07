import { describe, it, expect } from '@jest/globals';
import { InvalidArgumentError } from 'commander';
import { packageOf, priceOf, tier } from './pricing-options.js';

/** Each --tier in turn, as commander hands them over. */
function tiersOf(...values: string[]): ReturnType<typeof tier> {
  let tiers: ReturnType<typeof tier> | undefined;
  for (const value of values) tiers = tier(value, tiers);
  return tiers ?? [];
}

describe(priceOf.name, () => {
  it('takes a whole number as cents and a decimal as unit_amount_decimal, exactly as written', () => {
    expect(priceOf('10')).toStrictEqual({ price_cents: 10 });
    expect(priceOf('0')).toStrictEqual({ price_cents: 0 });
    expect(priceOf('0.125')).toStrictEqual({ unit_amount_decimal: '0.125' });
    expect(priceOf('8.000000000001')).toStrictEqual({ unit_amount_decimal: '8.000000000001' });
  });

  it('refuses what is not a non-negative amount with at most 12 decimals', () => {
    for (const value of [
      '',
      '-1',
      '1e3',
      '0.1234567890123',
      '.5',
      '5.',
      'ten',
      '99999999999999999',
    ])
      expect(priceOf(value)).toBeUndefined();
  });
});

describe(tier.name, () => {
  it('reads <up_to|inf>:<price>[:<flat_cents>], in order', () => {
    expect(tiersOf('1000:10', '10000:8', 'inf:5')).toStrictEqual([
      { up_to: 1000, price_cents: 10 },
      { up_to: 10000, price_cents: 8 },
      { up_to: null, price_cents: 5 },
    ]);
    expect(tiersOf('100:0.5:250', 'inf:0:0')).toStrictEqual([
      { up_to: 100, unit_amount_decimal: '0.5', flat_amount_cents: 250 },
      { up_to: null, price_cents: 0, flat_amount_cents: 0 },
    ]);
  });

  it('explains a tier that is not written right', () => {
    for (const value of [
      '1000',
      '1000:',
      ':10',
      '0:10',
      'infinity:5',
      '1000:-1',
      '1000:10:5:1',
      '1.5:10',
    ])
      expect(() => tier(value, undefined)).toThrow(
        new InvalidArgumentError(
          'must be <up_to|inf>:<price>[:<flat_cents>], e.g. 1000:10, inf:0.5 or 100:8:500',
        ),
      );
    expect(() => tier('1000:10:1.5', undefined)).toThrow(
      'its flat_cents must be a whole number of at least 0',
    );
  });

  it('wants up_to to ascend and nothing after the open-ended tier', () => {
    expect(() => tiersOf('1000:10', '1000:8')).toThrow(
      "up_to must be above the previous tier's 1000",
    );
    expect(() => tiersOf('1000:10', '500:8')).toThrow(
      "up_to must be above the previous tier's 1000",
    );
    expect(() => tiersOf('inf:10', '1000:8')).toThrow(
      'comes after the open-ended tier (inf), which must be the last',
    );
    expect(() => tiersOf('1000:10', 'inf:8', 'inf:5')).toThrow('comes after the open-ended tier');
  });
});

describe(packageOf.name, () => {
  it('reads <size>:<price_cents>:<up|down>', () => {
    expect(packageOf('1000:500:up')).toStrictEqual({ size: 1000, price_cents: 500, round: 'up' });
    expect(packageOf('5:0:down')).toStrictEqual({ size: 5, price_cents: 0, round: 'down' });
  });

  it('explains a package that is not written right', () => {
    for (const value of [
      '1000:500',
      '0:500:up',
      '1000:5.5:up',
      '1000:500:nearest',
      '1000:500:up:1',
      'x:1:up',
    ])
      expect(() => packageOf(value)).toThrow(
        new InvalidArgumentError('must be <size>:<price_cents>:<up|down>, e.g. 1000:500:up'),
      );
  });
});
