import Stripe from 'stripe';

/**
 * A decimal field of a stored object as the SDK's exact `Decimal`. Stored
 * objects travel as JSON (persistence, snapshots), so a field typed `Decimal`
 * may hold its string form at run time; both convert the same way.
 */
export function exactDecimal(value: Stripe.Decimal | string | number): Stripe.Decimal {
  return Stripe.Decimal.from(String(value));
}

/** An amount given as an integer and its decimal twin, the decimal one winning when both are set. */
function exactAmount(integer: number | null, decimal: Stripe.Decimal | null): Stripe.Decimal {
  if (decimal !== null) return exactDecimal(decimal);
  return Stripe.Decimal.from(integer ?? 0);
}

/** The quantity a price bills: `transform_quantity` divides it, rounding up or down to a whole unit. */
export function billedQuantity(price: Stripe.Price, quantity: number): number {
  if (!Number.isSafeInteger(quantity) || quantity < 0) {
    throw new RangeError(`quantity must be a non-negative integer, not ${quantity}`);
  }
  const transform = price.transform_quantity;
  if (transform === null) return quantity;
  const divided = Stripe.Decimal.from(quantity).div(
    Stripe.Decimal.from(transform.divide_by),
    0,
    transform.round === 'up' ? 'ceil' : 'floor',
  );
  return Number(divided.toString());
}

function tierCost(tier: Stripe.Price.Tier, units: number): Stripe.Decimal {
  return exactAmount(tier.unit_amount, tier.unit_amount_decimal)
    .mul(Stripe.Decimal.from(units))
    .add(exactAmount(tier.flat_amount, tier.flat_amount_decimal));
}

/** Every unit at the price of the tier the whole quantity falls in, plus that tier's flat amount. */
function volumeCost(tiers: readonly Stripe.Price.Tier[], quantity: number): Stripe.Decimal {
  const tier = tiers.find((candidate) => candidate.up_to === null || quantity <= candidate.up_to);
  if (tier === undefined) throw new Error('a tiered price needs a last tier with up_to=inf');
  return tierCost(tier, quantity);
}

/**
 * Each tier's units at that tier's unit price, plus the flat amount of every
 * tier the quantity reaches. The first tier is always reached (its flat
 * amount is the base fee, charged even for zero units).
 */
function graduatedCost(tiers: readonly Stripe.Price.Tier[], quantity: number): Stripe.Decimal {
  let total = Stripe.Decimal.zero;
  let lowerBound = 0;
  for (const [index, tier] of tiers.entries()) {
    if (index > 0 && quantity <= lowerBound) break;
    const upperBound = tier.up_to ?? quantity;
    total = total.add(tierCost(tier, Math.max(0, Math.min(quantity, upperBound) - lowerBound)));
    lowerBound = upperBound;
  }
  return total;
}

/**
 * The exact, unrounded cost of `quantity` units of `price`, in minor units:
 * per unit (`unit_amount_decimal` when set, such as "0.125"), or tiered
 * (graduated or volume), after `transform_quantity`.
 */
export function exactAmountForQuantity(price: Stripe.Price, quantity: number): Stripe.Decimal {
  const units = billedQuantity(price, quantity);
  if (price.billing_scheme !== 'tiered') {
    return exactAmount(price.unit_amount, price.unit_amount_decimal).mul(
      Stripe.Decimal.from(units),
    );
  }
  const tiers = price.tiers ?? [];
  return price.tiers_mode === 'volume' ? volumeCost(tiers, units) : graduatedCost(tiers, units);
}

/**
 * The amount, in integer minor units, that `quantity` units of `price` cost.
 *
 * Rounding rule: the line's total is computed exactly (Stripe's `Decimal`,
 * no binary floating point), then rounded ONCE to a whole minor unit, half
 * up (ties away from zero). Unit prices are never rounded on their own, so
 * 1,000,000 units at "0.125" cost exactly 125000, and 3 units at "0.5" cost
 * 2 (1.5 rounded), not 3 (0.5 rounded three times).
 */
export function amountForQuantity(price: Stripe.Price, quantity: number): number {
  return Number(exactAmountForQuantity(price, quantity).toFixed(0, 'half-up'));
}
