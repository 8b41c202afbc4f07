import type { RevenueInterval, TransactionStatus } from '@aegis/contracts';
import type { EntityManager } from 'typeorm';

/**
 * Revenue of the ledger's charges: the one implementation of the rule of
 * docs/payments-status.md "Disputes in revenue", used by the payment status
 * (every charge) and by revenue (a range, a currency, intervals); see
 * docs/metrics.md.
 */

/** Statuses of a charge that succeeded, whatever was refunded of it since. */
export const CHARGED: readonly TransactionStatus[] = [
  'succeeded',
  'partially_refunded',
  'refunded',
];

export interface ChargedRevenueFilter {
  /** First instant counted (by `stripe_created_at`), included. */
  readonly from?: Date;
  /** First instant not counted, excluded. */
  readonly to?: Date;
  readonly currency?: string;
  /** Group by this UTC interval too (`date_trunc`; weeks start on Monday). */
  readonly interval?: RevenueInterval;
}

export interface ChargedRevenueRow {
  readonly currency: string;
  /** The interval's first day, `YYYY-MM-DD`, when grouped by interval. */
  readonly bucket: string | null;
  readonly grossCents: number;
  readonly refundedCents: number;
  readonly disputedCents: number;
  readonly disputeFeesCents: number;
  readonly transactionCount: number;
}

/** A sum of bigint minor units, exact as text, as a number (minor units stay far below 2^53). */
export function exactNumber(text: string | null): number {
  const value = Number(text ?? '0');
  if (!Number.isSafeInteger(value)) throw new Error(`the sum ${text} is not a safe integer`);
  return value;
}

/**
 * Per currency (and interval): what succeeded charges took (gross), what was
 * refunded of them, what lost disputes took of them (per charge at most what
 * its refunds left of it) and the disputes' fees, and how many charges.
 * Only disputes linked to a charge of the ledger count. The disputes are
 * summed per transaction first (a small table), so the charges are scanned
 * once, by the partial index billing_transactions_revenue_idx.
 */
export async function chargedRevenue(
  manager: EntityManager,
  filter: ChargedRevenueFilter = {},
): Promise<ChargedRevenueRow[]> {
  const params: unknown[] = [];
  // Literal, so that the planner sees the partial index's predicate holds.
  const where = [`t."status" IN (${CHARGED.map((status) => `'${status}'`).join(', ')})`];
  if (filter.from !== undefined) {
    params.push(filter.from);
    where.push(`t."stripe_created_at" >= $${params.length}`);
  }
  if (filter.to !== undefined) {
    params.push(filter.to);
    where.push(`t."stripe_created_at" < $${params.length}`);
  }
  if (filter.currency !== undefined) {
    params.push(filter.currency);
    where.push(`t."currency" = $${params.length}`);
  }
  // Grouped by the truncated timestamp, formatted once per group afterwards.
  let bucket = 'NULL::timestamp';
  if (filter.interval !== undefined) {
    params.push(filter.interval);
    bucket = `date_trunc($${params.length}, t."stripe_created_at" AT TIME ZONE 'UTC')`;
  }
  const rows = await manager.query<
    {
      currency: string;
      bucket: string | null;
      gross: string;
      refunded: string;
      disputed: string;
      fees: string;
      count: number;
    }[]
  >(
    `WITH "disputes" AS (
       SELECT d."transaction_id",
              coalesce(sum(d."amount_cents") FILTER (WHERE d."status" = 'lost'), 0) AS "lost",
              coalesce(sum(d."fee_cents"), 0) AS "fees"
         FROM "billing"."transaction_disputes" d
        WHERE d."transaction_id" IS NOT NULL
        GROUP BY d."transaction_id"
     )
     SELECT "currency", to_char("bucket", 'YYYY-MM-DD') AS "bucket", "gross", "refunded",
            "disputed", "fees", "count"
       FROM (
     SELECT t."currency",
            ${bucket} AS "bucket",
            sum(t."amount_cents")::text AS "gross",
            sum(t."amount_refunded_cents")::text AS "refunded",
            sum(least(coalesce(d."lost", 0),
                      greatest(t."amount_cents" - t."amount_refunded_cents", 0)))::text AS "disputed",
            sum(coalesce(d."fees", 0))::text AS "fees",
            count(*)::int AS "count"
       FROM "billing"."billing_transactions" t
       LEFT JOIN "disputes" d ON d."transaction_id" = t."transaction_id"
      WHERE ${where.join(' AND ')}
      GROUP BY 1, 2
       ) "grouped"
      ORDER BY 1, 2`,
    params,
  );
  return rows.map((row) => ({
    currency: row.currency.trim(),
    bucket: row.bucket,
    grossCents: exactNumber(row.gross),
    refundedCents: exactNumber(row.refunded),
    disputedCents: exactNumber(row.disputed),
    disputeFeesCents: exactNumber(row.fees),
    transactionCount: row.count,
  }));
}
