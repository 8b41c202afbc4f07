import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Min,
  ValidateNested,
} from 'class-validator';
import { defineRpcRoute } from './rpc-route.js';

/**
 * Revenue and metrics from billing's ledger and its read model of
 * subscriptions (docs/metrics.md: every definition, boundary and rounding
 * rule). Money is integer minor units of one currency; nothing is converted
 * between currencies: every reply lists one entry per currency.
 */

/** A day as `YYYY-MM-DD` (UTC). */
export const REVENUE_DATE_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

export const REVENUE_INTERVALS = ['day', 'week', 'month'] as const;
export type RevenueInterval = (typeof REVENUE_INTERVALS)[number];

/** A rate as decimal text with exactly 6 decimal places (`0.250000`), rounded half up from the exact fraction. */
export const RATE_PATTERN = /^\d+\.\d{6}$/;

/** What a payment that names no product or plan counts under in revenue by product. */
export const UNATTRIBUTED_PRODUCT_KEY = 'unattributed';

/** The key of a plan (of the subscriptions service) in revenue by product: `plan:<plan id>`. */
export const PLAN_PRODUCT_KEY_PREFIX = 'plan:';

export class RevenueRangeRequestV1 {
  /** First day counted, UTC, included. */
  @Matches(REVENUE_DATE_PATTERN, { message: 'startDate must be a date YYYY-MM-DD' })
  startDate!: string;

  /** Last day counted, UTC, included. */
  @Matches(REVENUE_DATE_PATTERN, { message: 'endDate must be a date YYYY-MM-DD' })
  endDate!: string;

  /** Only this currency (lower case); every currency with a charge in the range when absent. */
  @IsOptional()
  @Matches(/^[a-z]{3}$/, { message: 'currency must be a three-letter ISO code in lower case' })
  currency?: string;
}

/** One currency's revenue over a range. */
export class CurrencyRevenueTotalsV1 {
  @Matches(/^[a-z]{3}$/)
  currency!: string;

  /** Gross: the amount of every succeeded charge made in the range (refunded since or not). */
  @IsInt()
  @Min(0)
  totalCents!: number;

  /** Those charges. */
  @IsInt()
  @Min(0)
  transactionCount!: number;

  /** What was refunded of those charges (whenever refunded). */
  @IsInt()
  @Min(0)
  refundedCents!: number;

  /** What lost disputes took of those charges: per charge min(lost amounts, amount − refunded). */
  @IsInt()
  @Min(0)
  disputedCents!: number;

  /** Stripe's fees of those charges' disputes (net of reinstatements): beside net, not in it. */
  @IsInt()
  disputeFeesCents!: number;

  /** total − refunded − disputed. */
  @IsInt()
  netCents!: number;
}

export class RevenueReplyV1 {
  /** Per currency in alphabetical order; the asked currency alone (zeros when none) when one was asked. */
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => CurrencyRevenueTotalsV1)
  currencies!: CurrencyRevenueTotalsV1[];
}

export class ProductRevenueV1 {
  /** A catalogue product id, `plan:<plan id>`, or `unattributed`. */
  @IsString()
  key!: string;

  /** Gross of the succeeded charges of the range attributed to it. */
  @IsInt()
  @Min(0)
  totalCents!: number;
}

export class CurrencyProductRevenueV1 {
  @Matches(/^[a-z]{3}$/)
  currency!: string;

  /** By key; their sum is the currency's totalCents of the same range. */
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ProductRevenueV1)
  products!: ProductRevenueV1[];
}

export class RevenueByProductReplyV1 {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => CurrencyProductRevenueV1)
  currencies!: CurrencyProductRevenueV1[];
}

export class RevenueTimeseriesRequestV1 extends RevenueRangeRequestV1 {
  @IsIn(REVENUE_INTERVALS, { message: 'interval must be one of day, week, month' })
  interval!: RevenueInterval;
}

export class RevenuePointV1 {
  /** The interval's first day (`YYYY-MM-DD`, UTC; a week starts on Monday). */
  @Matches(REVENUE_DATE_PATTERN)
  start!: string;

  @IsInt()
  @Min(0)
  totalCents!: number;

  @IsInt()
  netCents!: number;

  @IsInt()
  @Min(0)
  transactionCount!: number;
}

export class CurrencyRevenueSeriesV1 {
  @Matches(/^[a-z]{3}$/)
  currency!: string;

  /** One point per interval of the range, oldest first, empty ones included. */
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => RevenuePointV1)
  data!: RevenuePointV1[];
}

export class RevenueTimeseriesReplyV1 {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => CurrencyRevenueSeriesV1)
  currencies!: CurrencyRevenueSeriesV1[];
}

export class MetricsRequestV1 {
  /** The instant the metrics are at (exclusive); now when absent. */
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'at must be an ISO 8601 date-time' })
  at?: string;

  /** Where the MRR movements start (included); the start of the UTC month of the churn period when absent. */
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'movementsFrom must be an ISO 8601 date-time' })
  movementsFrom?: string;

  @IsOptional()
  @Matches(/^[a-z]{3}$/, { message: 'currency must be a three-letter ISO code in lower case' })
  currency?: string;
}

/** MRR movements over a range: every amount positive, in minor units per month. */
export class MrrMovementsV1 {
  @IsInt()
  @Min(0)
  new!: number;

  @IsInt()
  @Min(0)
  expansion!: number;

  @IsInt()
  @Min(0)
  contraction!: number;

  @IsInt()
  @Min(0)
  churned!: number;

  @IsInt()
  @Min(0)
  reactivated!: number;
}

export class CurrencyMetricsV1 {
  @Matches(/^[a-z]{3}$/)
  currency!: string;

  @IsInt()
  @Min(0)
  mrrCents!: number;

  /** 12 × mrrCents. */
  @IsInt()
  @Min(0)
  arrCents!: number;

  /** round half up (mrrCents / activeCustomers); 0 without active customers. */
  @IsInt()
  @Min(0)
  arpuCents!: number;

  /** Customers whose MRR at `at` is above 0. */
  @IsInt()
  @Min(0)
  activeCustomers!: number;

  /** Customers whose MRR was above 0 at the period's start. */
  @IsInt()
  @Min(0)
  customersAtPeriodStart!: number;

  /** Of those, the ones whose MRR at `at` is 0. */
  @IsInt()
  @Min(0)
  churnedCustomers!: number;

  /** churnedCustomers / customersAtPeriodStart. */
  @Matches(RATE_PATTERN)
  churnRate!: string;

  /** MRR at the period's start. */
  @IsInt()
  @Min(0)
  mrrAtPeriodStartCents!: number;

  /** (churned + contraction movements of the period) / mrrAtPeriodStartCents. */
  @Matches(RATE_PATTERN)
  revenueChurnRate!: string;

  /** round half up (arpuCents × customersAtPeriodStart / churnedCustomers); null when nobody churned. */
  @IsOptional()
  @IsInt()
  @Min(0)
  ltvCents!: number | null;

  /** Charges of the period that failed. */
  @IsInt()
  @Min(0)
  failedPayments!: number;

  /** Charges of the period that failed or succeeded. */
  @IsInt()
  @Min(0)
  attemptedPayments!: number;

  /** failedPayments / attemptedPayments. */
  @Matches(RATE_PATTERN)
  failedPaymentRate!: string;

  /** Gross of the period's succeeded charges paying billing's usage invoices: beside MRR, not in it. */
  @IsInt()
  @Min(0)
  usageRevenueCents!: number;

  @ValidateNested()
  @Type(() => MrrMovementsV1)
  mrrMovements!: MrrMovementsV1;
}

export class MetricsReplyV1 {
  /** The instant the metrics are at (exclusive end of the period). */
  @IsISO8601({ strict: true })
  at!: string;

  /** The churn period's start: the UTC month of the instant just before `at`. */
  @IsISO8601({ strict: true })
  periodStart!: string;

  /** Where the movements start (they end at `at`). */
  @IsISO8601({ strict: true })
  movementsFrom!: string;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => CurrencyMetricsV1)
  currencies!: CurrencyMetricsV1[];
}

/** Revenue of a date range per currency: gross, count, refunded, disputed, net. */
export const BILLING_REVENUE_V1 = defineRpcRoute({
  name: 'billing.revenue.get.v1',
  service: 'billing',
  request: RevenueRangeRequestV1,
  reply: RevenueReplyV1,
});

/** Gross revenue of a date range per currency and product or plan. */
export const BILLING_REVENUE_BY_PRODUCT_V1 = defineRpcRoute({
  name: 'billing.revenue.by_product.v1',
  service: 'billing',
  request: RevenueRangeRequestV1,
  reply: RevenueByProductReplyV1,
});

/** Revenue of a date range per currency and day, week or month. */
export const BILLING_REVENUE_TIMESERIES_V1 = defineRpcRoute({
  name: 'billing.revenue.timeseries.v1',
  service: 'billing',
  request: RevenueTimeseriesRequestV1,
  reply: RevenueTimeseriesReplyV1,
});

/** MRR, ARR, ARPU, customers, churn, LTV, failed payments, MRR movements at an instant. */
export const BILLING_METRICS_V1 = defineRpcRoute({
  name: 'billing.metrics.get.v1',
  service: 'billing',
  request: MetricsRequestV1,
  reply: MetricsReplyV1,
});
