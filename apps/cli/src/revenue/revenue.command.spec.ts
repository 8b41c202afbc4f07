import { describe, expect, it } from '@jest/globals';
import type { MetricsResourceV1, RevenueResourceV1 } from '@aegis/contracts';
import { FakeEnvironment } from '../../test/fake-environment.js';
import { runCli } from '../cli.js';

const usd: RevenueResourceV1 = {
  total_cents: 206_345,
  transaction_count: 6,
  refunded_cents: 12_000,
  disputed_cents: 12_000,
  net_cents: 182_345,
  dispute_fees_cents: 3_000,
  currency: 'usd',
};

const metrics: MetricsResourceV1 = {
  mrr_cents: 31_000,
  arr_cents: 372_000,
  arpu_cents: 7_750,
  active_customers: 4,
  churn_rate: '0.333333',
  revenue_churn_rate: '0.680000',
  ltv_cents: 23_250,
  failed_payment_rate: '0.142857',
  mrr_movements: {
    new: 9_000,
    expansion: 10_000,
    contraction: 5_000,
    churned: 12_000,
    reactivated: 4_000,
  },
  usage_revenue_cents: 0,
  customers_at_period_start: 3,
  churned_customers: 1,
  mrr_at_period_start_cents: 25_000,
  failed_payments: 1,
  attempted_payments: 7,
  currency: 'usd',
  at: '2026-12-03T08:00:00.000Z',
  period_start: '2026-12-01T00:00:00.000Z',
  movements_from: '2026-12-01T00:00:00.000Z',
};

describe('aegis revenue and aegis metrics', () => {
  it('asks for the range’s revenue and prints one row per currency', async () => {
    const environment = new FakeEnvironment().reply(200, {
      by_currency: {
        usd,
        eur: {
          ...usd,
          total_cents: 1_500,
          transaction_count: 1,
          refunded_cents: 0,
          disputed_cents: 0,
          net_cents: 1_500,
          dispute_fees_cents: 0,
          currency: 'eur',
        },
      },
    });
    expect(
      await runCli(['revenue', '--from', '2026-12-01', '--to', '2026-12-31'], environment),
    ).toBe(0);
    expect(environment.request).toMatchObject({
      method: 'GET',
      url: 'http://127.0.0.1:3000/api/v1/revenue?start_date=2026-12-01&end_date=2026-12-31',
    });
    expect(environment.out).toStrictEqual([
      'revenue 2026-12-01 to 2026-12-31 (minor units, cents; net = total − refunded − disputed)',
      'CURRENCY  TOTAL   CHARGES  REFUNDED  DISPUTED  NET     DISPUTE FEES',
      'eur       1500    1        0         0         1500    0',
      'usd       206345  6        12000     12000     182345  3000',
    ]);
  });

  it('asks by product for one currency, and a weekly series', async () => {
    const byProduct = new FakeEnvironment().reply(200, { geoint_report: 99_900, api_call: 50_100 });
    expect(
      await runCli(
        [
          'revenue',
          '--by-product',
          '--currency',
          'USD',
          '--from',
          '2026-12-01',
          '--to',
          '2026-12-02',
        ],
        byProduct,
      ),
    ).toBe(0);
    expect(byProduct.request.url).toBe(
      'http://127.0.0.1:3000/api/v1/revenue/by_product?start_date=2026-12-01&end_date=2026-12-02&currency=usd',
    );
    expect(byProduct.out).toStrictEqual([
      'revenue by product 2026-12-01 to 2026-12-02 (gross, minor units)',
      'CURRENCY  PRODUCT        TOTAL',
      'usd       geoint_report  99900',
      'usd       api_call       50100',
    ]);
    const series = new FakeEnvironment().reply(200, {
      data: [
        { start: '2026-11-30', total_cents: 100, net_cents: 90, transaction_count: 1 },
        { start: '2026-12-07', total_cents: 0, net_cents: 0, transaction_count: 0 },
      ],
      interval: 'week',
      currency: 'usd',
    });
    expect(
      await runCli(
        ['revenue', '--series', '--interval', 'week', '--from', '2026-12-01', '--to', '2026-12-08'],
        series,
      ),
    ).toBe(0);
    expect(series.request.url).toBe(
      'http://127.0.0.1:3000/api/v1/revenue/timeseries?start_date=2026-12-01&end_date=2026-12-08&interval=week',
    );
    expect(series.out).toStrictEqual([
      'revenue by week 2026-12-01 to 2026-12-08 (minor units)',
      'CURRENCY  START       TOTAL  NET  CHARGES',
      'usd       2026-11-30  100    90   1',
      'usd       2026-12-07  0      0    0',
    ]);
  });

  it('refuses a bad date or interval as a usage error (exit 2) without calling the gateway', async () => {
    const environment = new FakeEnvironment();
    expect(await runCli(['revenue', '--from', '12/01/2026'], environment)).toBe(2);
    expect(await runCli(['revenue', '--series', '--interval', 'hour'], environment)).toBe(2);
    expect(await runCli(['revenue', '--series', '--by-product'], environment)).toBe(2);
    expect(environment.requests).toEqual([]);
  });

  it('prints the metrics at a day, and --json as it came', async () => {
    const environment = new FakeEnvironment().reply(200, metrics);
    expect(await runCli(['metrics', '--at', '2026-12-02', '--currency', 'usd'], environment)).toBe(
      0,
    );
    expect(environment.request.url).toBe(
      'http://127.0.0.1:3000/api/v1/metrics?at=2026-12-02&currency=usd',
    );
    expect(environment.out).toStrictEqual([
      'metrics usd at 2026-12-03T08:00:00.000Z (period from 2026-12-01T00:00:00.000Z)',
      '  mrr               31000 (usage beside it: 0)',
      '  arr               372000',
      '  arpu              7750',
      '  active customers  4',
      '  churn             0.333333 (1 of 3)',
      '  revenue churn     0.680000 (of 25000)',
      '  ltv               23250',
      '  failed payments   0.142857 (1 of 7)',
      '  mrr movements     from 2026-12-01T00:00:00.000Z: new 9000, expansion 10000, contraction 5000, churned 12000, reactivated 4000',
    ]);
    const json = new FakeEnvironment().reply(200, metrics);
    expect(await runCli(['metrics', '--json'], json)).toBe(0);
    expect(JSON.parse(json.out.join('\n'))).toEqual(metrics);
  });
});
