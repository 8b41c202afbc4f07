import { describe, expect, it } from '@jest/globals';
import type { PaymentStatusResourceV1 } from '@aegis/contracts';
import { FakeEnvironment } from '../../test/fake-environment.js';
import { runCli } from '../cli.js';

const healthy: PaymentStatusResourceV1 = {
  object: 'payment_status',
  provider: 'stripe',
  reachable: true,
  latency_ms: 3.2,
  mode: 'sandbox',
  circuit: 'closed',
  provider_error: null,
  transactions: {
    total: 3,
    by_status: {
      pending: 0,
      processing: 0,
      succeeded: 2,
      failed: 0,
      refunded: 0,
      partially_refunded: 1,
      cancelled: 0,
    },
  },
  revenue: {
    usd: {
      gross_cents: 5000,
      refunded_cents: 700,
      disputed_cents: 1000,
      dispute_fees_cents: 1500,
      net_cents: 1800,
      transaction_count: 2,
    },
    eur: {
      gross_cents: 1500,
      refunded_cents: 0,
      disputed_cents: 0,
      dispute_fees_cents: 0,
      net_cents: 1500,
      transaction_count: 1,
    },
  },
  active_subscriptions: 2,
  subscriptions_error: null,
  checked_at: '2026-12-02T16:00:00.000Z',
};

describe('aegis status', () => {
  it('asks the gateway for the payment status and prints the provider, its breaker, the counts and the revenue (exit 0)', async () => {
    const environment = new FakeEnvironment().reply(200, healthy);
    expect(await runCli(['status'], environment)).toBe(0);
    expect(environment.request).toMatchObject({
      method: 'GET',
      url: 'http://127.0.0.1:3000/api/v1/payment/status',
    });
    expect(environment.out).toStrictEqual([
      'payments: ok',
      'provider              stripe (sandbox)',
      'reachable             yes (3.2 ms)',
      'circuit               closed (writes go to Stripe)',
      'active subscriptions  2',
      'transactions          3',
      'checked at            2026-12-02T16:00:00.000Z',
      '  STATUS              COUNT',
      '  succeeded           2',
      '  partially_refunded  1',
      'revenue (minor units, cents)',
      '  CURRENCY  GROSS  REFUNDED  DISPUTED  DISPUTE FEES  NET   CHARGES',
      '  eur       1500   0         0         0             1500  1',
      '  usd       5000   700       1000      1500          1800  2',
    ]);
  });

  it('exits 1 when Stripe is unreachable or the breaker is not closed, saying why; --json prints the answer as is', async () => {
    const down: PaymentStatusResourceV1 = {
      ...healthy,
      reachable: false,
      latency_ms: 1.5,
      provider_error: 'connect ECONNREFUSED 127.0.0.1:12111',
      circuit: 'open',
      active_subscriptions: null,
      subscriptions_error: 'no reply within 3000 ms',
      transactions: { total: 0, by_status: {} },
      revenue: {},
    };
    const environment = new FakeEnvironment().reply(200, down);
    expect(await runCli(['status'], environment)).toBe(1);
    expect(environment.out).toStrictEqual([
      'payments: degraded',
      'provider              stripe (sandbox)',
      'reachable             no (1.5 ms): connect ECONNREFUSED 127.0.0.1:12111',
      'circuit               open (writes to Stripe are refused with 503 until it tries again)',
      'active subscriptions  unknown: no reply within 3000 ms',
      'transactions          0',
      'checked at            2026-12-02T16:00:00.000Z',
      'revenue: none',
    ]);

    const halfOpen = new FakeEnvironment().reply(200, { ...healthy, circuit: 'half_open' });
    expect(await runCli(['status', '--json'], halfOpen)).toBe(1);
    expect(JSON.parse(halfOpen.out.join('\n'))).toStrictEqual({ ...healthy, circuit: 'half_open' });
  });

  it('reports the gateway’s refusal (a customer key: 403) with exit 1', async () => {
    const environment = new FakeEnvironment().reply(403, {
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
      detail: 'an admin key is required',
    });
    expect(await runCli(['status'], environment)).toBe(1);
    expect(environment.err.join('\n')).toMatch(/403/);
  });
});
