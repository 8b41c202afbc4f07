/**
 * Currencies as Stripe's API counts their minor units
 * (https://docs.stripe.com/currencies). Every amount the pricing engine
 * handles is already in these units, so the arithmetic is the same for every
 * currency: for a zero-decimal currency the minor unit is the whole unit
 * (500 is ¥500, never ¥5.00), and a line still rounds once to an integer.
 * The engine therefore needs no table of currencies' decimals.
 */

/** A three-letter ISO 4217 code, any case, as lower case (Stripe's spelling); null when it is not one. */
export function normalizedCurrency(currency: string): string | null {
  return /^[a-zA-Z]{3}$/.test(currency) ? currency.toLowerCase() : null;
}
