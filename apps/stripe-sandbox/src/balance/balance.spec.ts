import { describe, expect, it } from '@jest/globals';
import type Stripe from 'stripe';
import { balanceOf, type BalanceSources } from './balance.js';

type Transaction = BalanceSources['transactions'][number];

const usd = (amount: number): Transaction => ({ amount, currency: 'usd' });
const charged = { currency: 'usd' } as const;

const available = (sources: BalanceSources): Record<string, number> =>
  Object.fromEntries(balanceOf(sources).available.map((entry) => [entry.currency, entry.amount]));

describe(balanceOf.name, () => {
  it('adds up the balance transactions: a dispute’s withdrawal takes its amount out, a won dispute’s reinstatement gives it back', () => {
    const charges = [charged];
    // A 5000 charge, disputed for 2000 (open, under review or lost: the withdrawal only).
    expect(available({ charges, transactions: [usd(5000), usd(-2000)] })).toStrictEqual({
      usd: 3000,
    });
    // Won: the reinstatement follows.
    expect(available({ charges, transactions: [usd(5000), usd(-2000), usd(2000)] })).toStrictEqual({
      usd: 5000,
    });
    // An inquiry moves no money, so it has no transaction.
    expect(available({ charges, transactions: [usd(5000)] })).toStrictEqual({ usd: 5000 });
  });

  it('may go below zero, as a Stripe balance may', () => {
    // A 1000 charge refunded in full, then disputed and lost.
    expect(
      available({ charges: [charged], transactions: [usd(1000), usd(-1000), usd(-1000)] }),
    ).toStrictEqual({ usd: -1000 });
  });

  it('adds each transaction’s amount, not its net: Stripe’s fees stay on the transactions', () => {
    const withFee: Pick<Stripe.BalanceTransaction, 'amount' | 'currency' | 'fee' | 'net'> = {
      amount: 2000,
      currency: 'usd',
      fee: 88,
      net: 1912,
    };
    expect(available({ charges: [charged], transactions: [withFee] })).toStrictEqual({
      usd: 2000,
    });
  });

  it('lists the currency of a failed or uncaptured charge (no transaction) at zero; pending is always zero', () => {
    const balance = balanceOf({
      charges: [{ currency: 'eur' }, { currency: 'gbp' }, { currency: 'jpy' }],
      transactions: [{ amount: 300, currency: 'jpy' }],
    });
    expect(balance.available).toStrictEqual([
      { amount: 0, currency: 'eur', source_types: { card: 0 } },
      { amount: 0, currency: 'gbp', source_types: { card: 0 } },
      { amount: 300, currency: 'jpy', source_types: { card: 300 } },
    ]);
    expect(balance.pending.map((entry) => entry.amount)).toStrictEqual([0, 0, 0]);
  });

  it('shows a new account zero in usd', () => {
    expect(balanceOf({ charges: [], transactions: [] }).available).toStrictEqual([
      { amount: 0, currency: 'usd', source_types: { card: 0 } },
    ]);
  });
});
