/**
 * The public API's revenue and metrics (../shared/API.md "Revenue and
 * metrics"; definitions in docs/metrics.md). Admin keys only. Money is
 * integer minor units; rates are decimal text with 6 places.
 *
 * Currencies are never converted. Every route takes an optional `currency`:
 * - asked, or only one currency has anything: the route's shape for that
 *   currency (`currency` names it where the shape has the field);
 * - none has anything and none was asked: that shape with zeros (and
 *   `currency` null);
 * - several currencies and none asked: `{by_currency: {<currency>: shape}}`
 *   (a CurrenciesV1), one entry per currency, alphabetical.
 */

export const REVENUE_API_PATHS = {
  /** GET (RevenueQueryV1): a RevenueResourceV1, or CurrenciesV1 of them. */
  revenue: '/api/v1/revenue',
  /** GET (RevenueQueryV1): a RevenueByProductResourceV1, or CurrenciesV1 of them. */
  revenueByProduct: '/api/v1/revenue/by_product',
  /** GET (RevenueTimeseriesQueryV1): a RevenueTimeseriesResourceV1, or CurrenciesV1 of them. */
  revenueTimeseries: '/api/v1/revenue/timeseries',
  /** GET (MetricsQueryV1): a MetricsResourceV1, or CurrenciesV1 of them. */
  metrics: '/api/v1/metrics',
} as const;

export type RevenueIntervalV1 = 'day' | 'week' | 'month';

/** Several currencies, none asked: each one's answer. */
export interface CurrenciesV1<T> {
  readonly by_currency: Readonly<Record<string, T>>;
}

export interface RevenueQueryV1 {
  /** `YYYY-MM-DD`, UTC, included. */
  readonly start_date: string;
  /** `YYYY-MM-DD`, UTC, included. */
  readonly end_date: string;
  readonly currency?: string;
}

export interface RevenueTimeseriesQueryV1 extends RevenueQueryV1 {
  readonly interval: RevenueIntervalV1;
}

export interface MetricsQueryV1 {
  /** An ISO 8601 instant, or a day `YYYY-MM-DD` meaning its end; default now. */
  readonly at?: string;
  /** Where the MRR movements start (same forms; a day means its start); default the period's start. */
  readonly movements_from?: string;
  readonly currency?: string;
}

/** `GET /api/v1/revenue`. */
export interface RevenueResourceV1 {
  /** Gross: every succeeded charge of the range. */
  readonly total_cents: number;
  readonly transaction_count: number;
  readonly refunded_cents: number;
  /** Lost disputes: per charge at most what its refunds left of it. */
  readonly disputed_cents: number;
  /** total − refunded − disputed. */
  readonly net_cents: number;
  /** Stripe's dispute fees of those charges, beside net (not in it). */
  readonly dispute_fees_cents: number;
  readonly currency: string | null;
}

/** `GET /api/v1/revenue/by_product`: gross by product id, `plan:<id>` or `unattributed` (the seed's shape). */
export type RevenueByProductResourceV1 = Readonly<Record<string, number>>;

export interface RevenuePointResourceV1 {
  /** The interval's first day, `YYYY-MM-DD` (weeks start on Monday). */
  readonly start: string;
  readonly total_cents: number;
  readonly net_cents: number;
  readonly transaction_count: number;
}

/** `GET /api/v1/revenue/timeseries`: one point per interval, empty ones included. */
export interface RevenueTimeseriesResourceV1 {
  readonly data: readonly RevenuePointResourceV1[];
  readonly interval: RevenueIntervalV1;
  readonly currency: string | null;
}

export interface MrrMovementsResourceV1 {
  readonly new: number;
  readonly expansion: number;
  readonly contraction: number;
  readonly churned: number;
  readonly reactivated: number;
}

/** `GET /api/v1/metrics`. */
export interface MetricsResourceV1 {
  readonly mrr_cents: number;
  readonly arr_cents: number;
  readonly arpu_cents: number;
  readonly active_customers: number;
  /** Customer churn of the period, 6 decimals. */
  readonly churn_rate: string;
  readonly revenue_churn_rate: string;
  /** null when no customer churned in the period. */
  readonly ltv_cents: number | null;
  readonly failed_payment_rate: string;
  readonly mrr_movements: MrrMovementsResourceV1;
  /** Usage invoices' revenue of the period, beside MRR (not in it). */
  readonly usage_revenue_cents: number;
  readonly customers_at_period_start: number;
  readonly churned_customers: number;
  readonly mrr_at_period_start_cents: number;
  readonly failed_payments: number;
  readonly attempted_payments: number;
  readonly currency: string | null;
  readonly at: string;
  /** The churn period: the UTC month of the instant just before `at`. */
  readonly period_start: string;
  readonly movements_from: string;
}
