import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { thrownBy } from '@aegis/testing';
import {
  applyDiscount,
  priceQuantity,
  priceValue,
  PricingInputError,
  validateDiscount,
  validatePricingModel,
} from './pricing-engine.js';
import type { PricingModel, Tier } from './pricing-model.js';

const tier = (upTo: number | null, unitAmountDecimal: string, flatAmount = 0): Tier => ({
  upTo,
  unitAmountDecimal,
  flatAmount,
});

const perUnit = (unitAmountDecimal: string): PricingModel => ({
  model: 'per_unit',
  unitAmountDecimal,
});

/** The seed's graduated tiers: up to 1000 at 10, up to 10000 at 8, then 5. */
const SEED_TIERS: readonly Tier[] = [tier(1000, '10'), tier(10_000, '8'), tier(null, '5')];

// 1–5 at 500 plus 1000 flat, 6–10 at 400 plus 500 flat, 11 and up at 300.
const FLAT_TIERS: readonly Tier[] = [tier(5, '500', 1000), tier(10, '400', 500), tier(null, '300')];

describe('the seed examples', () => {
  it('prices 1000 api_call at 10 at 10000', () => {
    expect(priceQuantity(perUnit('10'), 1000, 'usd')).toEqual({
      subtotal: 10_000,
      unitPrice: '10',
      tiers: [],
    });
  });

  it("prices 5000 calls on the seed's graduated tiers at 42000", () => {
    expect(priceQuantity({ model: 'graduated', tiers: SEED_TIERS }, 5000, 'usd')).toEqual({
      subtotal: 42_000,
      unitPrice: '8.4',
      tiers: [
        { upTo: 1000, quantity: 1000, amount: 10_000 },
        { upTo: 10_000, quantity: 4000, amount: 32_000 },
      ],
    });
  });

  it('takes a 20 % discount off 1000 calls at 10: 8000, discount applied 2000', () => {
    const { subtotal } = priceQuantity(perUnit('10'), 1000, 'usd');
    expect(applyDiscount(subtotal, { percentOff: '20' })).toEqual({
      amount: 8000,
      discountApplied: 2000,
    });
  });
});

describe('priceQuantity: per unit', () => {
  it('multiplies a fractional unit price exactly and rounds the line once, half up', () => {
    // 3 × 0.5 = 1.5 → 2; rounding each unit first would give 3.
    expect(priceQuantity(perUnit('0.5'), 3, 'usd').subtotal).toBe(2);
    // Stripe's own example: 30 × 0.05 = 1.5 → 2 cents.
    expect(priceQuantity(perUnit('0.05'), 30, 'usd').subtotal).toBe(2);
    // A tie goes up (away from zero), not to even: 2.5 → 3.
    expect(priceQuantity(perUnit('2.5'), 1, 'usd').subtotal).toBe(3);
    expect(priceQuantity(perUnit('0.125'), 3, 'usd').subtotal).toBe(0);
    expect(priceQuantity(perUnit('0.125'), 4, 'usd').subtotal).toBe(1);
  });

  it('keeps twelve decimal places without drift over large quantities', () => {
    expect(priceQuantity(perUnit('0.1'), 10_000_000, 'usd').subtotal).toBe(1_000_000);
    expect(priceQuantity(perUnit('0.333333333333'), 1_000_003, 'usd').subtotal).toBe(333_334);
    expect(priceQuantity(perUnit('0.000000000001'), 499_999_999_999, 'usd').subtotal).toBe(0);
    expect(priceQuantity(perUnit('0.000000000001'), 500_000_000_000, 'usd').subtotal).toBe(1);
  });

  it('reports the effective unit price as subtotal / quantity, at most 12 decimal places', () => {
    expect(priceQuantity(perUnit('0.5'), 3, 'usd').unitPrice).toBe('0.666666666667');
    expect(priceQuantity(perUnit('0.000000000001'), 0, 'usd').unitPrice).toBe('0.000000000001');
    expect(priceQuantity(perUnit('7'), 0, 'usd')).toEqual({
      subtotal: 0,
      unitPrice: '7',
      tiers: [],
    });
  });

  it('refuses a total beyond the largest safe integer instead of rounding it', () => {
    thrownBy(() => priceQuantity(perUnit('2'), Number.MAX_SAFE_INTEGER, 'usd'), RangeError);
    expect(priceQuantity(perUnit('1'), Number.MAX_SAFE_INTEGER, 'usd').subtotal).toBe(
      Number.MAX_SAFE_INTEGER,
    );
  });

  it('refuses a quantity that is not a non-negative safe integer, and a malformed currency', () => {
    for (const quantity of [-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1]) {
      thrownBy(() => priceQuantity(perUnit('1'), quantity, 'usd'), RangeError);
    }
    thrownBy(() => priceQuantity(perUnit('1'), 1, 'dollars'), RangeError);
  });
});

describe('priceQuantity: zero-decimal currencies', () => {
  it('treats amounts as whole yen: never multiplied by 100, a line still rounds once', () => {
    expect(priceQuantity(perUnit('500'), 3, 'jpy').subtotal).toBe(1500);
    expect(priceQuantity(perUnit('0.5'), 3, 'JPY').subtotal).toBe(2);
    expect(priceQuantity({ model: 'graduated', tiers: SEED_TIERS }, 5000, 'krw').subtotal).toBe(
      42_000,
    );
  });
});

describe('priceQuantity: graduated tiers', () => {
  const graduated: PricingModel = { model: 'graduated', tiers: FLAT_TIERS };

  it("charges each tier's units at its price plus the flat amount of each tier reached", () => {
    expect(priceQuantity(graduated, 1, 'usd').subtotal).toBe(500 + 1000);
    expect(priceQuantity(graduated, 5, 'usd').subtotal).toBe(5 * 500 + 1000);
    expect(priceQuantity(graduated, 6, 'usd').subtotal).toBe(5 * 500 + 1000 + 400 + 500);
    expect(priceQuantity(graduated, 11, 'usd').subtotal).toBe(2500 + 1000 + 2000 + 500 + 300);
  });

  it("charges the first tier's flat amount at quantity 0, as a base fee", () => {
    expect(priceQuantity(graduated, 0, 'usd')).toEqual({
      subtotal: 1000,
      unitPrice: '500',
      tiers: [{ upTo: 5, quantity: 0, amount: 1000 }],
    });
  });

  it('sums fractional tier prices exactly, rounds the total once, and its lines add up to it', () => {
    const fractional: PricingModel = {
      model: 'graduated',
      tiers: [tier(1, '0.4'), tier(2, '0.4'), tier(null, '0.4')],
    };
    // 0.4 + 0.4 + 0.4 = 1.2 → 1; rounding each tier would give 0.
    const { subtotal, tiers } = priceQuantity(fractional, 3, 'usd');
    expect(subtotal).toBe(1);
    expect(tiers.map((line) => line.amount)).toEqual([0, 1, 0]);
    expect(tiers.reduce((sum, line) => sum + line.amount, 0)).toBe(subtotal);
  });
});

describe('priceQuantity: volume tiers', () => {
  const volume: PricingModel = { model: 'volume', tiers: FLAT_TIERS };

  it('charges every unit at the tier the total falls in, plus that tier flat amount', () => {
    expect(priceQuantity(volume, 5, 'usd').subtotal).toBe(5 * 500 + 1000);
    expect(priceQuantity(volume, 6, 'usd')).toEqual({
      subtotal: 6 * 400 + 500,
      unitPrice: '483.333333333333',
      tiers: [{ upTo: 10, quantity: 6, amount: 2900 }],
    });
    expect(priceQuantity(volume, 11, 'usd').subtotal).toBe(11 * 300);
  });

  it("falls in the first tier at quantity 0, so charges that tier's flat amount", () => {
    expect(priceQuantity(volume, 0, 'usd').subtotal).toBe(1000);
  });

  it('rounds a fractional volume price once', () => {
    const fractional: PricingModel = {
      model: 'volume',
      tiers: [tier(10, '0.15'), tier(null, '0.05')],
    };
    expect(priceQuantity(fractional, 10, 'usd').subtotal).toBe(2);
    expect(priceQuantity(fractional, 11, 'usd').subtotal).toBe(1);
  });
});

describe('priceQuantity: package', () => {
  const packsOfTen = (round: 'up' | 'down'): PricingModel => ({
    model: 'package',
    packageSize: 10,
    packageAmount: 1000,
    round,
  });

  it('bills a started package when rounding up', () => {
    expect(priceQuantity(packsOfTen('up'), 0, 'usd').subtotal).toBe(0);
    expect(priceQuantity(packsOfTen('up'), 1, 'usd').subtotal).toBe(1000);
    expect(priceQuantity(packsOfTen('up'), 11, 'usd').subtotal).toBe(2000);
    expect(priceQuantity(packsOfTen('up'), 20, 'usd').subtotal).toBe(2000);
  });

  it('bills only full packages when rounding down', () => {
    expect(priceQuantity(packsOfTen('down'), 9, 'usd').subtotal).toBe(0);
    expect(priceQuantity(packsOfTen('down'), 19, 'usd').subtotal).toBe(1000);
    expect(priceQuantity(packsOfTen('down'), 30, 'usd')).toEqual({
      subtotal: 3000,
      unitPrice: '100',
      tiers: [],
    });
  });

  it('divides a quantity near 2^53 exactly, with no binary float in the way', () => {
    const packsOfThree: PricingModel = {
      model: 'package',
      packageSize: 3,
      packageAmount: 1,
      round: 'up',
    };
    // 9007199254740991 = 3 × 3002399751580330 + 1.
    expect(priceQuantity(packsOfThree, Number.MAX_SAFE_INTEGER, 'usd').subtotal).toBe(
      3_002_399_751_580_331,
    );
  });
});

describe('validatePricingModel', () => {
  it('accepts valid models of every kind', () => {
    expect(validatePricingModel(perUnit('0.000000000001'))).toEqual([]);
    expect(validatePricingModel({ model: 'graduated', tiers: SEED_TIERS })).toEqual([]);
    expect(validatePricingModel({ model: 'volume', tiers: FLAT_TIERS })).toEqual([]);
    expect(
      validatePricingModel({ model: 'package', packageSize: 1, packageAmount: 0, round: 'down' }),
    ).toEqual([]);
  });

  it('names a negative, non-numeric or too precise unit price', () => {
    for (const price of ['-1', 'ten', '0.0000000000001', '1e3', '', ' 1']) {
      expect(validatePricingModel(perUnit(price)).map((error) => error.field)).toEqual([
        'unit_amount_decimal',
      ]);
    }
  });

  it('names tiers that do not ascend, an open tier before the last, and a closed last tier', () => {
    const fields = (tiers: readonly Tier[]): string[] =>
      validatePricingModel({ model: 'graduated', tiers }).map((error) => error.field);
    expect(fields([tier(10, '1'), tier(10, '1'), tier(null, '1')])).toEqual(['tiers[1].up_to']);
    expect(fields([tier(10, '1'), tier(5, '1'), tier(null, '1')])).toEqual(['tiers[1].up_to']);
    expect(fields([tier(null, '1'), tier(null, '1')])).toEqual(['tiers[0].up_to']);
    expect(fields([tier(10, '1'), tier(20, '1')])).toEqual(['tiers[1].up_to']);
    expect(fields([tier(0, '1'), tier(null, '1')])).toEqual(['tiers[0].up_to']);
    expect(fields([tier(10, '-1', -5), tier(null, '1', 1.5)])).toEqual([
      'tiers[0].unit_amount_decimal',
      'tiers[0].flat_amount_cents',
      'tiers[1].flat_amount_cents',
    ]);
    expect(fields([tier(null, '1')])).toEqual(['tiers']);
    expect(fields([])).toEqual(['tiers']);
  });

  it('names a package size below 1, a negative price and an unknown rounding', () => {
    const errors = validatePricingModel({
      model: 'package',
      packageSize: 0,
      packageAmount: -1,
      round: 'nearest' as 'up',
    });
    expect(errors.map((error) => error.field)).toEqual([
      'package.size',
      'package.price_cents',
      'package.round',
    ]);
  });

  it('names an unknown model', () => {
    const unknown = { model: 'banded', unitAmountDecimal: '1' } as unknown as PricingModel;
    expect(validatePricingModel(unknown).map((error) => error.field)).toEqual(['model']);
  });

  it('is what priceQuantity refuses an invalid model with', () => {
    const error = thrownBy(() => priceQuantity(perUnit('-1'), 1, 'usd'), PricingInputError);
    expect(error.errors.map((each) => each.field)).toEqual(['unit_amount_decimal']);
  });
});

describe('applyDiscount', () => {
  it('leaves the subtotal alone without a discount', () => {
    expect(applyDiscount(1234, null)).toEqual({ amount: 1234, discountApplied: 0 });
  });

  it('rounds a percent discount once, half up, to a minor unit', () => {
    // 12.5 % of 101 = 12.625 → 13.
    expect(applyDiscount(101, { percentOff: '12.5' })).toEqual({ amount: 88, discountApplied: 13 });
    // 20 % of 599 = 119.8 → 120.
    expect(applyDiscount(599, { percentOff: '20' })).toEqual({ amount: 479, discountApplied: 120 });
    // 50 % of 5 = 2.5 → 3 (a tie goes up).
    expect(applyDiscount(5, { percentOff: '50' })).toEqual({ amount: 2, discountApplied: 3 });
    expect(applyDiscount(999, { percentOff: '100' })).toEqual({ amount: 0, discountApplied: 999 });
  });

  it('never goes below zero: a fixed discount is capped at the subtotal', () => {
    expect(applyDiscount(500, { amountOff: 200 })).toEqual({ amount: 300, discountApplied: 200 });
    expect(applyDiscount(500, { amountOff: 800 })).toEqual({ amount: 0, discountApplied: 500 });
    expect(applyDiscount(0, { percentOff: '20' })).toEqual({ amount: 0, discountApplied: 0 });
  });

  it('refuses both or neither kind, an out-of-range percentage and a non-positive amount', () => {
    expect(validateDiscount({ percentOff: '10', amountOff: 5 }).map((e) => e.field)).toEqual([
      'percent_off',
    ]);
    expect(validateDiscount({}).map((e) => e.field)).toEqual(['percent_off']);
    for (const percentOff of ['0', '100.5', '-5', 'half']) {
      expect(validateDiscount({ percentOff }).map((e) => e.field)).toEqual(['percent_off']);
    }
    for (const amountOff of [0, -1, 2.5]) {
      expect(validateDiscount({ amountOff }).map((e) => e.field)).toEqual(['amount_off_cents']);
    }
    thrownBy(() => applyDiscount(100, { amountOff: 0 }), PricingInputError);
    thrownBy(() => applyDiscount(-1, null), RangeError);
  });
});

describe('priceValue: metered values as exact decimal text', () => {
  const models: readonly PricingModel[] = [
    perUnit('0.125'),
    { model: 'graduated', tiers: FLAT_TIERS },
    { model: 'volume', tiers: SEED_TIERS },
    { model: 'package', packageSize: 100, packageAmount: 250, round: 'up' },
  ];

  it('prices a whole value exactly as priceQuantity prices the same quantity', () => {
    fc.assert(
      fc.property(fc.constantFrom(...models), fc.integer({ min: 0, max: 50_000 }), (model, n) => {
        const byQuantity = priceQuantity(model, n, 'usd');
        const byValue = priceValue(model, String(n), 'usd');
        expect(byValue.subtotal).toBe(byQuantity.subtotal);
        expect(byValue.unitPrice).toBe(byQuantity.unitPrice);
        expect(byValue.tiers.map((line) => ({ ...line, quantity: Number(line.quantity) }))).toEqual(
          byQuantity.tiers,
        );
      }),
    );
  });

  it('prices a fractional value across tier bounds exactly, rounding once', () => {
    // 5 units at 500 + 1000 flat, then 2.5 units at 400 + 500 flat: 3500 + 1500.
    expect(priceValue({ model: 'graduated', tiers: FLAT_TIERS }, '7.5', 'usd')).toEqual({
      subtotal: 5000,
      unitPrice: '666.666666666667',
      tiers: [
        { upTo: 5, quantity: '5', amount: 3500 },
        { upTo: 10, quantity: '2.5', amount: 1500 },
      ],
    });
    // 0.1 + 0.2 of a unit at 10: exactly 3, never 3.0000000000000004.
    expect(priceValue(perUnit('10'), '0.3', 'usd').subtotal).toBe(3);
    // A started package is billed when rounding up.
    expect(
      priceValue(
        { model: 'package', packageSize: 100, packageAmount: 250, round: 'up' },
        '100.5',
        'usd',
      ).subtotal,
    ).toBe(500);
  });

  it('refuses a value that is not non-negative decimal text', () => {
    for (const value of ['-1', '1e3', '', '1.', 'NaN']) {
      expect(thrownBy(() => priceValue(perUnit('1'), value, 'usd'), RangeError).message).toContain(
        'value must be non-negative decimal text',
      );
    }
  });
});
