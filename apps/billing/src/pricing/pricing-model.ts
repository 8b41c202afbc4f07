/**
 * How a product's price is computed: the shapes the catalogue stores and the
 * pricing engine reads. Amounts are integer minor units of the price's
 * currency (cents, or whole yen for a zero-decimal currency); unit prices are
 * decimal strings of minor units with at most 12 decimal places, as Stripe's
 * `unit_amount_decimal`. See docs/pricing.md.
 */

/** How a package count is rounded: `up` bills a started package, `down` only full ones. */
export type Rounding = 'up' | 'down';

/**
 * One tier: the units up to and including `upTo` (after the previous tier's
 * `upTo`), each at `unitAmountDecimal`, plus `flatAmount` once for the tier.
 * `upTo: null` is the open-ended last tier (Stripe's `up_to: 'inf'`).
 */
export interface Tier {
  readonly upTo: number | null;
  readonly unitAmountDecimal: string;
  readonly flatAmount: number;
}

export type PricingModel =
  | { readonly model: 'per_unit'; readonly unitAmountDecimal: string }
  | { readonly model: 'graduated' | 'volume'; readonly tiers: readonly Tier[] }
  | {
      readonly model: 'package';
      readonly packageSize: number;
      readonly packageAmount: number;
      readonly round: Rounding;
    };

export type PricingModelName = PricingModel['model'];

export const PRICING_MODEL_NAMES: readonly PricingModelName[] = [
  'per_unit',
  'graduated',
  'volume',
  'package',
];

/** Exactly one of the two: a percentage such as "20" or "12.5", or a fixed amount in minor units. */
export interface Discount {
  readonly percentOff?: string;
  readonly amountOff?: number;
}

/** What one tier contributed to a tiered price. */
export interface TierLine {
  readonly upTo: number | null;
  readonly quantity: number;
  readonly amount: number;
}

export interface PriceBreakdown {
  /** The line's total in minor units, rounded once. */
  readonly subtotal: number;
  /**
   * What one unit effectively cost: subtotal / quantity, a decimal string of
   * minor units rounded half up to 12 decimal places (for display; money is
   * never computed from it). For quantity 0, the price of the first unit.
   */
  readonly unitPrice: string;
  /** Graduated: one line per tier reached; volume: the one tier billed; otherwise empty. */
  readonly tiers: readonly TierLine[];
}

/** A rule a pricing model or discount breaks, naming the field as the public API spells it. */
export interface PricingFieldError {
  field: string;
  message: string;
}
