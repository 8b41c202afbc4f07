import { describe, expect, it } from '@jest/globals';
import {
  stripePriceParamsOf,
  stripeProductChangeOf,
  stripeProductParamsOf,
} from './stripe-catalog-params.js';

/** Stripe's Decimal values as their text, so params compare by value. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('stripePriceParamsOf', () => {
  it('prices per unit with unit_amount_decimal, one-time', () => {
    expect(
      plain(
        stripePriceParamsOf({ model: 'per_unit', unitAmountDecimal: '0.125' }, 'usd', 'prod_1'),
      ),
    ).toStrictEqual({ currency: 'usd', product: 'prod_1', unit_amount_decimal: '0.125' });
  });

  it('prices a package as its amount per package, dividing and rounding the quantity', () => {
    expect(
      plain(
        stripePriceParamsOf(
          { model: 'package', packageSize: 100, packageAmount: 500, round: 'down' },
          'jpy',
          'prod_1',
        ),
      ),
    ).toStrictEqual({
      currency: 'jpy',
      product: 'prod_1',
      unit_amount: 500,
      transform_quantity: { divide_by: 100, round: 'down' },
    });
  });

  it('prices tiers as a recurring licensed tiered price, the open-ended tier up to inf', () => {
    expect(
      plain(
        stripePriceParamsOf(
          {
            model: 'volume',
            tiers: [
              { upTo: 1000, unitAmountDecimal: '10', flatAmount: 0 },
              { upTo: null, unitAmountDecimal: '8.5', flatAmount: 2500 },
            ],
          },
          'eur',
          'prod_1',
        ),
      ),
    ).toStrictEqual({
      currency: 'eur',
      product: 'prod_1',
      billing_scheme: 'tiered',
      tiers_mode: 'volume',
      recurring: { interval: 'month', usage_type: 'licensed' },
      tiers: [
        { up_to: 1000, unit_amount_decimal: '10', flat_amount: 0 },
        { up_to: 'inf', unit_amount_decimal: '8.5', flat_amount: 2500 },
      ],
    });
  });
});

describe('stripe product parameters', () => {
  const product = {
    name: 'GEOINT report',
    description: null,
    unitLabel: 'report',
    metadata: { format: 'pdf', delivery_time: '48h' },
  };

  it('leaves out the texts a product does not have', () => {
    expect(stripeProductParamsOf(product)).toStrictEqual({
      name: 'GEOINT report',
      unit_label: 'report',
      metadata: { format: 'pdf', delivery_time: '48h' },
    });
  });

  it('sends what changed, unsets an emptied text, and removes the metadata keys dropped', () => {
    expect(
      stripeProductChangeOf(product, {
        ...product,
        description: 'Imagery analysis',
        unitLabel: null,
        metadata: { format: 'geojson' },
      }),
    ).toStrictEqual({
      description: 'Imagery analysis',
      unit_label: '',
      metadata: { format: 'geojson', delivery_time: '' },
    });
  });
});
