/**
 * Currencies as Stripe's API counts their minor units
 * (https://docs.stripe.com/currencies). Every amount the pricing engine
 * handles is already in these units, so the arithmetic is the same for every
 * currency: for a zero-decimal currency the minor unit is the whole unit
 * (500 is ¥500, never ¥5.00), and a line still rounds once to an integer.
 */

/** Stripe's zero-decimal currencies: amounts are whole units, never multiplied by 100. */
export const ZERO_DECIMAL_CURRENCIES: ReadonlySet<string> = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'ugx',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
]);

/** Stripe's three-decimal currencies (its payments also want the last digit 0; that is a payment rule, not a pricing one). */
export const THREE_DECIMAL_CURRENCIES: ReadonlySet<string> = new Set([
  'bhd',
  'jod',
  'kwd',
  'omr',
  'tnd',
]);

/** A three-letter ISO 4217 code, any case, as lower case (Stripe's spelling); null when it is not one. */
export function normalizedCurrency(currency: string): string | null {
  return /^[a-zA-Z]{3}$/.test(currency) ? currency.toLowerCase() : null;
}

export function isZeroDecimalCurrency(currency: string): boolean {
  return ZERO_DECIMAL_CURRENCIES.has(currency.toLowerCase());
}

/**
 * How many decimal places one major unit has in Stripe's amounts: 0 for
 * JPY, 3 for KWD, 2 otherwise (ISK, HUF and TWD included: Stripe takes their
 * amounts with two decimals for backwards compatibility). For display only.
 */
export function minorUnitDecimals(currency: string): 0 | 2 | 3 {
  const code = currency.toLowerCase();
  if (ZERO_DECIMAL_CURRENCIES.has(code)) return 0;
  if (THREE_DECIMAL_CURRENCIES.has(code)) return 3;
  return 2;
}
