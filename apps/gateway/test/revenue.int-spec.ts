import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  PUBLIC_API_PATHS,
  REVENUE_API_PATHS,
  type CurrenciesV1,
  type MetricsResourceV1,
  type ProblemV1,
  type RevenueByProductResourceV1,
  type RevenueResourceV1,
  type RevenueTimeseriesResourceV1,
} from '@aegis/contracts';
import { waitFor } from '@aegis/testing';
import { GatewayHarness } from './gateway-harness.js';

/** The public revenue and metrics routes over billing (figures: apps/billing/test/revenue.int-spec.ts). */
describe('GET /api/v1/revenue, /revenue/by_product, /revenue/timeseries, /metrics', () => {
  let harness: GatewayHarness;
  const today = new Date().toISOString().slice(0, 10);
  const range = `start_date=${today}&end_date=${today}`;

  const get = <T>(path: string, key?: string | null) =>
    harness.request<T>('GET', path, key === undefined ? {} : { key });

  beforeAll(async () => {
    harness = await GatewayHarness.start({ replicas: 1, withIngest: true });
  });

  afterAll(async () => {
    await harness.stop();
  });

  it('answers admin keys only', async () => {
    const customer = await harness.createCustomer();
    const key = await harness.createKey(customer.id, { scopes: ['transactions:read'] });
    for (const path of [
      `${REVENUE_API_PATHS.revenue}?${range}`,
      `${REVENUE_API_PATHS.revenueByProduct}?${range}`,
      `${REVENUE_API_PATHS.revenueTimeseries}?${range}&interval=day`,
      REVENUE_API_PATHS.metrics,
    ]) {
      expect((await get(path, null)).status).toBe(401);
      expect((await get(path, key.key)).status).toBe(403);
    }
  });

  it('refuses a bad query with 400 naming the field', async () => {
    const fieldsOf = async (path: string): Promise<string[]> => {
      const answer = await get<ProblemV1 & { errors?: { field: string }[] }>(path);
      expect(answer.status).toBe(400);
      return (answer.body.errors ?? []).map((error) => error.field);
    };
    expect(
      await fieldsOf(`${REVENUE_API_PATHS.revenue}?start_date=2026-13-01&end_date=${today}`),
    ).toEqual(['start_date']);
    expect(await fieldsOf(`${REVENUE_API_PATHS.revenue}?start_date=${today}`)).toEqual([
      'end_date',
    ]);
    expect(await fieldsOf(`${REVENUE_API_PATHS.revenue}?${range}&currency=USD`)).toEqual([
      'currency',
    ]);
    expect(
      await fieldsOf(`${REVENUE_API_PATHS.revenue}?start_date=2026-02-01&end_date=2026-01-01`),
    ).toEqual(['start_date']);
    expect(await fieldsOf(`${REVENUE_API_PATHS.revenueTimeseries}?${range}&interval=hour`)).toEqual(
      ['interval'],
    );
    expect(
      await fieldsOf(
        `${REVENUE_API_PATHS.revenueTimeseries}?start_date=2000-01-01&end_date=2026-01-01&interval=day`,
      ),
    ).toEqual(['interval']);
    expect(await fieldsOf(`${REVENUE_API_PATHS.metrics}?at=yesterday`)).toEqual(['at']);
    expect(await fieldsOf(`${REVENUE_API_PATHS.metrics}?movements_from=2026-99-01`)).toEqual([
      'movements_from',
    ]);
  });

  it('answers the ledger’s revenue in the seed’s shapes, one currency or each of several', async () => {
    const empty = await get<RevenueResourceV1>(`${REVENUE_API_PATHS.revenue}?${range}`);
    expect(empty.body).toEqual({
      total_cents: 0,
      transaction_count: 0,
      refunded_cents: 0,
      disputed_cents: 0,
      net_cents: 0,
      dispute_fees_cents: 0,
      currency: null,
    });
    const customer = await harness.createCustomer();
    const pay = (amount: number, currency: string, metadata: Record<string, string>) =>
      harness.stripe.paymentIntents.create({
        amount,
        currency,
        customer: customer.stripe_customer_id,
        payment_method: 'pm_card_visa',
        confirm: true,
        metadata,
        allowed_payment_method_types: ['card'],
      });
    await pay(99_900, 'usd', { aegis_product_id: 'geoint_report' });
    await pay(50_100, 'usd', { aegis_product_id: 'api_call' });
    await pay(1_500, 'eur', {});
    const usd = await waitFor(
      () => get<RevenueResourceV1>(`${REVENUE_API_PATHS.revenue}?${range}&currency=usd`),
      (answer) => answer.body.transaction_count === 2,
      { what: 'the payments in revenue', timeoutMs: 20_000 },
    );
    expect(usd.body).toEqual({
      total_cents: 150_000,
      transaction_count: 2,
      refunded_cents: 0,
      disputed_cents: 0,
      net_cents: 150_000,
      dispute_fees_cents: 0,
      currency: 'usd',
    });
    const both = await waitFor(
      () => get<Partial<CurrenciesV1<RevenueResourceV1>>>(`${REVENUE_API_PATHS.revenue}?${range}`),
      (answer) => answer.body.by_currency?.eur !== undefined,
      { what: 'the eur payment in revenue', timeoutMs: 20_000 },
    );
    expect(Object.keys(both.body.by_currency ?? {})).toEqual(['eur', 'usd']);
    expect(both.body.by_currency?.usd).toEqual(usd.body);
    expect(both.body.by_currency?.eur).toMatchObject({ total_cents: 1_500, currency: 'eur' });

    const byProduct = await get<RevenueByProductResourceV1>(
      `${REVENUE_API_PATHS.revenueByProduct}?${range}&currency=usd`,
    );
    expect(byProduct.status).toBe(200);
    expect(byProduct.body).toEqual({ geoint_report: 99_900, api_call: 50_100 });
    const byProductAll = await get<CurrenciesV1<RevenueByProductResourceV1>>(
      `${REVENUE_API_PATHS.revenueByProduct}?${range}`,
    );
    expect(byProductAll.body).toEqual({
      by_currency: {
        eur: { unattributed: 1_500 },
        usd: { api_call: 50_100, geoint_report: 99_900 },
      },
    });

    const weekAgo = new Date(Date.now() - 6 * 86_400_000).toISOString().slice(0, 10);
    const series = await get<RevenueTimeseriesResourceV1>(
      `${REVENUE_API_PATHS.revenueTimeseries}?start_date=${weekAgo}&end_date=${today}&interval=day&currency=usd`,
    );
    expect(series.status).toBe(200);
    expect(series.body.interval).toBe('day');
    expect(series.body.currency).toBe('usd');
    expect(series.body.data).toHaveLength(7);
    expect(series.body.data.map((point) => point.start)).toEqual(
      Array.from({ length: 7 }, (_, index) =>
        new Date(Date.parse(`${weekAgo}T00:00:00Z`) + index * 86_400_000)
          .toISOString()
          .slice(0, 10),
      ),
    );
    expect(series.body.data.at(-1)).toEqual({
      start: today,
      total_cents: 150_000,
      net_cents: 150_000,
      transaction_count: 2,
    });
    expect(series.body.data.slice(0, -1).every((point) => point.transaction_count === 0)).toBe(
      true,
    );

    const metrics = await get<MetricsResourceV1>(`${REVENUE_API_PATHS.metrics}?currency=usd`);
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatchObject({
      mrr_cents: 0,
      arr_cents: 0,
      arpu_cents: 0,
      active_customers: 0,
      churn_rate: '0.000000',
      revenue_churn_rate: '0.000000',
      ltv_cents: null,
      failed_payment_rate: '0.000000',
      attempted_payments: 2,
      mrr_movements: { new: 0, expansion: 0, contraction: 0, churned: 0, reactivated: 0 },
      currency: 'usd',
    });
    const atDay = await get<MetricsResourceV1>(
      `${REVENUE_API_PATHS.metrics}?at=2026-11-30&currency=usd`,
    );
    expect(atDay.body).toMatchObject({
      at: '2026-12-01T00:00:00.000Z',
      period_start: '2026-11-01T00:00:00.000Z',
      movements_from: '2026-11-01T00:00:00.000Z',
    });
  });

  it('is described in the OpenAPI document', async () => {
    const openapi = await harness.request<{
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    }>('GET', PUBLIC_API_PATHS.openapi, { key: null });
    for (const path of Object.values(REVENUE_API_PATHS))
      expect(Object.keys(openapi.body.paths[path] ?? {})).toEqual(['get']);
    const schemas = openapi.body.components.schemas;
    expect(Object.keys(schemas.RevenueResource?.properties ?? {})).toEqual([
      'total_cents',
      'transaction_count',
      'refunded_cents',
      'disputed_cents',
      'net_cents',
      'dispute_fees_cents',
      'currency',
    ]);
    expect(Object.keys(schemas.MetricsResource?.properties ?? {})).toEqual(
      expect.arrayContaining([
        'mrr_cents',
        'arr_cents',
        'arpu_cents',
        'active_customers',
        'churn_rate',
        'revenue_churn_rate',
        'ltv_cents',
        'failed_payment_rate',
        'mrr_movements',
      ]),
    );
  });
});
