import { describe, expect, it } from '@jest/globals';
import { TRANSACTION_STATUSES, type PaymentStatusV1 } from '@aegis/contracts';
import { paymentStatusResourceOf } from './payment-status-resources.js';

const status: PaymentStatusV1 = {
  provider: { reachable: false, latencyMs: 2.5, mode: 'live', circuit: 'open', error: 'down' },
  transactionCounts: TRANSACTION_STATUSES.map((name, index) => ({ status: name, count: index })),
  revenue: [
    {
      currency: 'eur',
      grossCents: 100,
      refundedCents: 0,
      disputedCents: 0,
      disputeFeesCents: 0,
      netCents: 100,
      transactionCount: 1,
    },
    {
      currency: 'usd',
      grossCents: 900,
      refundedCents: 300,
      disputedCents: 200,
      disputeFeesCents: 15,
      netCents: 385,
      transactionCount: 2,
    },
  ],
  activeSubscriptions: null,
  subscriptionsError: 'no reply',
  checkedAt: '2026-12-02T16:00:00.000Z',
};

describe(paymentStatusResourceOf.name, () => {
  it('answers billing’s status in the public API’s shape: health flat, counts by status with their total, revenue by currency', () => {
    expect(paymentStatusResourceOf(status)).toStrictEqual({
      object: 'payment_status',
      provider: 'stripe',
      reachable: false,
      latency_ms: 2.5,
      mode: 'live',
      circuit: 'open',
      provider_error: 'down',
      transactions: {
        total: 21,
        by_status: {
          pending: 0,
          processing: 1,
          succeeded: 2,
          failed: 3,
          refunded: 4,
          partially_refunded: 5,
          cancelled: 6,
        },
      },
      revenue: {
        eur: {
          gross_cents: 100,
          refunded_cents: 0,
          disputed_cents: 0,
          dispute_fees_cents: 0,
          net_cents: 100,
          transaction_count: 1,
        },
        usd: {
          gross_cents: 900,
          refunded_cents: 300,
          disputed_cents: 200,
          dispute_fees_cents: 15,
          net_cents: 385,
          transaction_count: 2,
        },
      },
      active_subscriptions: null,
      subscriptions_error: 'no reply',
      checked_at: '2026-12-02T16:00:00.000Z',
    });
  });
});
