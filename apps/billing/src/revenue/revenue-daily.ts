import type { EntityManager } from 'typeorm';
import {
  chargedRevenue,
  exactNumber,
  type ChargedRevenueFilter,
  type ChargedRevenueRow,
} from './charged-revenue.js';
import { dayOf } from './revenue-intervals.js';

/**
 * Revenue of a range from the daily rollup `billing.revenue_daily` (migration
 * 1766700000000, docs/metrics.md "The daily rollup"): the range's whole UTC
 * days summed from the rollup, its partial first and last day (a range is any
 * two instants) from the ledger by chargedRevenue. Both give the same figures
 * for the same charges; the rollup reads a few rows per day instead of every
 * charge.
 */

const DAY_MS = 86_400_000;

export interface RangeFilter extends ChargedRevenueFilter {
  readonly from: Date;
  readonly to: Date;
}

/** The whole UTC days of `[from, to)` as `[firstDay, endDay)`, and the partial edges around them. */
export interface RangeDays {
  /** First whole day (`YYYY-MM-DD`); equal to endDay when the range holds no whole day. */
  readonly firstDay: string;
  /** The day after the last whole day. */
  readonly endDay: string;
  /** The parts of the range outside the whole days, read from the ledger. */
  readonly edges: readonly { readonly from: Date; readonly to: Date }[];
}

export function rangeDaysOf(from: Date, to: Date): RangeDays {
  const firstDayStart = Math.ceil(from.getTime() / DAY_MS) * DAY_MS;
  const endDayStart = Math.floor(to.getTime() / DAY_MS) * DAY_MS;
  if (firstDayStart >= endDayStart) {
    const day = dayOf(to);
    return { firstDay: day, endDay: day, edges: from < to ? [{ from, to }] : [] };
  }
  const edges = [
    { from, to: new Date(firstDayStart) },
    { from: new Date(endDayStart), to },
  ].filter((edge) => edge.from < edge.to);
  return {
    firstDay: dayOf(new Date(firstDayStart)),
    endDay: dayOf(new Date(endDayStart)),
    edges,
  };
}

function sumOf(left: number, right: number): number {
  const sum = left + right;
  if (!Number.isSafeInteger(sum))
    throw new Error(`the sum ${left} + ${right} is not a safe integer`);
  return sum;
}

/**
 * chargedRevenue over `[from, to)`, per currency (and interval), the whole
 * days read from the rollup. Call it in one REPEATABLE READ transaction so
 * that its queries see the same writes.
 */
export async function rolledUpRevenue(
  manager: EntityManager,
  filter: RangeFilter,
): Promise<ChargedRevenueRow[]> {
  const days = rangeDaysOf(filter.from, filter.to);
  const params: unknown[] = [days.firstDay, days.endDay];
  let currencyWhere = '';
  if (filter.currency !== undefined) {
    params.push(filter.currency);
    currencyWhere = `AND "currency" = $${params.length}`;
  }
  let bucket = 'NULL::text';
  if (filter.interval !== undefined) {
    params.push(filter.interval);
    bucket = `to_char(date_trunc($${params.length}, "day"::timestamp), 'YYYY-MM-DD')`;
  }
  const rolled =
    days.firstDay < days.endDay
      ? await manager.query<
          {
            currency: string;
            bucket: string | null;
            gross: string;
            refunded: string;
            disputed: string;
            fees: string;
            count: string;
          }[]
        >(
          `SELECT "currency", ${bucket} AS "bucket",
                  sum("gross_cents")::text AS "gross", sum("refunded_cents")::text AS "refunded",
                  sum("disputed_cents")::text AS "disputed", sum("dispute_fees_cents")::text AS "fees",
                  sum("transaction_count")::text AS "count"
             FROM "billing"."revenue_daily"
            WHERE "day" >= $1::date AND "day" < $2::date ${currencyWhere}
            GROUP BY 1, 2
           HAVING sum("transaction_count") > 0`,
          params,
        )
      : [];
  const merged = new Map<string, ChargedRevenueRow>();
  const add = (row: ChargedRevenueRow): void => {
    const key = `${row.currency} ${row.bucket ?? ''}`;
    const known = merged.get(key);
    merged.set(
      key,
      known === undefined
        ? row
        : {
            currency: row.currency,
            bucket: row.bucket,
            grossCents: sumOf(known.grossCents, row.grossCents),
            refundedCents: sumOf(known.refundedCents, row.refundedCents),
            disputedCents: sumOf(known.disputedCents, row.disputedCents),
            disputeFeesCents: sumOf(known.disputeFeesCents, row.disputeFeesCents),
            transactionCount: sumOf(known.transactionCount, row.transactionCount),
          },
    );
  };
  for (const row of rolled)
    add({
      currency: row.currency.trim(),
      bucket: row.bucket,
      grossCents: exactNumber(row.gross),
      refundedCents: exactNumber(row.refunded),
      disputedCents: exactNumber(row.disputed),
      disputeFeesCents: exactNumber(row.fees),
      transactionCount: exactNumber(row.count),
    });
  for (const edge of days.edges)
    for (const row of await chargedRevenue(manager, { ...filter, ...edge })) add(row);
  return [...merged.values()].sort(
    (left, right) =>
      left.currency.localeCompare(right.currency) ||
      (left.bucket ?? '').localeCompare(right.bucket ?? ''),
  );
}
