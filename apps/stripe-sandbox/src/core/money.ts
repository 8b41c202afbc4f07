import Stripe from 'stripe';
import type { Params } from './params.js';
import { StripeApiError, invalidRequest, parameterMissing } from './stripe-error.js';

/** Stripe's zero-decimal currencies: amounts are whole units (¥500 is `500`). */
const ZERO_DECIMAL_CURRENCIES = new Set([
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

/** Stripe's three-decimal currencies. */
const THREE_DECIMAL_CURRENCIES = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

/** Stripe's minimum charge amounts, in minor units, for the currencies it publishes them for. */
const MINIMUM_CHARGE_AMOUNTS: Readonly<Record<string, number>> = {
  usd: 50,
  aed: 200,
  aud: 50,
  bgn: 100,
  brl: 50,
  cad: 50,
  chf: 50,
  czk: 1500,
  dkk: 250,
  eur: 50,
  gbp: 30,
  hkd: 400,
  huf: 17500,
  inr: 50,
  jpy: 50,
  mxn: 1000,
  myr: 200,
  nok: 300,
  nzd: 50,
  pln: 200,
  ron: 200,
  sek: 300,
  sgd: 50,
  thb: 1000,
};

/** Stripe's amounts have at most eight digits ($999,999.99). */
export const MAXIMUM_CHARGE_AMOUNT = 99_999_999;

const ISO_CURRENCIES = new Set(
  Intl.supportedValuesOf('currency').map((code) => code.toLowerCase()),
);

/** How many minor-unit digits an amount in the currency has, as Stripe counts them. */
export function minorUnitDigits(currency: string): number {
  if (ZERO_DECIMAL_CURRENCIES.has(currency)) return 0;
  if (THREE_DECIMAL_CURRENCIES.has(currency)) return 3;
  return 2;
}

/**
 * An amount in minor units as Stripe writes it in messages and descriptions:
 * `$20.00`, `€0.50`, `¥500`, and a fractional unit price exactly (`$0.125`).
 */
export function formatAmount(minorUnits: number | Stripe.Decimal, currency: string): string {
  const code = currency.toLowerCase();
  const digits = minorUnitDigits(code);
  const major = Stripe.Decimal.from(String(minorUnits)).div(
    Stripe.Decimal.from(10 ** digits),
    digits + 12,
    'half-even',
  );
  // Intl formats a decimal string exactly; a number would go through a float.
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: code.toUpperCase(),
    minimumFractionDigits: digits,
    maximumFractionDigits: digits + 12,
  }).format(major.toString() as `${number}`);
}

export function isCurrency(currency: string): boolean {
  return ISO_CURRENCIES.has(currency);
}

/** A required three-letter currency parameter, lower-cased as Stripe stores it. */
export function readCurrency(params: Params, name = 'currency'): string {
  const value = params.string(name);
  if (value === undefined || value === '') throw parameterMissing(params.path(name));
  const currency = value.toLowerCase();
  if (!isCurrency(currency)) {
    throw invalidRequest(
      `Invalid currency: ${value}. Stripe currently supports these currencies: ${[...ISO_CURRENCIES].join(', ')}`,
      params.path(name),
    );
  }
  return currency;
}

/** Stripe's minimum and maximum for the amount of a payment. */
export function checkChargeAmount(amount: number, currency: string, param = 'amount'): void {
  const minimum = MINIMUM_CHARGE_AMOUNTS[currency] ?? 1;
  if (amount < minimum) {
    throw new StripeApiError(400, {
      type: 'invalid_request_error',
      code: 'amount_too_small',
      param,
      message: `Amount must be at least ${formatAmount(minimum, currency)} ${currency}`,
      doc_url: 'https://stripe.com/docs/error-codes/amount-too-small',
    });
  }
  if (amount > MAXIMUM_CHARGE_AMOUNT) {
    throw new StripeApiError(400, {
      type: 'invalid_request_error',
      code: 'amount_too_large',
      param,
      message: `Amount must be no more than ${formatAmount(MAXIMUM_CHARGE_AMOUNT, currency)}`,
      doc_url: 'https://stripe.com/docs/error-codes/amount-too-large',
    });
  }
}
