import { Injectable } from '@nestjs/common';
import {
  PLAN_PRODUCT_KEY_PREFIX,
  UNATTRIBUTED_PRODUCT_KEY,
  type CurrencyMetricsV1,
  type CurrencyRevenueTotalsV1,
  type MetricsReplyV1,
  type MetricsRequestV1,
  type RevenueByProductReplyV1,
  type RevenueRangeRequestV1,
  type RevenueReplyV1,
  type RevenueTimeseriesReplyV1,
  type RevenueTimeseriesRequestV1,
} from '@aegis/contracts';
import { DataSource } from 'typeorm';
import { CHARGED, exactNumber, type ChargedRevenueRow } from './charged-revenue.js';
import { dayEnd, dayStart, periodStartOf, quotientRoundHalfUp, rateOf } from './mrr.js';
import { rangeDaysOf, rolledUpRevenue, type RangeFilter } from './revenue-daily.js';
import { intervalStarts } from './revenue-intervals.js';
import { RevenueException, RevenueExceptionCode } from './revenue.exception.js';

/** The most points a time series answers (over 2.7 years of days). */
export const MAX_SERIES_POINTS = 1_000;

const CHARGED_SQL = CHARGED.map((status) => `'${status}'`).join(', ');

/** The product a charge's own metadata names (the rollup's `metadata_product_id`), else NULL. */
const METADATA_PRODUCT_SQL = `coalesce(nullif(t."metadata"->>'aegis_product_id', ''), nullif(t."metadata"->>'product_id', ''))`;

interface Range {
  readonly from: Date;
  readonly to: Date;
  readonly currency?: string;
}

/** A day that the pattern lets through but the calendar has not (2026-02-30). */
function checkDay(day: string, field: string): void {
  const start = dayStart(day);
  if (Number.isNaN(start.getTime()) || start.toISOString().slice(0, 10) !== day)
    throw new RevenueException(RevenueExceptionCode.INVALID_RANGE, `${field} is not a day`, [
      { field, message: `${field} must be a date YYYY-MM-DD of the calendar` },
    ]);
}

function rangeOf(request: RevenueRangeRequestV1): Range {
  checkDay(request.startDate, 'startDate');
  checkDay(request.endDate, 'endDate');
  if (request.startDate > request.endDate)
    throw new RevenueException(RevenueExceptionCode.INVALID_RANGE, 'startDate is after endDate', [
      { field: 'startDate', message: 'startDate must not be after endDate' },
    ]);
  return {
    from: dayStart(request.startDate),
    to: dayEnd(request.endDate),
    ...(request.currency === undefined ? {} : { currency: request.currency }),
  };
}

function instantOf(text: string | undefined, field: string, fallback: Date): Date {
  if (text === undefined) return fallback;
  const instant = new Date(text);
  if (Number.isNaN(instant.getTime()))
    throw new RevenueException(RevenueExceptionCode.INVALID_RANGE, `${field} is not an instant`, [
      { field, message: `${field} must be an ISO 8601 date-time` },
    ]);
  return instant;
}

function totalsOf(currency: string, row: ChargedRevenueRow | undefined): CurrencyRevenueTotalsV1 {
  const totalCents = row?.grossCents ?? 0;
  const refundedCents = row?.refundedCents ?? 0;
  const disputedCents = row?.disputedCents ?? 0;
  return {
    currency,
    totalCents,
    transactionCount: row?.transactionCount ?? 0,
    refundedCents,
    disputedCents,
    disputeFeesCents: row?.disputeFeesCents ?? 0,
    netCents: totalCents - refundedCents - disputedCents,
  };
}

/** The currencies to answer: the asked one alone, else every one found, alphabetical. */
function currenciesOf(asked: string | undefined, found: Iterable<string>): string[] {
  return asked === undefined ? [...new Set(found)].sort() : [asked];
}

/**
 * Revenue and metrics (docs/metrics.md): revenue of a range from the ledger
 * (chargedRevenue, the payment status's rule), by product, as a time series,
 * and the subscription metrics from billing's read model of subscriptions.
 */
@Injectable()
export class RevenueService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Revenue of the range from the daily rollup: one query for whole days (every RPC's range),
   * else its queries on one snapshot.
   */
  private rolledUp(filter: RangeFilter): Promise<ChargedRevenueRow[]> {
    if (rangeDaysOf(filter.from, filter.to).edges.length === 0)
      return rolledUpRevenue(this.dataSource.manager, filter);
    return this.dataSource.transaction('REPEATABLE READ', (manager) =>
      rolledUpRevenue(manager, filter),
    );
  }

  async revenue(request: RevenueRangeRequestV1): Promise<RevenueReplyV1> {
    const range = rangeOf(request);
    const rows = await this.rolledUp(range);
    return {
      currencies: currenciesOf(
        request.currency,
        rows.map((row) => row.currency),
      ).map((currency) =>
        totalsOf(
          currency,
          rows.find((row) => row.currency === currency),
        ),
      ),
    };
  }

  async timeseries(request: RevenueTimeseriesRequestV1): Promise<RevenueTimeseriesReplyV1> {
    const range = rangeOf(request);
    const starts = intervalStarts(request.startDate, request.endDate, request.interval);
    if (starts.length > MAX_SERIES_POINTS)
      throw new RevenueException(
        RevenueExceptionCode.INVALID_RANGE,
        `the range has ${starts.length} intervals of a ${request.interval}, more than ${MAX_SERIES_POINTS}`,
        [
          {
            field: 'interval',
            message: `at most ${MAX_SERIES_POINTS} points: a longer interval or a shorter range`,
          },
        ],
      );
    const rows = await this.rolledUp({ ...range, interval: request.interval });
    return {
      currencies: currenciesOf(
        request.currency,
        rows.map((row) => row.currency),
      ).map((currency) => ({
        currency,
        data: starts.map((start) => {
          const totals = totalsOf(
            currency,
            rows.find((row) => row.currency === currency && row.bucket === start),
          );
          return {
            start,
            totalCents: totals.totalCents,
            netCents: totals.netCents,
            transactionCount: totals.transactionCount,
          };
        }),
      })),
    };
  }

  /**
   * Gross per product or plan (docs/metrics.md, "Revenue by product"): the
   * ledger's attribution (docs/ledger.md, "Product or plan"): the product its
   * metadata names, else its checkout's, else its invoice's lines (a charge
   * split over them in proportion to their amounts, floored, the remainder to
   * the first line), else the plan (`plan:<id>`) of its metadata or checkout,
   * else `unattributed`. The charges whose metadata names their product are
   * summed from the daily rollup over the range's whole days; the others, and
   * every charge of a partial day, are attributed here from the ledger.
   */
  async byProduct(request: RevenueRangeRequestV1): Promise<RevenueByProductReplyV1> {
    const range = rangeOf(request);
    const days = rangeDaysOf(range.from, range.to);
    const [firstEdge, lastEdge] = [days.edges[0], days.edges[1]];
    const empty = { from: range.to, to: range.to };
    const params: unknown[] = [
      range.from,
      range.to,
      days.firstDay,
      days.endDay,
      (firstEdge ?? empty).from,
      (firstEdge ?? empty).to,
      (lastEdge ?? empty).from,
      (lastEdge ?? empty).to,
    ];
    if (range.currency !== undefined) params.push(range.currency);
    const currencyWhere = (column: string): string =>
      range.currency === undefined ? '' : `AND ${column} = $9`;
    const rows = await this.dataSource.manager.query<
      { currency: string; key: string; cents: string }[]
    >(
      `WITH "ledger" AS NOT MATERIALIZED (
         SELECT t."transaction_id", t."currency", t."amount_cents", t."metadata",
                t."stripe_checkout_session_id", t."stripe_payment_intent_id", t."stripe_invoice_id",
                t."stripe_created_at"
           FROM "billing"."billing_transactions" t
          WHERE t."status" IN (${CHARGED_SQL}) ${currencyWhere('t."currency"')}
       ),
       "charged" AS (
         -- Not in the rollup by product: no product in their metadata (index billing_transactions_unnamed_product_idx).
         SELECT * FROM "ledger" t
          WHERE ${METADATA_PRODUCT_SQL} IS NULL
            AND t."stripe_created_at" >= $1 AND t."stripe_created_at" < $2
         UNION ALL
         -- Partial days: every charge from the ledger.
         SELECT * FROM "ledger" t
          WHERE ${METADATA_PRODUCT_SQL} IS NOT NULL
            AND t."stripe_created_at" >= $5 AND t."stripe_created_at" < $6
         UNION ALL
         SELECT * FROM "ledger" t
          WHERE ${METADATA_PRODUCT_SQL} IS NOT NULL
            AND t."stripe_created_at" >= $7 AND t."stripe_created_at" < $8
       ),
       "rolled" AS (
         SELECT "currency", "metadata_product_id" AS "key", sum("gross_cents") AS "cents"
           FROM "billing"."revenue_daily"
          WHERE "metadata_product_id" IS NOT NULL
            AND "day" >= $3::date AND "day" < $4::date ${currencyWhere('"currency"')}
          GROUP BY 1, 2
         HAVING sum("transaction_count") > 0
       ),
       "checkouts" AS (
         SELECT "checkout_id", "product_id", "plan_id", "stripe_checkout_session_id",
                "stripe_payment_intent_id", "stripe_invoice_id", "created_at"
           FROM "billing"."checkout_sessions"
          WHERE "product_id" IS NOT NULL OR "plan_id" IS NOT NULL
       ),
       "named" AS (
         SELECT c."transaction_id", c."currency", c."amount_cents",
                coalesce(nullif(c."metadata"->>'aegis_product_id', ''),
                         nullif(c."metadata"->>'product_id', ''),
                         coalesce(by_session."product_id", by_intent."product_id", by_invoice."product_id")) AS "product",
                coalesce(nullif(c."metadata"->>'aegis_plan_id', ''),
                         nullif(c."metadata"->>'plan_id', ''),
                         coalesce(by_session."plan_id", by_intent."plan_id", by_invoice."plan_id")) AS "plan",
                i."invoice_id"
           FROM "charged" c
           LEFT JOIN "checkouts" by_session
             ON by_session."stripe_checkout_session_id" = c."stripe_checkout_session_id"
           LEFT JOIN (SELECT DISTINCT ON ("stripe_payment_intent_id") * FROM "checkouts"
                       WHERE "stripe_payment_intent_id" IS NOT NULL
                       ORDER BY "stripe_payment_intent_id", "created_at", "checkout_id") by_intent
             ON by_intent."stripe_payment_intent_id" = c."stripe_payment_intent_id"
           LEFT JOIN (SELECT DISTINCT ON ("stripe_invoice_id") * FROM "checkouts"
                       WHERE "stripe_invoice_id" IS NOT NULL
                       ORDER BY "stripe_invoice_id", "created_at", "checkout_id") by_invoice
             ON by_invoice."stripe_invoice_id" = c."stripe_invoice_id"
           LEFT JOIN "billing"."invoices" i ON i."stripe_invoice_id" = c."stripe_invoice_id"
       ),
       "lines" AS (
         SELECT n."transaction_id", n."currency", n."amount_cents", l."product_id", l."position",
                l."amount_cents" AS "line",
                sum(l."amount_cents") OVER (PARTITION BY n."transaction_id") AS "lines_total"
           FROM "named" n
           JOIN "billing"."invoice_lines" l ON l."invoice_id" = n."invoice_id"
          WHERE n."product" IS NULL
       ),
       "shares" AS (
         SELECT "transaction_id", "currency", "amount_cents", "product_id", "position",
                floor("amount_cents"::numeric * "line" / "lines_total")::bigint AS "share"
           FROM "lines"
          WHERE "lines_total" > 0
       ),
       "split" AS (
         SELECT "currency", "product_id" AS "key",
                "share" + CASE WHEN "position" = min("position") OVER (PARTITION BY "transaction_id")
                               THEN "amount_cents" - sum("share") OVER (PARTITION BY "transaction_id")
                               ELSE 0 END AS "cents"
           FROM "shares"
       ),
       "keyed" AS (
         SELECT n."currency",
                coalesce(n."product", '${PLAN_PRODUCT_KEY_PREFIX}' || n."plan", '${UNATTRIBUTED_PRODUCT_KEY}') AS "key",
                n."amount_cents" AS "cents"
           FROM "named" n
          WHERE n."product" IS NOT NULL
             OR NOT EXISTS (SELECT 1 FROM "shares" s WHERE s."transaction_id" = n."transaction_id")
         UNION ALL
         SELECT "currency", "key", "cents" FROM "split"
         UNION ALL
         SELECT "currency", "key", "cents" FROM "rolled"
       )
       SELECT "currency", "key", sum("cents")::text AS "cents"
         FROM "keyed"
        GROUP BY 1, 2
        ORDER BY 1, 2`,
      params,
    );
    const trimmed = rows.map((row) => ({ ...row, currency: row.currency.trim() }));
    return {
      currencies: currenciesOf(
        request.currency,
        trimmed.map((row) => row.currency),
      ).map((currency) => ({
        currency,
        products: trimmed
          .filter((row) => row.currency === currency)
          .map((row) => ({ key: row.key, totalCents: exactNumber(row.cents) })),
      })),
    };
  }

  /** The metrics at an instant (docs/metrics.md, "Metrics"), per currency. */
  async metrics(request: MetricsRequestV1, now = new Date()): Promise<MetricsReplyV1> {
    const at = instantOf(request.at, 'at', now);
    const periodStart = periodStartOf(at);
    const movementsFrom = instantOf(request.movementsFrom, 'movementsFrom', periodStart);
    if (movementsFrom.getTime() > at.getTime())
      throw new RevenueException(RevenueExceptionCode.INVALID_RANGE, 'movementsFrom is after at', [
        { field: 'movementsFrom', message: 'movementsFrom must not be after at' },
      ]);
    const manager = this.dataSource.manager;
    const currencyFilter = (column: string, index: number): string =>
      request.currency === undefined ? '' : `AND ${column} = $${index}`;
    const withCurrency = (params: unknown[]): unknown[] =>
      request.currency === undefined ? params : [...params, request.currency];

    const customers = await manager.query<
      {
        currency: string;
        mrr: string;
        active: number;
        at_start: number;
        churned: number;
        mrr_at_start: string;
      }[]
    >(
      `WITH "customers" AS (
         SELECT "currency", "customer_id",
                sum("mrr_cents" - "previous_mrr_cents") AS "mrr",
                coalesce(sum("mrr_cents" - "previous_mrr_cents") FILTER (WHERE "effective_at" < $2), 0) AS "at_start"
           FROM "billing"."subscription_mrr_changes"
          WHERE "effective_at" < $1 ${currencyFilter('"currency"', 3)}
          GROUP BY 1, 2
       )
       SELECT "currency",
              sum("mrr")::text AS "mrr",
              (count(*) FILTER (WHERE "mrr" > 0))::int AS "active",
              (count(*) FILTER (WHERE "at_start" > 0))::int AS "at_start",
              (count(*) FILTER (WHERE "at_start" > 0 AND "mrr" = 0))::int AS "churned",
              sum("at_start")::text AS "mrr_at_start"
         FROM "customers"
        GROUP BY 1`,
      withCurrency([at, periodStart]),
    );
    const movements = await manager.query<
      { currency: string; movement: string; from_start: string; in_period: string }[]
    >(
      `SELECT "currency", "movement",
              coalesce(sum(abs("customer_mrr_cents" - "customer_previous_mrr_cents")) FILTER (WHERE "effective_at" >= $2), 0)::text AS "from_start",
              coalesce(sum(abs("customer_mrr_cents" - "customer_previous_mrr_cents")) FILTER (WHERE "effective_at" >= $3), 0)::text AS "in_period"
         FROM "billing"."subscription_mrr_changes"
        WHERE "effective_at" < $1 AND "effective_at" >= least($2::timestamptz, $3::timestamptz)
          AND "movement" IS NOT NULL ${currencyFilter('"currency"', 4)}
        GROUP BY 1, 2`,
      withCurrency([at, movementsFrom, periodStart]),
    );
    const payments = await manager.query<
      { currency: string; failed: number; attempted: number; usage: string }[]
    >(
      // The usage charges from the invoices (few) by billing_transactions_invoice_idx, apart from
      // the attempts (an index-only scan): a per-row EXISTS made the plan look costly enough to
      // be JIT-compiled, tens of milliseconds on every call.
      `WITH "attempts" AS (
         SELECT t."currency",
                (count(*) FILTER (WHERE t."status" = 'failed'))::int AS "failed",
                count(*)::int AS "attempted"
           FROM "billing"."billing_transactions" t
          WHERE t."status" IN (${CHARGED_SQL}, 'failed')
            AND t."stripe_created_at" >= $2 AND t."stripe_created_at" < $1
            ${currencyFilter('t."currency"', 3)}
          GROUP BY 1
       ),
       "usage" AS (
         SELECT t."currency", sum(t."amount_cents") AS "usage"
           FROM "billing"."invoices" i
           JOIN "billing"."billing_transactions" t ON t."stripe_invoice_id" = i."stripe_invoice_id"
          WHERE t."status" IN (${CHARGED_SQL})
            AND t."stripe_created_at" >= $2 AND t."stripe_created_at" < $1
            ${currencyFilter('t."currency"', 3)}
          GROUP BY 1
       )
       SELECT a."currency", a."failed", a."attempted", coalesce(u."usage", 0)::text AS "usage"
         FROM "attempts" a
         LEFT JOIN "usage" u ON u."currency" = a."currency"`,
      withCurrency([at, periodStart]),
    );
    const trim = (currency: string): string => currency.trim();
    const found = [
      ...customers.map((row) => trim(row.currency)),
      ...movements.map((row) => trim(row.currency)),
      ...payments.map((row) => trim(row.currency)),
    ];
    return {
      at: at.toISOString(),
      periodStart: periodStart.toISOString(),
      movementsFrom: movementsFrom.toISOString(),
      currencies: currenciesOf(request.currency, found).map((currency): CurrencyMetricsV1 => {
        const customerRow = customers.find((row) => trim(row.currency) === currency);
        const paymentRow = payments.find((row) => trim(row.currency) === currency);
        const moved = (movement: string, field: 'from_start' | 'in_period'): number =>
          exactNumber(
            movements.find((row) => trim(row.currency) === currency && row.movement === movement)?.[
              field
            ] ?? null,
          );
        const mrrCents = exactNumber(customerRow?.mrr ?? null);
        const activeCustomers = customerRow?.active ?? 0;
        const customersAtPeriodStart = customerRow?.at_start ?? 0;
        const churnedCustomers = customerRow?.churned ?? 0;
        const mrrAtPeriodStartCents = exactNumber(customerRow?.mrr_at_start ?? null);
        const arpuCents =
          activeCustomers === 0 ? 0 : quotientRoundHalfUp(mrrCents, activeCustomers);
        const failedPayments = paymentRow?.failed ?? 0;
        const attemptedPayments = paymentRow?.attempted ?? 0;
        return {
          currency,
          mrrCents,
          arrCents: 12 * mrrCents,
          arpuCents,
          activeCustomers,
          customersAtPeriodStart,
          churnedCustomers,
          churnRate: rateOf(churnedCustomers, customersAtPeriodStart),
          mrrAtPeriodStartCents,
          revenueChurnRate: rateOf(
            moved('churned', 'in_period') + moved('contraction', 'in_period'),
            mrrAtPeriodStartCents,
          ),
          ltvCents:
            churnedCustomers === 0
              ? null
              : quotientRoundHalfUp(arpuCents * customersAtPeriodStart, churnedCustomers),
          failedPayments,
          attemptedPayments,
          failedPaymentRate: rateOf(failedPayments, attemptedPayments),
          usageRevenueCents: exactNumber(paymentRow?.usage ?? null),
          mrrMovements: {
            new: moved('new', 'from_start'),
            expansion: moved('expansion', 'from_start'),
            contraction: moved('contraction', 'from_start'),
            churned: moved('churned', 'from_start'),
            reactivated: moved('reactivated', 'from_start'),
          },
        };
      }),
    };
  }
}
