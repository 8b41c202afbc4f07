import type Stripe from 'stripe';

/** The currency a Stripe account with no payments yet shows its zero balance in. */
export const DEFAULT_BALANCE_CURRENCY = 'usd';

/** Dispute statuses in which the disputed amount has been withdrawn from the balance. */
const WITHDRAWN: readonly Stripe.Dispute.Status[] = ['needs_response', 'under_review', 'lost'];

/** What the balance is computed from: the sandbox's charges and disputes. */
export interface BalanceSources {
  readonly charges: readonly Pick<
    Stripe.Charge,
    'amount' | 'amount_refunded' | 'captured' | 'currency' | 'status'
  >[];
  readonly disputes: readonly Pick<Stripe.Dispute, 'amount' | 'currency' | 'status'>[];
}

function add(totals: Map<string, number>, currency: string, amount: number): void {
  totals.set(currency, (totals.get(currency) ?? 0) + amount);
}

/**
 * The account's balance as Stripe's Balance object shows it, derived from the
 * sandbox's own payments. Rules (docs/stripe-sandbox.md "Balance"):
 * - a captured, succeeded charge adds what is left of it: `amount` less
 *   `amount_refunded` (which, as at Stripe, counts both refunds and the
 *   uncaptured part released by a partial capture);
 * - a dispute takes its amount out while it is open (`needs_response`,
 *   `under_review`) or `lost`, and gives it back when `won`; inquiries
 *   (`warning_*`) move no money;
 * - everything is `available` at once: the sandbox has no payout schedule,
 *   so `pending` is always zero; and no fees are taken (no balance
 *   transactions);
 * - one entry per currency that has any charge, in alphabetical order; an
 *   account with none shows zero in usd, as a new Stripe account does.
 * Amounts may be negative (a dispute can take out more than is left).
 */
export function balanceOf(sources: BalanceSources): Stripe.Balance {
  const available = new Map<string, number>();
  for (const charge of sources.charges) {
    if (charge.status !== 'succeeded' || !charge.captured) {
      available.set(charge.currency, available.get(charge.currency) ?? 0);
      continue;
    }
    add(available, charge.currency, charge.amount - charge.amount_refunded);
  }
  for (const dispute of sources.disputes) {
    if (WITHDRAWN.includes(dispute.status)) add(available, dispute.currency, -dispute.amount);
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
