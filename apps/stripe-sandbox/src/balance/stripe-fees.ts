/**
 * Stripe's fees as the sandbox takes them, in integer minor units of the
 * payment's currency (docs/stripe-sandbox.md "Balance transactions").
 */

/** Stripe's standard card pricing: 2.9% of the amount (in thousandths)… */
export const CARD_FEE_PER_MILLE = 29;
/** …plus 30 minor units (30 cents) per successful charge. */
export const CARD_FEE_FIXED = 30;
/** Stripe's dispute fee, in minor units of the disputed charge's currency. */
export const DISPUTE_FEE = 1500;

/**
 * The processing fee of a captured card charge of `amount` minor units:
 * 2.9% rounded to the nearest minor unit, halves up, plus 30. Exact integer
 * arithmetic: `floor((amount × 29 + 500) / 1000)` is 29/1000 of the amount
 * rounded half up, computed on integers only (exact for any amount below
 * 2^53 / 29). The same pricing is applied to every currency.
 */
export function cardProcessingFee(amount: number): number {
  if (!Number.isSafeInteger(amount) || amount < 0) {
    throw new RangeError(`A charge amount is a non-negative integer, not ${amount}`);
  }
  return Math.floor((amount * CARD_FEE_PER_MILLE + 500) / 1000) + CARD_FEE_FIXED;
}
