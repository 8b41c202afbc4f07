import { describe, expect, it } from '@jest/globals';
import {
  discountTermsOf,
  isInForce,
  nextChangeTime,
  pricingModelOf,
  pricingModelV1Of,
  productMetadataFaults,
  productMeteringOf,
} from './catalog-input.js';

const fieldsOf = (checked: object): string[] =>
  'faults' in checked ? (checked.faults as { field: string }[]).map((fault) => fault.field) : [];

describe('productMeteringOf', () => {
  it('defaults a usage product to sum, and leaves an outcome product unmetered', () => {
    expect(productMeteringOf({ pricingType: 'usage' })).toStrictEqual({
      value: { aggregation: 'sum', aggregationField: null },
    });
    expect(productMeteringOf({ pricingType: 'outcome' })).toStrictEqual({
      value: { aggregation: null, aggregationField: null },
    });
  });

  it('requires the field of unique_count and refuses one elsewhere', () => {
    expect(
      productMeteringOf({
        pricingType: 'usage',
        aggregation: 'unique_count',
        aggregationField: 'user',
      }),
    ).toStrictEqual({ value: { aggregation: 'unique_count', aggregationField: 'user' } });
    expect(
      fieldsOf(productMeteringOf({ pricingType: 'usage', aggregation: 'unique_count' })),
    ).toEqual(['aggregation_field']);
    expect(
      fieldsOf(
        productMeteringOf({ pricingType: 'usage', aggregation: 'max', aggregationField: 'x' }),
      ),
    ).toEqual(['aggregation_field']);
  });

  it('refuses an aggregation on an outcome product, naming both fields', () => {
    expect(
      fieldsOf(
        productMeteringOf({ pricingType: 'outcome', aggregation: 'sum', aggregationField: 'x' }),
      ),
    ).toEqual(['aggregation', 'aggregation_field']);
  });
});

describe('productMetadataFaults', () => {
  it('keeps aegis_product_id for Aegis, one of Stripe’s 50 keys, and refuses empty values', () => {
    expect(productMetadataFaults({ delivery_time: '48h' })).toEqual([]);
    expect(productMetadataFaults({ aegis_product_id: 'x', note: '' }).map((f) => f.field)).toEqual([
      'metadata.aegis_product_id',
      'metadata.note',
    ]);
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, n) => [`k${n}`, 'v']));
    expect(productMetadataFaults(fifty).map((f) => f.field)).toEqual(['metadata']);
  });
});

describe('pricingModelOf', () => {
  it('names the engine’s faults under the request field that holds the model', () => {
    const descending = pricingModelOf(
      {
        model: 'graduated',
        tiers: [
          { upTo: 1000, unitAmountDecimal: '10', flatAmount: 0 },
          { upTo: 500, unitAmountDecimal: '8', flatAmount: 0 },
          { upTo: null, unitAmountDecimal: '5', flatAmount: 0 },
        ],
      },
      'pricing',
    );
    expect(fieldsOf(descending)).toEqual(['pricing.tiers[1].up_to']);
    expect(fieldsOf(pricingModelOf({ model: 'per_unit', unitAmountDecimal: '1.5x' }, ''))).toEqual([
      'unit_amount_decimal',
    ]);
  });

  it('refuses the fields a model does not take', () => {
    const mixed = pricingModelOf(
      {
        model: 'per_unit',
        unitAmountDecimal: '10',
        tiers: [{ upTo: null, unitAmountDecimal: '1', flatAmount: 0 }],
        packageSize: 10,
      },
      'pricing',
    );
    expect(fieldsOf(mixed)).toEqual(['pricing.tiers', 'pricing.package']);
  });

  it('keeps only what the model takes, and maps back to the contract’s shape', () => {
    const checked = pricingModelOf(
      { model: 'package', packageSize: 100, packageAmount: 500, round: 'up' },
      'pricing',
    );
    expect(checked).toStrictEqual({
      value: { model: 'package', packageSize: 100, packageAmount: 500, round: 'up' },
    });
    if ('value' in checked)
      expect(pricingModelV1Of(checked.value)).toStrictEqual({
        model: 'package',
        packageSize: 100,
        packageAmount: 500,
        round: 'up',
      });
  });
});

describe('discountTermsOf', () => {
  it('takes exactly one of percent and amount, and an end after the start', () => {
    expect(discountTermsOf({ percentOff: '20' })).toStrictEqual({
      value: { discount: { percentOff: '20' }, startsAt: null, endsAt: null },
    });
    expect(fieldsOf(discountTermsOf({}))).toEqual(['percent_off']);
    expect(fieldsOf(discountTermsOf({ percentOff: '20', amountOff: 100 }))).toEqual([
      'percent_off',
    ]);
    expect(fieldsOf(discountTermsOf({ percentOff: '0' }))).toEqual(['percent_off']);
    expect(
      fieldsOf(
        discountTermsOf({
          amountOff: 100,
          startsAt: '2026-02-01T00:00:00.000Z',
          endsAt: '2026-02-01T00:00:00.000Z',
        }),
      ),
    ).toEqual(['ends_at']);
  });
});

describe('isInForce', () => {
  it('runs from the start, inclusive, to the end, exclusive', () => {
    const period = {
      startsAt: new Date('2026-01-01T00:00:00.000Z'),
      endsAt: new Date('2026-02-01T00:00:00.000Z'),
    };
    expect(isInForce(period, new Date('2025-12-31T23:59:59.999Z'))).toBe(false);
    expect(isInForce(period, new Date('2026-01-01T00:00:00.000Z'))).toBe(true);
    expect(isInForce(period, new Date('2026-02-01T00:00:00.000Z'))).toBe(false);
    expect(isInForce({ startsAt: null, endsAt: null }, new Date(0))).toBe(true);
  });
});

describe('nextChangeTime', () => {
  it('is now, or a millisecond after the previous change when the clock has not passed it', () => {
    const previous = new Date('2026-01-01T00:00:00.000Z');
    expect(nextChangeTime(previous, new Date('2026-01-01T00:00:01.000Z')).toISOString()).toBe(
      '2026-01-01T00:00:01.000Z',
    );
    expect(nextChangeTime(previous, previous).toISOString()).toBe('2026-01-01T00:00:00.001Z');
  });
});
