import { ApiProperty } from '@nestjs/swagger';
import {
  REVENUE_INTERVALS,
  type CurrenciesV1,
  type CurrencyMetricsV1,
  type CurrencyProductRevenueV1,
  type CurrencyRevenueSeriesV1,
  type CurrencyRevenueTotalsV1,
  type MetricsReplyV1,
  type MetricsResourceV1,
  type MrrMovementsResourceV1,
  type RevenueByProductResourceV1,
  type RevenueIntervalV1,
  type RevenuePointResourceV1,
  type RevenueResourceV1,
  type RevenueTimeseriesResourceV1,
} from '@aegis/contracts';
import { InvalidInputException } from '@aegis/platform';

/** The public answer for one currency, none (zeros), or several ({by_currency}). */
export type PerCurrency<T> = T | CurrenciesV1<T>;

/**
 * billing's per-currency entries as the public API answers them
 * (libs/contracts/src/http/revenue-api.v1.ts): one entry (asked or the only
 * one) as the route's shape, none as `empty`, several by currency.
 */
export function perCurrency<E extends { readonly currency: string }, T>(
  entries: readonly E[],
  resourceOf: (entry: E) => T,
  empty: T,
): PerCurrency<T> {
  const [only] = entries;
  if (only === undefined) return empty;
  if (entries.length === 1) return resourceOf(only);
  return {
    by_currency: Object.fromEntries(entries.map((entry) => [entry.currency, resourceOf(entry)])),
  };
}

export class RevenueResource implements RevenueResourceV1 {
  @ApiProperty({ description: 'gross: every succeeded charge of the range (minor units)' })
  total_cents!: number;
  @ApiProperty({ description: 'those charges' }) transaction_count!: number;
  @ApiProperty({ description: 'refunded of those charges, whenever refunded' })
  refunded_cents!: number;
  @ApiProperty({
    description: 'lost disputes of those charges: per charge at most what its refunds left of it',
  })
  disputed_cents!: number;
  @ApiProperty({ description: 'total_cents − refunded_cents − disputed_cents' })
  net_cents!: number;
  @ApiProperty({ description: 'Stripe’s dispute fees of those charges, beside net (not in it)' })
  dispute_fees_cents!: number;
  @ApiProperty({ type: String, nullable: true, description: 'null when no currency has anything' })
  currency!: string | null;
}

export class RevenuePointResource implements RevenuePointResourceV1 {
  @ApiProperty({ example: '2026-12-01', description: 'the interval’s first day (UTC)' })
  start!: string;
  @ApiProperty() total_cents!: number;
  @ApiProperty() net_cents!: number;
  @ApiProperty() transaction_count!: number;
}

export class RevenueTimeseriesResource implements RevenueTimeseriesResourceV1 {
  @ApiProperty({
    type: [RevenuePointResource],
    description: 'one per interval, empty ones included',
  })
  data!: RevenuePointResource[];
  @ApiProperty({ enum: REVENUE_INTERVALS }) interval!: RevenueIntervalV1;
  @ApiProperty({ type: String, nullable: true }) currency!: string | null;
}

export class MrrMovementsResource implements MrrMovementsResourceV1 {
  @ApiProperty() new!: number;
  @ApiProperty() expansion!: number;
  @ApiProperty() contraction!: number;
  @ApiProperty() churned!: number;
  @ApiProperty() reactivated!: number;
}

export class MetricsResource implements MetricsResourceV1 {
  @ApiProperty({ description: 'live subscriptions normalised to a month (yearly / 12)' })
  mrr_cents!: number;
  @ApiProperty({ description: '12 × mrr_cents' }) arr_cents!: number;
  @ApiProperty({ description: 'mrr_cents / active_customers, rounded half up' })
  arpu_cents!: number;
  @ApiProperty({ description: 'customers with MRR above 0' }) active_customers!: number;
  @ApiProperty({ example: '0.033333', description: 'customer churn of the period, 6 decimals' })
  churn_rate!: string;
  @ApiProperty({ example: '0.020000' }) revenue_churn_rate!: string;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'arpu_cents / churn_rate, rounded half up; null when nobody churned',
  })
  ltv_cents!: number | null;
  @ApiProperty({ example: '0.050000' }) failed_payment_rate!: string;
  @ApiProperty({ type: MrrMovementsResource }) mrr_movements!: MrrMovementsResource;
  @ApiProperty({ description: 'usage invoices’ revenue of the period, beside MRR (not in it)' })
  usage_revenue_cents!: number;
  @ApiProperty() customers_at_period_start!: number;
  @ApiProperty() churned_customers!: number;
  @ApiProperty() mrr_at_period_start_cents!: number;
  @ApiProperty() failed_payments!: number;
  @ApiProperty() attempted_payments!: number;
  @ApiProperty({ type: String, nullable: true }) currency!: string | null;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ format: 'date-time', description: 'the UTC month of the instant before at' })
  period_start!: string;
  @ApiProperty({ format: 'date-time' }) movements_from!: string;
}

export function revenueResourceOf(entry: CurrencyRevenueTotalsV1): RevenueResourceV1 {
  return {
    total_cents: entry.totalCents,
    transaction_count: entry.transactionCount,
    refunded_cents: entry.refundedCents,
    disputed_cents: entry.disputedCents,
    net_cents: entry.netCents,
    dispute_fees_cents: entry.disputeFeesCents,
    currency: entry.currency,
  };
}

export const EMPTY_REVENUE: RevenueResourceV1 = {
  total_cents: 0,
  transaction_count: 0,
  refunded_cents: 0,
  disputed_cents: 0,
  net_cents: 0,
  dispute_fees_cents: 0,
  currency: null,
};

export function revenueByProductResourceOf(
  entry: CurrencyProductRevenueV1,
): RevenueByProductResourceV1 {
  return Object.fromEntries(entry.products.map((product) => [product.key, product.totalCents]));
}

export function timeseriesResourceOf(
  interval: RevenueIntervalV1,
): (entry: CurrencyRevenueSeriesV1) => RevenueTimeseriesResourceV1 {
  return (entry) => ({
    data: entry.data.map((point) => ({
      start: point.start,
      total_cents: point.totalCents,
      net_cents: point.netCents,
      transaction_count: point.transactionCount,
    })),
    interval,
    currency: entry.currency,
  });
}

export function metricsResourceOf(
  reply: MetricsReplyV1,
): (entry: CurrencyMetricsV1) => MetricsResourceV1 {
  return (entry) => ({
    mrr_cents: entry.mrrCents,
    arr_cents: entry.arrCents,
    arpu_cents: entry.arpuCents,
    active_customers: entry.activeCustomers,
    churn_rate: entry.churnRate,
    revenue_churn_rate: entry.revenueChurnRate,
    ltv_cents: entry.ltvCents,
    failed_payment_rate: entry.failedPaymentRate,
    mrr_movements: {
      new: entry.mrrMovements.new,
      expansion: entry.mrrMovements.expansion,
      contraction: entry.mrrMovements.contraction,
      churned: entry.mrrMovements.churned,
      reactivated: entry.mrrMovements.reactivated,
    },
    usage_revenue_cents: entry.usageRevenueCents,
    customers_at_period_start: entry.customersAtPeriodStart,
    churned_customers: entry.churnedCustomers,
    mrr_at_period_start_cents: entry.mrrAtPeriodStartCents,
    failed_payments: entry.failedPayments,
    attempted_payments: entry.attemptedPayments,
    currency: entry.currency,
    at: reply.at,
    period_start: reply.periodStart,
    movements_from: reply.movementsFrom,
  });
}

/** The metrics of nothing (no currency has anything): zeros at the reply's instants. */
export function emptyMetricsOf(reply: MetricsReplyV1): MetricsResourceV1 {
  return {
    ...metricsResourceOf(reply)({
      currency: '',
      mrrCents: 0,
      arrCents: 0,
      arpuCents: 0,
      activeCustomers: 0,
      customersAtPeriodStart: 0,
      churnedCustomers: 0,
      churnRate: '0.000000',
      mrrAtPeriodStartCents: 0,
      revenueChurnRate: '0.000000',
      ltvCents: null,
      failedPayments: 0,
      attemptedPayments: 0,
      failedPaymentRate: '0.000000',
      usageRevenueCents: 0,
      mrrMovements: { new: 0, expansion: 0, contraction: 0, churned: 0, reactivated: 0 },
    }),
    currency: null,
  };
}

function instantText(text: string, field: string, dayOffsetMs: number): string {
  const instant = /^\d{4}-\d{2}-\d{2}$/.test(text)
    ? Date.parse(`${text}T00:00:00.000Z`) + dayOffsetMs
    : Date.parse(text);
  if (Number.isNaN(instant))
    throw new InvalidInputException([
      { field, message: `${field} must be an ISO 8601 date-time or a date YYYY-MM-DD` },
    ]);
  return new Date(instant).toISOString();
}

/** `at` as billing takes it: a day means its end (the next day's start, UTC). */
export function instantOfAt(at: string | undefined): string | undefined {
  return at === undefined ? undefined : instantText(at, 'at', 86_400_000);
}

/** `movements_from` as billing takes it: a day means its start (UTC). */
export function instantOfFrom(from: string | undefined): string | undefined {
  return from === undefined ? undefined : instantText(from, 'movements_from', 0);
}
