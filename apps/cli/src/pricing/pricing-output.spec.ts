import { describe, it, expect } from '@jest/globals';
import { graduatedVersion, perUnitVersion } from '../../test/catalog-fixtures.js';
import {
  describePrices,
  describeTiers,
  statusOfVersion,
  summarizePricing,
} from './pricing-output.js';

describe(describeTiers.name, () => {
  it('names each tier’s units, its price and its flat amount', () => {
    expect(
      describeTiers([
        { up_to: 1, unit_amount_decimal: '0', flat_amount_cents: 500 },
        { up_to: 100, unit_amount_decimal: '0.5', flat_amount_cents: 0 },
        { up_to: null, unit_amount_decimal: '0.25', flat_amount_cents: 100 },
      ]),
    ).toBe('1-1 at 0 + 500 flat, 2-100 at 0.5, 101+ at 0.25 + 100 flat');
  });
});

describe(describePrices.name, () => {
  it('says what each model charges', () => {
    expect(describePrices(perUnitVersion)).toBe('10 per unit');
    expect(describePrices(graduatedVersion)).toBe('1-1000 at 10, 1001-10000 at 8, 10001+ at 5');
    expect(describePrices({ ...graduatedVersion, model: 'volume' })).toBe(
      '1-1000 at 10, 1001-10000 at 8, 10001+ at 5',
    );
    expect(
      describePrices({
        ...perUnitVersion,
        model: 'package',
        unit_amount_decimal: null,
        package: { size: 1000, price_cents: 500, round: 'down' },
      }),
    ).toBe('500 per 1000 units, rounded down');
  });
});

describe(summarizePricing.name, () => {
  it('keeps tiered pricing short enough for a table', () => {
    expect(summarizePricing(perUnitVersion)).toBe('10 per unit');
    expect(summarizePricing(graduatedVersion)).toBe('graduated, 3 tiers');
    expect(
      summarizePricing({
        ...graduatedVersion,
        model: 'volume',
        tiers: [{ up_to: null, unit_amount_decimal: '1', flat_amount_cents: 0 }],
      }),
    ).toBe('volume, 1 tier');
  });
});

describe(statusOfVersion.name, () => {
  it('tells the version in force from those before and after it', () => {
    expect(statusOfVersion(graduatedVersion, graduatedVersion)).toBe('in force');
    expect(statusOfVersion(perUnitVersion, graduatedVersion)).toBe('superseded');
    expect(statusOfVersion(graduatedVersion, perUnitVersion)).toBe('scheduled');
  });
});
