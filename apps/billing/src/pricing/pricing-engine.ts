import { Decimal } from 'decimal.js';
import { normalizedCurrency } from './currency.js';
import type {
  Discount,
  PriceBreakdown,
  PricingFieldError,
  PricingModel,
  Tier,
} from './pricing-model.js';
import { PRICING_MODEL_NAMES } from './pricing-model.js';

/**
 * Exact decimal arithmetic for money. Inputs are bounded (safe-integer
 * quantities and amounts, prices below 2^53 with at most 12 decimal places),
 * so every product and sum here has well under 100 significant digits and
 * nothing is rounded except where a rounding is written out. Plain notation
 * always, never "1e-12".
 */
const Exact = Decimal.clone({
  precision: 100,
  rounding: Decimal.ROUND_HALF_UP,
  toExpNeg: -9e15,
  toExpPos: 9e15,
});
type Exact = InstanceType<typeof Exact>;

/** Stripe's `unit_amount_decimal` keeps at most 12 decimal places. */
export const MAX_UNIT_PRICE_DECIMAL_PLACES = 12;

const UNIT_PRICE = /^\d+(\.\d{1,12})?$/;
const PERCENT = /^\d+(\.\d{1,12})?$/;
const MAX_SAFE = new Exact(Number.MAX_SAFE_INTEGER);

/** A pricing model or discount that breaks its rules: every broken rule, by field. */
export class PricingInputError extends Error {
  constructor(readonly errors: readonly PricingFieldError[]) {
    super(errors.map((error) => `${error.field}: ${error.message}`).join('; '));
    this.name = 'PricingInputError';
  }
}

/**
 * The exact total rounded ONCE to a whole minor unit, half up (ties away from
 * zero; amounts here are never negative), which is how Stripe rounds a line
 * priced with `unit_amount_decimal` (docs/pricing.md, "Rounding").
 */
function roundToMinorUnit(exact: Exact): number {
  const rounded = exact.toDecimalPlaces(0, Exact.ROUND_HALF_UP);
  if (rounded.greaterThan(MAX_SAFE)) {
    throw new RangeError(
      `the amount ${rounded.toString()} exceeds the largest amount that can be represented exactly (${Number.MAX_SAFE_INTEGER})`,
    );
  }
  return rounded.toNumber();
}

function isSafeCount(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
}

function unitPriceError(field: string, value: unknown): PricingFieldError | null {
  if (typeof value !== 'string' || !UNIT_PRICE.test(value)) {
    return {
      field,
      message: `must be a non-negative decimal string with at most ${MAX_UNIT_PRICE_DECIMAL_PLACES} decimal places, such as "10" or "0.125"`,
    };
  }
  if (new Exact(value).greaterThan(MAX_SAFE)) {
    return { field, message: `must be at most ${Number.MAX_SAFE_INTEGER}` };
  }
  return null;
}

function amountError(field: string, value: unknown): PricingFieldError | null {
  return isSafeCount(value, 0)
    ? null
    : { field, message: 'must be a non-negative integer amount in minor units' };
}

function tiersErrors(tiers: unknown): PricingFieldError[] {
  if (!Array.isArray(tiers) || tiers.length < 2) {
    return [
      {
        field: 'tiers',
        message:
          'a tiered price needs at least two tiers, the last one open-ended (up_to null); use per_unit for a single price',
      },
    ];
  }
  const errors: PricingFieldError[] = [];
  let previousUpTo = 0;
  for (const [index, tier] of (tiers as readonly Partial<Tier>[]).entries()) {
    const path = `tiers[${index}]`;
    const isLast = index === tiers.length - 1;
    const upTo = tier.upTo;
    if (upTo === null || upTo === undefined) {
      if (!isLast) {
        errors.push({ field: `${path}.up_to`, message: 'only the last tier can be open-ended' });
      }
    } else if (isLast) {
      errors.push({
        field: `${path}.up_to`,
        message:
          'the last tier must be open-ended (up_to null), so that every quantity falls in a tier',
      });
    } else if (!isSafeCount(upTo, 1)) {
      errors.push({ field: `${path}.up_to`, message: 'must be a positive integer or null' });
    } else if (upTo <= previousUpTo) {
      errors.push({
        field: `${path}.up_to`,
        message: `tiers must ascend: ${upTo} is not above the previous tier's ${previousUpTo}`,
      });
    } else {
      previousUpTo = upTo;
    }
    const unitError = unitPriceError(`${path}.unit_amount_decimal`, tier.unitAmountDecimal);
    if (unitError !== null) errors.push(unitError);
    const flatError = amountError(`${path}.flat_amount_cents`, tier.flatAmount);
    if (flatError !== null) errors.push(flatError);
  }
  return errors;
}

/**
 * Every rule `model` breaks, naming fields as the public API spells them
 * (`unit_amount_decimal`, `tiers[1].up_to`, `tiers[0].flat_amount_cents`,
 * `package.size`, `package.price_cents`, `package.round`, `model`); `[]` when
 * it is valid. Tiered prices: at least two tiers, `upTo` strictly ascending
 * positive integers, only the last open-ended (as Stripe requires). Prices:
 * non-negative, at most 12 decimal places; amounts: non-negative safe
 * integers; package size at least 1.
 */
export function validatePricingModel(model: PricingModel): PricingFieldError[] {
  const given = model as { readonly model?: unknown };
  switch (model.model) {
    case 'per_unit': {
      const error = unitPriceError('unit_amount_decimal', model.unitAmountDecimal);
      return error === null ? [] : [error];
    }
    case 'graduated':
    case 'volume':
      return tiersErrors(model.tiers);
    case 'package': {
      const errors: PricingFieldError[] = [];
      if (!isSafeCount(model.packageSize, 1)) {
        errors.push({ field: 'package.size', message: 'must be a positive integer' });
      }
      const priceError = amountError('package.price_cents', model.packageAmount);
      if (priceError !== null) errors.push(priceError);
      const round: unknown = model.round;
      if (round !== 'up' && round !== 'down') {
        errors.push({ field: 'package.round', message: 'must be up or down' });
      }
      return errors;
    }
    default:
      return [
        {
          field: 'model',
          message: `must be one of ${PRICING_MODEL_NAMES.join(', ')}, not ${JSON.stringify(given.model)}`,
        },
      ];
  }
}

function checkQuantity(quantity: number): void {
  if (!isSafeCount(quantity, 0)) {
    throw new RangeError(`quantity must be a non-negative safe integer, not ${String(quantity)}`);
  }
}

/** A tier's share of an exact quantity, before it is turned into a TierLine. */
interface ExactTierLine {
  readonly upTo: number | null;
  readonly quantity: Exact;
  readonly amount: number;
}

/** The exact amount and the tier lines of a graduated price. */
function graduated(
  tiers: readonly Tier[],
  quantity: Exact,
): { exact: Exact; lines: ExactTierLine[] } {
  let exact = new Exact(0);
  let roundedSoFar = 0;
  let lowerBound = new Exact(0);
  const lines: ExactTierLine[] = [];
  for (const [index, tier] of tiers.entries()) {
    // The first tier is always reached: its flat amount is a base fee, even at quantity 0.
    if (index > 0 && quantity.lessThanOrEqualTo(lowerBound)) break;
    const upper = tier.upTo === null ? quantity : Exact.min(quantity, tier.upTo);
    const units = upper.minus(lowerBound);
    exact = exact.plus(new Exact(tier.unitAmountDecimal).times(units)).plus(tier.flatAmount);
    // Each line is the step of the rounded running total, so the lines add up to the subtotal.
    const rounded = roundToMinorUnit(exact);
    lines.push({ upTo: tier.upTo, quantity: units, amount: rounded - roundedSoFar });
    roundedSoFar = rounded;
    if (tier.upTo === null) break;
    lowerBound = new Exact(tier.upTo);
  }
  return { exact, lines };
}

function volumeTier(tiers: readonly Tier[], quantity: Exact): Tier {
  const tier = tiers.find(
    (candidate) => candidate.upTo === null || quantity.lessThanOrEqualTo(candidate.upTo),
  );
  if (tier === undefined) throw new PricingInputError(tiersErrors(tiers));
  return tier;
}

/** What one unit costs at a model's first rate: the unit price quoted for quantity 0. */
function firstUnitPrice(model: PricingModel): Exact {
  switch (model.model) {
    case 'per_unit':
      return new Exact(model.unitAmountDecimal);
    case 'graduated':
    case 'volume':
      return new Exact(model.tiers[0]?.unitAmountDecimal ?? 0);
    case 'package':
      return new Exact(model.packageAmount).dividedBy(model.packageSize);
  }
}

/** At most 12 decimal places, half up: a unit price for display, never used to compute money. */
function decimalString(value: Exact): string {
  return value.toDecimalPlaces(MAX_UNIT_PRICE_DECIMAL_PLACES, Exact.ROUND_HALF_UP).toString();
}

function checkModelAndCurrency(model: PricingModel, currency: string): void {
  const errors = validatePricingModel(model);
  if (errors.length > 0) throw new PricingInputError(errors);
  if (normalizedCurrency(currency) === null) {
    throw new RangeError(
      `currency must be a three-letter ISO code, not ${JSON.stringify(currency)}`,
    );
  }
}

/** The pricing of an exact, checked quantity: the one computation behind both entry points. */
function priceExact(
  model: PricingModel,
  quantity: Exact,
): { subtotal: number; unitPrice: string; lines: ExactTierLine[] } {
  let exact: Exact;
  let lines: ExactTierLine[] = [];
  switch (model.model) {
    case 'per_unit':
      exact = new Exact(model.unitAmountDecimal).times(quantity);
      break;
    case 'graduated':
      ({ exact, lines } = graduated(model.tiers, quantity));
      break;
    case 'volume': {
      const tier = volumeTier(model.tiers, quantity);
      exact = new Exact(tier.unitAmountDecimal).times(quantity).plus(tier.flatAmount);
      lines = [{ upTo: tier.upTo, quantity, amount: roundToMinorUnit(exact) }];
      break;
    }
    case 'package': {
      // Stripe's transform_quantity: divide, round to whole packages, then price each package.
      const packages = quantity
        .dividedBy(model.packageSize)
        .toDecimalPlaces(0, model.round === 'up' ? Exact.ROUND_CEIL : Exact.ROUND_FLOOR);
      exact = packages.times(model.packageAmount);
      break;
    }
  }
  const subtotal = roundToMinorUnit(exact);
  const unitPrice = quantity.isZero()
    ? firstUnitPrice(model)
    : new Exact(subtotal).dividedBy(quantity);
  return { subtotal, unitPrice: decimalString(unitPrice), lines };
}

/**
 * What `quantity` units cost under `model`, in minor units of `currency`
 * (whole units for a zero-decimal currency such as JPY; the arithmetic is the
 * same). The line's total is computed exactly and rounded once, half up, to
 * a whole minor unit, as Stripe computes an invoice line for the same Price
 * (docs/pricing.md). Throws `PricingInputError` for an invalid model,
 * `RangeError` for a quantity that is not a non-negative safe integer, a
 * currency that is not a three-letter code, or a total beyond 2^53 - 1.
 */
export function priceQuantity(
  model: PricingModel,
  quantity: number,
  currency: string,
): PriceBreakdown {
  checkModelAndCurrency(model, currency);
  checkQuantity(quantity);
  const { subtotal, unitPrice, lines } = priceExact(model, new Exact(quantity));
  return {
    subtotal,
    unitPrice,
    tiers: lines.map((line) => ({ ...line, quantity: line.quantity.toNumber() })),
  };
}

/** Exact non-negative decimal text, as metering reports a period's value ("1500", "12.5"). */
const DECIMAL_VALUE = /^\d+(\.\d+)?$/;

/**
 * What a metered value costs under `model`: `priceQuantity` for a quantity
 * given as exact decimal text, which may be fractional ("12.5" GB-hours).
 * Tier bounds compare exactly; a package count rounds as the model says.
 * Tier lines carry their quantities as decimal text.
 */
export function priceValue(
  model: PricingModel,
  value: string,
  currency: string,
): {
  readonly subtotal: number;
  readonly unitPrice: string;
  readonly tiers: readonly { upTo: number | null; quantity: string; amount: number }[];
} {
  checkModelAndCurrency(model, currency);
  if (!DECIMAL_VALUE.test(value)) {
    throw new RangeError(`value must be non-negative decimal text, not ${JSON.stringify(value)}`);
  }
  const { subtotal, unitPrice, lines } = priceExact(model, new Exact(value));
  return {
    subtotal,
    unitPrice,
    tiers: lines.map((line) => ({ ...line, quantity: line.quantity.toString() })),
  };
}

/**
 * Every rule `discount` breaks (fields `percent_off`, `amount_off_cents`),
 * `[]` when valid: exactly one of a percentage above 0 and at most 100 (at
 * most 12 decimal places) or a positive integer amount.
 */
export function validateDiscount(discount: Discount): PricingFieldError[] {
  const { percentOff, amountOff } = discount;
  if ((percentOff === undefined) === (amountOff === undefined)) {
    return [
      { field: 'percent_off', message: 'give exactly one of percent_off and amount_off_cents' },
    ];
  }
  if (percentOff !== undefined) {
    const valid =
      typeof percentOff === 'string' &&
      PERCENT.test(percentOff) &&
      new Exact(percentOff).greaterThan(0) &&
      new Exact(percentOff).lessThanOrEqualTo(100);
    return valid
      ? []
      : [
          {
            field: 'percent_off',
            message: 'must be a decimal string above 0 and at most 100, such as "20" or "12.5"',
          },
        ];
  }
  return isSafeCount(amountOff, 1)
    ? []
    : [{ field: 'amount_off_cents', message: 'must be a positive integer amount in minor units' }];
}

/**
 * A discount applied after tiering, to the line's rounded subtotal: a
 * percentage takes `subtotal × percentOff / 100` rounded once, half up, to a
 * minor unit; a fixed amount takes itself. Never below zero: the discount is
 * capped at the subtotal, and `discountApplied` is what it actually took.
 */
export function applyDiscount(
  subtotal: number,
  discount: Discount | null,
): { readonly amount: number; readonly discountApplied: number } {
  if (!isSafeCount(subtotal, 0)) {
    throw new RangeError(`subtotal must be a non-negative safe integer, not ${String(subtotal)}`);
  }
  if (discount === null) return { amount: subtotal, discountApplied: 0 };
  const errors = validateDiscount(discount);
  if (errors.length > 0) throw new PricingInputError(errors);
  const wanted =
    discount.percentOff !== undefined
      ? roundToMinorUnit(new Exact(subtotal).times(discount.percentOff).dividedBy(100))
      : (discount.amountOff ?? 0);
  const discountApplied = Math.min(wanted, subtotal);
  return { amount: subtotal - discountApplied, discountApplied };
}
