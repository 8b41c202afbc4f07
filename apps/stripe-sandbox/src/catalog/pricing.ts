import type Stripe from 'stripe';

/**
 * The amount, in integer minor units, that `quantity` units of `price` cost.
 * STUB: the catalog work replaces this with per-unit, graduated and volume
 * tiers and `unit_amount_decimal`, in exact decimal arithmetic.
 */
export function amountForQuantity(price: Stripe.Price, quantity: number): number {
  return (price.unit_amount ?? 0) * quantity;
}
