import { describe, expect, it } from '@jest/globals';
import type Stripe from 'stripe';
import { SandboxStore } from '../store/sandbox-store.js';
import { BalanceTransactionsService } from './balance-transactions.service.js';

/** The fields the backfill reads, as a sandbox from before balance transactions stored them. */
function oldCharge(id: string, overrides: Partial<Stripe.Charge> = {}): Stripe.Charge {
  return {
    id,
    object: 'charge',
    amount: 2000,
    amount_captured: 2000,
    balance_transaction: null,
    captured: true,
    created: 1_700_000_000,
    currency: 'usd',
    description: null,
    status: 'succeeded',
    ...overrides,
  } as Stripe.Charge;
}

function oldRefund(id: string, overrides: Partial<Stripe.Refund> = {}): Stripe.Refund {
  return {
    id,
    object: 'refund',
    amount: 500,
    balance_transaction: null,
    charge: 'ch_paid',
    created: 1_700_000_100,
    currency: 'usd',
    destination_details: { card: { type: 'refund' }, type: 'card' },
    status: 'succeeded',
    ...overrides,
  } as Stripe.Refund;
}

const embedded: Stripe.BalanceTransaction = {
  id: 'txn_embedded',
  object: 'balance_transaction',
  amount: -2000,
  available_on: 1_700_000_200,
  balance_type: 'payments',
  created: 1_700_000_200,
  currency: 'usd',
  description: 'Chargeback withdrawal for ch_paid',
  exchange_rate: null,
  fee: 1500,
  fee_details: [],
  net: -3500,
  reporting_category: 'dispute',
  source: 'dp_old',
  status: 'available',
  type: 'adjustment',
};

describe(BalanceTransactionsService.name, () => {
  it('backfills state kept from before balance transactions: a dispute’s embedded ones move to the store, charges and refunds get theirs, once', () => {
    const store = new SandboxStore();
    store.load(
      [
        { id: 'ch_paid', kind: 'charge' as const, value: oldCharge('ch_paid') },
        {
          id: 'ch_declined',
          kind: 'charge' as const,
          value: oldCharge('ch_declined', { status: 'failed', amount_captured: 0 }),
        },
        {
          id: 'ch_authorized',
          kind: 'charge' as const,
          value: oldCharge('ch_authorized', { captured: false, amount_captured: 0 }),
        },
        { id: 're_refund', kind: 'refund' as const, value: oldRefund('re_refund') },
        {
          id: 're_release',
          kind: 'refund' as const,
          value: oldRefund('re_release', {
            destination_details: { card: { type: 'reversal' }, type: 'card' },
          }),
        },
        {
          id: 're_failed',
          kind: 'refund' as const,
          value: oldRefund('re_failed', { status: 'failed', amount: 300 }),
        },
        {
          id: 'dp_old',
          kind: 'dispute' as const,
          value: {
            id: 'dp_old',
            object: 'dispute',
            balance_transactions: [embedded],
          } as Stripe.Dispute,
        },
      ].map((row, index) => ({ ...row, seq: index + 1 })),
    );
    const transactions = new BalanceTransactionsService(store);

    expect(transactions.backfill()).toBe(5);
    const charge = store.get('charge', 'ch_paid', 'charge');
    const chargeTransaction = transactions.get(charge.balance_transaction as string);
    expect(chargeTransaction).toMatchObject({
      amount: 2000,
      fee: 88,
      net: 1912,
      created: 1_700_000_000,
      source: 'ch_paid',
      type: 'charge',
    });
    expect(store.get('charge', 'ch_declined', 'charge').balance_transaction).toBe(null);
    expect(store.get('charge', 'ch_authorized', 'charge').balance_transaction).toBe(null);
    expect(store.get('refund', 're_release', 'refund').balance_transaction).toBe(null);
    const refund = store.get('refund', 're_refund', 'refund');
    expect(transactions.get(refund.balance_transaction as string)).toMatchObject({
      amount: -500,
      type: 'refund',
    });
    const failed = store.get('refund', 're_failed', 'refund');
    expect(
      transactions
        .ofSource('re_failed')
        .map((transaction) => [transaction.type, transaction.amount]),
    ).toStrictEqual([
      ['refund', -300],
      ['refund_failure', 300],
    ]);
    expect(failed.failure_balance_transaction).toBe(transactions.ofSource('re_failed')[1]?.id);

    const dispute = store.get('dispute', 'dp_old', 'dispute');
    expect(dispute.balance_transactions).toStrictEqual([]);
    expect(transactions.get('txn_embedded')).toStrictEqual(embedded);
    expect(transactions.presentDispute(dispute).balance_transactions).toStrictEqual([embedded]);

    expect(transactions.backfill()).toBe(0);
    expect(transactions.all()).toHaveLength(5);
  });
});
