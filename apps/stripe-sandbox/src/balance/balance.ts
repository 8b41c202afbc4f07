import type Stripe from 'stripe';

/** The currency a Stripe account with no payments yet shows its zero balance in. */
export const DEFAULT_BALANCE_CURRENCY = 'usd';

/** What the balance is computed from: the balance transactions, and the charges' currencies. */
export interface BalanceSources {
  readonly transactions: readonly Pick<Stripe.BalanceTransaction, 'amount' | 'currency'>[];
  /** Every charge, so that a currency charged only by failed or uncaptured charges is listed. */
  readonly charges: readonly Pick<Stripe.Charge, 'currency'>[];
}

/**
 * The account's balance as Stripe's Balance object shows it, from the
 * sandbox's balance transactions, its one record of money moving
 * (docs/stripe-sandbox.md "Balance"):
 * - each currency's `available` is the sum of its transactions' `amount`:
 *   charges as captured, less refunds (and plus refunds that failed), less
 *   what disputes withdrew and plus what won ones gave back. Stripe's fees
 *   are on the transactions (`fee`, `net`) but not taken from this balance,
 *   which so stays what a ledger of charges less refunds shows;
 * - every transaction is available at once (the sandbox has no payout
 *   schedule), so `pending` is always zero;
 * - one entry per currency that has any charge or transaction, in
 *   alphabetical order; an account with none shows zero in usd, as a new
 *   Stripe account does.
 * Amounts may be negative (a dispute can take out more than is left).
 */
export function balanceOf(sources: BalanceSources): Stripe.Balance {
  const available = new Map<string, number>();
  for (const charge of sources.charges) available.set(charge.currency, 0);
  for (const transaction of sources.transactions) {
    available.set(
      transaction.currency,
      (available.get(transaction.currency) ?? 0) + transaction.amount,
    );
  }
  if (available.size === 0) available.set(DEFAULT_BALANCE_CURRENCY, 0);
  const currencies = [...available.keys()].sort();
  return {
    object: 'balance',
    available: currencies.map((currency) => {
      const amount = available.get(currency) ?? 0;
      return { amount, currency, source_types: { card: amount } };
    }),
    livemode: false,
    pending: currencies.map((currency) => ({ amount: 0, currency, source_types: { card: 0 } })),
  };
}
