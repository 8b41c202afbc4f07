import { describe, expect, it } from '@jest/globals';
import { balanceOf, type BalanceSources } from './balance.js';

type Charge = BalanceSources['charges'][number];
type Dispute = BalanceSources['disputes'][number];

const charge = (amount: number, overrides: Partial<Charge> = {}): Charge => ({
  amount,
  amount_refunded: 0,
  captured: true,
  currency: 'usd',
  status: 'succeeded',
  ...overrides,
});

const dispute = (amount: number, status: Dispute['status']): Dispute => ({
  amount,
  currency: 'usd',
  status,
});

const available = (sources: BalanceSources): Record<string, number> =>
  Object.fromEntries(balanceOf(sources).available.map((entry) => [entry.currency, entry.amount]));

describe(balanceOf.name, () => {
  it('takes a dispute’s amount out while it is open or lost, gives it back when won, and moves nothing for an inquiry', () => {
    const charges = [charge(5000)];
    expect(available({ charges, disputes: [dispute(2000, 'needs_response')] })).toStrictEqual({
      usd: 3000,
    });
    expect(available({ charges, disputes: [dispute(2000, 'under_review')] })).toStrictEqual({
      usd: 3000,
    });
    expect(available({ charges, disputes: [dispute(2000, 'lost')] })).toStrictEqual({ usd: 3000 });
    expect(available({ charges, disputes: [dispute(2000, 'won')] })).toStrictEqual({ usd: 5000 });
    for (const inquiry of [
      'warning_needs_response',
      'warning_under_review',
      'warning_closed',
    ] as const)
      expect(available({ charges, disputes: [dispute(2000, inquiry)] })).toStrictEqual({
        usd: 5000,
      });
  });

  it('may go below zero, as a Stripe balance may', () => {
    expect(
      available({
        charges: [charge(1000, { amount_refunded: 1000 })],
        disputes: [dispute(1000, 'lost')],
      }),
    ).toStrictEqual({ usd: -1000 });
  });

  it('adds nothing for a failed or uncaptured charge but lists its currency; pending is always zero', () => {
    const balance = balanceOf({
      charges: [
        charge(700, { status: 'failed', currency: 'eur' }),
        charge(900, { captured: false, currency: 'gbp' }),
        charge(300, { currency: 'jpy' }),
      ],
      disputes: [],
    });
    expect(balance.available).toStrictEqual([
      { amount: 0, currency: 'eur', source_types: { card: 0 } },
      { amount: 0, currency: 'gbp', source_types: { card: 0 } },
      { amount: 300, currency: 'jpy', source_types: { card: 300 } },
    ]);
    expect(balance.pending.map((entry) => entry.amount)).toStrictEqual([0, 0, 0]);
  });
});
