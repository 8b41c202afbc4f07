import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import { amountForQuantity, billedQuantity, exactAmountForQuantity } from './pricing.js';

function perUnit(unitAmount: number | null, unitAmountDecimal: string | null): Stripe.Price {
  return {
    id: 'price_test',
    object: 'price',
    active: true,
    billing_scheme: 'per_unit',
    created: 1_700_000_000,
    currency: 'usd',
    custom_unit_amount: null,
    livemode: false,
    lookup_key: null,
    metadata: {},
    nickname: null,
    product: 'prod_test',
    recurring: null,
    tax_behavior: 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: 'one_time',
    unit_amount: unitAmount,
    unit_amount_decimal: unitAmountDecimal === null ? null : Stripe.Decimal.from(unitAmountDecimal),
  };
}

function decimalPrice(unitAmountDecimal: string): Stripe.Price {
  return perUnit(null, unitAmountDecimal);
}

interface TierSpec {
  upTo: number | null;
  unit?: number;
  unitDecimal?: string;
  flat?: number;
  flatDecimal?: string;
}

function tiered(mode: 'graduated' | 'volume', specs: readonly TierSpec[]): Stripe.Price {
  return {
    ...perUnit(null, null),
    billing_scheme: 'tiered',
    recurring: {
      interval: 'month',
      interval_count: 1,
      meter: null,
      trial_period_days: null,
      usage_type: 'licensed',
    },
    type: 'recurring',
    tiers_mode: mode,
    tiers: specs.map((spec) => ({
      up_to: spec.upTo,
      unit_amount: spec.unit ?? null,
      unit_amount_decimal:
        spec.unitDecimal !== undefined
          ? Stripe.Decimal.from(spec.unitDecimal)
          : spec.unit === undefined
            ? null
            : Stripe.Decimal.from(spec.unit),
      flat_amount: spec.flat ?? null,
      flat_amount_decimal:
        spec.flatDecimal !== undefined
          ? Stripe.Decimal.from(spec.flatDecimal)
          : spec.flat === undefined
            ? null
            : Stripe.Decimal.from(spec.flat),
    })),
  };
}

/** A price as it is after a trip through JSON (persistence, snapshots): decimals are strings. */
function throughJson(price: Stripe.Price): Stripe.Price {
  return JSON.parse(JSON.stringify(price)) as Stripe.Price;
}

// 1–5 at 500 plus a 1000 flat fee, 6–10 at 400 plus 500 flat, 11 and up at 300.
const TIERS: readonly TierSpec[] = [
  { upTo: 5, unit: 500, flat: 1000 },
  { upTo: 10, unit: 400, flat: 500 },
  { upTo: null, unit: 300 },
];

describe('amountForQuantity: per unit', () => {
  it('multiplies an integer unit amount', () => {
    assert.equal(amountForQuantity(perUnit(2000, '2000'), 3), 6000);
    assert.equal(amountForQuantity(perUnit(2000, '2000'), 0), 0);
  });

  it('prefers the exact unit_amount_decimal', () => {
    assert.equal(amountForQuantity(perUnit(null, '0.125'), 8), 1);
    assert.equal(amountForQuantity(perUnit(null, '0.125'), 1_000_000), 125_000);
  });

  it('rounds the line total once, half up, never each unit', () => {
    // 3 × 0.5 = 1.5 → 2; rounding each unit first would give 3.
    assert.equal(amountForQuantity(decimalPrice('0.5'), 3), 2);
    // 1 × 0.375 = 0.375 → 0 and 4 × 0.125 = 0.5 → 1 (a tie goes up).
    assert.equal(amountForQuantity(decimalPrice('0.375'), 1), 0);
    assert.equal(amountForQuantity(decimalPrice('0.125'), 4), 1);
    // Half up, not half even: 2.5 → 3.
    assert.equal(amountForQuantity(decimalPrice('2.5'), 1), 3);
    assert.equal(amountForQuantity(decimalPrice('0.125'), 3), 0);
  });

  it('sums a fractional unit price over a large quantity without drift', () => {
    const price = decimalPrice('0.333333333333');
    assert.equal(exactAmountForQuantity(price, 1_000_003).toString(), '333334.333332999999');
    assert.equal(amountForQuantity(price, 1_000_003), 333_334);
    // 0.1 cannot be a binary float: 10,000,000 × 0.1 is exactly 1,000,000.
    assert.equal(exactAmountForQuantity(decimalPrice('0.1'), 10_000_000).toString(), '1000000');
    assert.equal(amountForQuantity(decimalPrice('0.000000000001'), 499_999_999_999), 0);
    assert.equal(amountForQuantity(decimalPrice('0.000000000001'), 500_000_000_000), 1);
  });

  it('reads decimals that came back from JSON as strings', () => {
    const stored = throughJson(decimalPrice('0.125'));
    assert.equal(typeof stored.unit_amount_decimal, 'string');
    assert.equal(amountForQuantity(stored, 1_000_000), 125_000);
  });

  it('refuses a quantity that is not a non-negative integer', () => {
    assert.throws(() => amountForQuantity(perUnit(100, '100'), -1), RangeError);
    assert.throws(() => amountForQuantity(perUnit(100, '100'), 1.5), RangeError);
  });
});

describe('amountForQuantity: transform_quantity', () => {
  const packsOfTen = (round: 'up' | 'down'): Stripe.Price => ({
    ...perUnit(1000, '1000'),
    transform_quantity: { divide_by: 10, round },
  });

  it('divides the quantity, rounding up', () => {
    assert.equal(billedQuantity(packsOfTen('up'), 11), 2);
    assert.equal(billedQuantity(packsOfTen('up'), 20), 2);
    assert.equal(billedQuantity(packsOfTen('up'), 0), 0);
    assert.equal(amountForQuantity(packsOfTen('up'), 11), 2000);
    assert.equal(amountForQuantity(packsOfTen('up'), 1), 1000);
  });

  it('divides the quantity, rounding down', () => {
    assert.equal(billedQuantity(packsOfTen('down'), 19), 1);
    assert.equal(amountForQuantity(packsOfTen('down'), 19), 1000);
    assert.equal(amountForQuantity(packsOfTen('down'), 9), 0);
    assert.equal(amountForQuantity(packsOfTen('down'), 30), 3000);
  });
});

describe('amountForQuantity: graduated tiers', () => {
  const price = tiered('graduated', TIERS);

  it('charges each tier its own units plus the flat amount of each tier reached', () => {
    assert.equal(amountForQuantity(price, 1), 500 + 1000);
    assert.equal(amountForQuantity(price, 5), 5 * 500 + 1000);
    assert.equal(amountForQuantity(price, 6), 5 * 500 + 1000 + 400 + 500);
    assert.equal(amountForQuantity(price, 10), 5 * 500 + 1000 + 5 * 400 + 500);
    assert.equal(amountForQuantity(price, 11), 5 * 500 + 1000 + 5 * 400 + 500 + 300);
    assert.equal(amountForQuantity(price, 100), 5 * 500 + 1000 + 5 * 400 + 500 + 90 * 300);
  });

  it('charges the first tier flat amount as a base fee, even for zero units', () => {
    assert.equal(amountForQuantity(price, 0), 1000);
  });

  it('sums fractional tier prices exactly and rounds the total once', () => {
    const fractional = tiered('graduated', [
      { upTo: 1, unitDecimal: '0.4' },
      { upTo: null, unitDecimal: '0.2' },
    ]);
    // 0.4 + 0.2 = 0.6 → 1; rounding each tier first would give 0 + 0.
    assert.equal(amountForQuantity(fractional, 2), 1);
    assert.equal(exactAmountForQuantity(fractional, 1_000_000).toString(), '200000.2');
    assert.equal(amountForQuantity(throughJson(fractional), 1_000_000), 200_000);
  });

  it('adds decimal flat amounts', () => {
    const flatOnly = tiered('graduated', [
      { upTo: 2, flatDecimal: '100' },
      { upTo: null, unit: 10, flatDecimal: '50' },
    ]);
    assert.equal(amountForQuantity(flatOnly, 2), 100);
    assert.equal(amountForQuantity(flatOnly, 3), 100 + 10 + 50);
  });
});

describe('amountForQuantity: volume tiers', () => {
  const price = tiered('volume', TIERS);

  it('charges every unit at the tier the total falls in, plus that tier flat amount', () => {
    assert.equal(amountForQuantity(price, 0), 1000);
    assert.equal(amountForQuantity(price, 5), 5 * 500 + 1000);
    assert.equal(amountForQuantity(price, 6), 6 * 400 + 500);
    assert.equal(amountForQuantity(price, 10), 10 * 400 + 500);
    assert.equal(amountForQuantity(price, 11), 11 * 300);
  });

  it('differs from graduated on the same tiers past the first boundary', () => {
    const graduated = tiered('graduated', TIERS);
    assert.equal(amountForQuantity(price, 5), amountForQuantity(graduated, 5));
    assert.equal(amountForQuantity(price, 11), 3300);
    assert.equal(amountForQuantity(graduated, 11), 6300);
  });

  it('rounds a fractional volume price once', () => {
    const fractional = tiered('volume', [
      { upTo: 10, unitDecimal: '0.15' },
      { upTo: null, unitDecimal: '0.05' },
    ]);
    assert.equal(amountForQuantity(fractional, 10), 2);
    assert.equal(amountForQuantity(fractional, 11), 1);
    assert.equal(amountForQuantity(fractional, 9), 1);
  });
});
