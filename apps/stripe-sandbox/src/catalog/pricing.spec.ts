import { describe, it, expect } from '@jest/globals';
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
    expect(amountForQuantity(perUnit(2000, '2000'), 3)).toBe(6000);
    expect(amountForQuantity(perUnit(2000, '2000'), 0)).toBe(0);
  });

  it('prefers the exact unit_amount_decimal', () => {
    expect(amountForQuantity(perUnit(null, '0.125'), 8)).toBe(1);
    expect(amountForQuantity(perUnit(null, '0.125'), 1_000_000)).toBe(125_000);
  });

  it('rounds the line total once, half up, never each unit', () => {
    // 3 × 0.5 = 1.5 → 2; rounding each unit first would give 3.
    expect(amountForQuantity(decimalPrice('0.5'), 3)).toBe(2);
    // 1 × 0.375 = 0.375 → 0 and 4 × 0.125 = 0.5 → 1 (a tie goes up).
    expect(amountForQuantity(decimalPrice('0.375'), 1)).toBe(0);
    expect(amountForQuantity(decimalPrice('0.125'), 4)).toBe(1);
    // Half up, not half even: 2.5 → 3.
    expect(amountForQuantity(decimalPrice('2.5'), 1)).toBe(3);
    expect(amountForQuantity(decimalPrice('0.125'), 3)).toBe(0);
  });

  it('sums a fractional unit price over a large quantity without drift', () => {
    const price = decimalPrice('0.333333333333');
    expect(exactAmountForQuantity(price, 1_000_003).toString()).toBe('333334.333332999999');
    expect(amountForQuantity(price, 1_000_003)).toBe(333_334);
    // 0.1 cannot be a binary float: 10,000,000 × 0.1 is exactly 1,000,000.
    expect(exactAmountForQuantity(decimalPrice('0.1'), 10_000_000).toString()).toBe('1000000');
    expect(amountForQuantity(decimalPrice('0.000000000001'), 499_999_999_999)).toBe(0);
    expect(amountForQuantity(decimalPrice('0.000000000001'), 500_000_000_000)).toBe(1);
  });

  it('reads decimals that came back from JSON as strings', () => {
    const stored = throughJson(decimalPrice('0.125'));
    expect(typeof stored.unit_amount_decimal).toBe('string');
    expect(amountForQuantity(stored, 1_000_000)).toBe(125_000);
  });

  it('refuses a quantity that is not a non-negative integer', () => {
    expect(() => amountForQuantity(perUnit(100, '100'), -1)).toThrow(RangeError);
    expect(() => amountForQuantity(perUnit(100, '100'), 1.5)).toThrow(RangeError);
  });
});

describe('amountForQuantity: transform_quantity', () => {
  const packsOfTen = (round: 'up' | 'down'): Stripe.Price => ({
    ...perUnit(1000, '1000'),
    transform_quantity: { divide_by: 10, round },
  });

  it('divides the quantity, rounding up', () => {
    expect(billedQuantity(packsOfTen('up'), 11)).toBe(2);
    expect(billedQuantity(packsOfTen('up'), 20)).toBe(2);
    expect(billedQuantity(packsOfTen('up'), 0)).toBe(0);
    expect(amountForQuantity(packsOfTen('up'), 11)).toBe(2000);
    expect(amountForQuantity(packsOfTen('up'), 1)).toBe(1000);
  });

  it('divides the quantity, rounding down', () => {
    expect(billedQuantity(packsOfTen('down'), 19)).toBe(1);
    expect(amountForQuantity(packsOfTen('down'), 19)).toBe(1000);
    expect(amountForQuantity(packsOfTen('down'), 9)).toBe(0);
    expect(amountForQuantity(packsOfTen('down'), 30)).toBe(3000);
  });
});

describe('amountForQuantity: graduated tiers', () => {
  const price = tiered('graduated', TIERS);

  it('charges each tier its own units plus the flat amount of each tier reached', () => {
    expect(amountForQuantity(price, 1)).toBe(500 + 1000);
    expect(amountForQuantity(price, 5)).toBe(5 * 500 + 1000);
    expect(amountForQuantity(price, 6)).toBe(5 * 500 + 1000 + 400 + 500);
    expect(amountForQuantity(price, 10)).toBe(5 * 500 + 1000 + 5 * 400 + 500);
    expect(amountForQuantity(price, 11)).toBe(5 * 500 + 1000 + 5 * 400 + 500 + 300);
    expect(amountForQuantity(price, 100)).toBe(5 * 500 + 1000 + 5 * 400 + 500 + 90 * 300);
  });

  it('charges the first tier flat amount as a base fee, even for zero units', () => {
    expect(amountForQuantity(price, 0)).toBe(1000);
  });

  it('sums fractional tier prices exactly and rounds the total once', () => {
    const fractional = tiered('graduated', [
      { upTo: 1, unitDecimal: '0.4' },
      { upTo: null, unitDecimal: '0.2' },
    ]);
    // 0.4 + 0.2 = 0.6 → 1; rounding each tier first would give 0 + 0.
    expect(amountForQuantity(fractional, 2)).toBe(1);
    expect(exactAmountForQuantity(fractional, 1_000_000).toString()).toBe('200000.2');
    expect(amountForQuantity(throughJson(fractional), 1_000_000)).toBe(200_000);
  });

  it('adds decimal flat amounts', () => {
    const flatOnly = tiered('graduated', [
      { upTo: 2, flatDecimal: '100' },
      { upTo: null, unit: 10, flatDecimal: '50' },
    ]);
    expect(amountForQuantity(flatOnly, 2)).toBe(100);
    expect(amountForQuantity(flatOnly, 3)).toBe(100 + 10 + 50);
  });
});

describe('amountForQuantity: volume tiers', () => {
  const price = tiered('volume', TIERS);

  it('charges every unit at the tier the total falls in, plus that tier flat amount', () => {
    expect(amountForQuantity(price, 0)).toBe(1000);
    expect(amountForQuantity(price, 5)).toBe(5 * 500 + 1000);
    expect(amountForQuantity(price, 6)).toBe(6 * 400 + 500);
    expect(amountForQuantity(price, 10)).toBe(10 * 400 + 500);
    expect(amountForQuantity(price, 11)).toBe(11 * 300);
  });

  it('differs from graduated on the same tiers past the first boundary', () => {
    const graduated = tiered('graduated', TIERS);
    expect(amountForQuantity(price, 5)).toBe(amountForQuantity(graduated, 5));
    expect(amountForQuantity(price, 11)).toBe(3300);
    expect(amountForQuantity(graduated, 11)).toBe(6300);
  });

  it('rounds a fractional volume price once', () => {
    const fractional = tiered('volume', [
      { upTo: 10, unitDecimal: '0.15' },
      { upTo: null, unitDecimal: '0.05' },
    ]);
    expect(amountForQuantity(fractional, 10)).toBe(2);
    expect(amountForQuantity(fractional, 11)).toBe(1);
    expect(amountForQuantity(fractional, 9)).toBe(1);
  });
});
