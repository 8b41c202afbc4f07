import { Injectable } from '@nestjs/common';
import { billingPeriodBounds } from '@aegis/contracts';
import type { EntityManager } from 'typeorm';

/** One usage event to store, already checked. */
export interface NewUsageEvent {
  readonly id: string;
  readonly customerId: string;
  readonly productId: string;
  /** Exact decimal text. */
  readonly quantity: string;
  readonly occurredAt: Date;
  readonly idempotencyKey: string;
  readonly metadata: Record<string, string>;
  readonly apiKeyId: string | null;
}

/** The billing period (`YYYY-MM`, UTC) a moment falls in. */
export function billingPeriodOf(moment: Date): string {
  return moment.toISOString().slice(0, 7);
}

/**
 * The advisory lock of one customer's billing period: recording takes it
 * shared, closing or claiming the period takes it exclusively, so an event is
 * either in the values a close (or claim) reads or recorded after it, marked
 * late and stamped with the next generation.
 */
export function periodLockKey(customerId: string, billingPeriod: string): string {
  return `metering:usage-period:${customerId}:${billingPeriod}`;
}

// One statement: the events (each once per customer and idempotency key), and
// for those actually inserted the hourly rollups, the distinct values of
// unique_count meters, the period's customer list, and the unclaimed count of
// a closed period. `late` and `billing_generation` are read from
// closed_periods in the statement's snapshot, taken after the period locks
// were granted: a claim, which changes a generation, holds the lock
// exclusively, so the generation stamped is the one its claim has not yet
// taken, and the unclaimed count grows with it (docs/metering.md, "Claims").
const INSERT_EVENTS_WITH_ROLLUPS = `
  WITH "input" AS (
    SELECT "raw".*,
           "closed"."customer_id" IS NOT NULL AS "late",
           coalesce("closed"."generation", 0) AS "billing_generation"
      FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[], $5::timestamptz[],
                  $6::text[], $7::jsonb[], $8::text[])
        AS "raw"("id", "customer_id", "product_id", "quantity", "occurred_at",
                 "idempotency_key", "metadata", "api_key_id")
      LEFT JOIN "metering"."closed_periods" "closed"
        ON "closed"."customer_id" = "raw"."customer_id"
       AND "closed"."billing_period" = to_char("raw"."occurred_at" AT TIME ZONE 'UTC', 'YYYY-MM')
  ), "inserted" AS (
    INSERT INTO "metering"."usage_events"
      ("id", "customer_id", "product_id", "quantity", "occurred_at", "idempotency_key",
       "metadata", "api_key_id", "late", "billing_generation")
    SELECT "id", "customer_id", "product_id", "quantity", "occurred_at", "idempotency_key",
           "metadata", "api_key_id", "late", "billing_generation"
      FROM "input"
    ON CONFLICT ("customer_id", "idempotency_key") DO NOTHING
    RETURNING "id", "customer_id", "product_id", "quantity", "occurred_at", "metadata", "late",
              to_char("occurred_at" AT TIME ZONE 'UTC', 'YYYY-MM') AS "billing_period"
  ), "hourly" AS (
    INSERT INTO "metering"."usage_hourly" AS "rollup"
      ("customer_id", "product_id", "hour", "event_count", "late_event_count", "total_quantity",
       "max_quantity", "earliest_at", "latest_at", "latest_id", "latest_quantity")
    SELECT "customer_id", "product_id", date_trunc('hour', "occurred_at", 'UTC'),
           count(*), count(*) FILTER (WHERE "late"), sum("quantity"), max("quantity"),
           min("occurred_at"),
           (array_agg("occurred_at" ORDER BY "occurred_at" DESC, "id" DESC))[1],
           (array_agg("id" ORDER BY "occurred_at" DESC, "id" DESC))[1],
           (array_agg("quantity" ORDER BY "occurred_at" DESC, "id" DESC))[1]
      FROM "inserted"
     GROUP BY 1, 2, 3
     ORDER BY 1, 2, 3
    ON CONFLICT ("customer_id", "product_id", "hour") DO UPDATE SET
      "event_count" = "rollup"."event_count" + EXCLUDED."event_count",
      "late_event_count" = "rollup"."late_event_count" + EXCLUDED."late_event_count",
      "total_quantity" = "rollup"."total_quantity" + EXCLUDED."total_quantity",
      "max_quantity" = greatest("rollup"."max_quantity", EXCLUDED."max_quantity"),
      "earliest_at" = least("rollup"."earliest_at", EXCLUDED."earliest_at"),
      "latest_at" = CASE WHEN (EXCLUDED."latest_at", EXCLUDED."latest_id") > ("rollup"."latest_at", "rollup"."latest_id")
                         THEN EXCLUDED."latest_at" ELSE "rollup"."latest_at" END,
      "latest_quantity" = CASE WHEN (EXCLUDED."latest_at", EXCLUDED."latest_id") > ("rollup"."latest_at", "rollup"."latest_id")
                               THEN EXCLUDED."latest_quantity" ELSE "rollup"."latest_quantity" END,
      "latest_id" = CASE WHEN (EXCLUDED."latest_at", EXCLUDED."latest_id") > ("rollup"."latest_at", "rollup"."latest_id")
                         THEN EXCLUDED."latest_id" ELSE "rollup"."latest_id" END
  ), "distinct_values" AS (
    INSERT INTO "metering"."usage_hourly_distinct" ("customer_id", "product_id", "hour", "value")
    SELECT DISTINCT "inserted"."customer_id", "inserted"."product_id",
           date_trunc('hour', "inserted"."occurred_at", 'UTC'),
           "inserted"."metadata" ->> "meter"."aggregation_field"
      FROM "inserted"
      JOIN "metering"."meters" "meter" ON "meter"."product_id" = "inserted"."product_id"
     WHERE "meter"."aggregation" = 'unique_count'
       AND "inserted"."metadata" ? "meter"."aggregation_field"
     ORDER BY 1, 2, 3, 4
    ON CONFLICT DO NOTHING
  ), "period_customers" AS (
    INSERT INTO "metering"."usage_period_customers" ("billing_period", "customer_id")
    SELECT DISTINCT "billing_period", "customer_id" FROM "inserted"
     ORDER BY 1, 2
    ON CONFLICT DO NOTHING
  ), "unclaimed" AS (
    -- Late events only (rare), whose closed period exists by definition: an
    -- upsert rather than an UPDATE so that rows are locked in one order.
    INSERT INTO "metering"."closed_periods" AS "closed"
      ("customer_id", "billing_period", "unclaimed_event_count")
    SELECT "customer_id", "billing_period", count(*)
      FROM "inserted"
     WHERE "late"
     GROUP BY 1, 2
     ORDER BY 1, 2
    ON CONFLICT ("customer_id", "billing_period") DO UPDATE SET
      "unclaimed_event_count" = "closed"."unclaimed_event_count" + EXCLUDED."unclaimed_event_count"
  )
  SELECT "id" FROM "inserted"`;

/**
 * Writes usage events and their rollups in the caller's transaction, one
 * statement for a whole batch.
 */
@Injectable()
export class UsageStore {
  /**
   * Stores each event whose `(customerId, idempotencyKey)` is new (the batch
   * must not repeat one) and answers the ids stored. Locks are taken in one
   * order (periods, then keys sorted), so concurrent batches do not deadlock.
   */
  async insert(manager: EntityManager, events: readonly NewUsageEvent[]): Promise<Set<string>> {
    if (events.length === 0) return new Set();
    const sorted = [...events].sort(
      (a, b) => compare(a.customerId, b.customerId) || compare(a.idempotencyKey, b.idempotencyKey),
    );
    const periodLocks = [
      ...new Set(sorted.map((e) => periodLockKey(e.customerId, billingPeriodOf(e.occurredAt)))),
    ].sort(compare);
    await manager.query(
      `SELECT pg_advisory_xact_lock_shared(hashtextextended("key", 0))
         FROM unnest($1::text[]) WITH ORDINALITY AS "lock"("key", "position")
        ORDER BY "position"`,
      [periodLocks],
    );
    const rows = await manager.query<{ id: string }[]>(INSERT_EVENTS_WITH_ROLLUPS, [
      sorted.map((e) => e.id),
      sorted.map((e) => e.customerId),
      sorted.map((e) => e.productId),
      sorted.map((e) => e.quantity),
      sorted.map((e) => e.occurredAt.toISOString()),
      sorted.map((e) => e.idempotencyKey),
      sorted.map((e) => JSON.stringify(e.metadata)),
      sorted.map((e) => e.apiKeyId),
    ]);
    return new Set(rows.map((row) => row.id));
  }

  /**
   * Takes the exclusive locks of a customer's periods until the transaction
   * ends, in periodLockKey order (the order recording takes them shared), so
   * that claims and recording never deadlock.
   */
  async lockPeriods(
    manager: EntityManager,
    customerId: string,
    billingPeriods: readonly string[],
  ): Promise<void> {
    const keys = [...new Set(billingPeriods.map((p) => periodLockKey(customerId, p)))].sort(
      compare,
    );
    await manager.query(
      `SELECT pg_advisory_xact_lock(hashtextextended("key", 0))
         FROM unnest($1::text[]) WITH ORDINALITY AS "lock"("key", "position")
        ORDER BY "position"`,
      [keys],
    );
  }

  /**
   * Closes a customer's period if it is not closed (the caller holds its
   * exclusive lock): events recorded for it from then on are late. Never
   * claimed, all its events are of generation 0: they are its unclaimed
   * count, from the rollups.
   */
  async closePeriod(
    manager: EntityManager,
    customerId: string,
    billingPeriod: string,
  ): Promise<void> {
    const { from, to } = billingPeriodBounds(billingPeriod);
    await manager.query(
      `INSERT INTO "metering"."closed_periods" ("customer_id", "billing_period", "unclaimed_event_count")
       SELECT $1, $2, coalesce(sum("event_count"), 0)
         FROM "metering"."usage_hourly"
        WHERE "customer_id" = $1 AND "hour" >= $3 AND "hour" < $4
       ON CONFLICT DO NOTHING`,
      [customerId, billingPeriod, from, to],
    );
  }

  /** The stored event ids of `(customerId, idempotencyKey)` pairs, keyed by usageKeyOf. */
  async idsOf(
    manager: EntityManager,
    keys: readonly { readonly customerId: string; readonly idempotencyKey: string }[],
  ): Promise<Map<string, string>> {
    if (keys.length === 0) return new Map();
    const rows = await manager.query<
      { customer_id: string; idempotency_key: string; id: string }[]
    >(
      `SELECT "event"."customer_id", "event"."idempotency_key", "event"."id"
         FROM unnest($1::text[], $2::text[]) AS "wanted"("customer_id", "idempotency_key")
         JOIN "metering"."usage_events" "event"
           ON "event"."customer_id" = "wanted"."customer_id"
          AND "event"."idempotency_key" = "wanted"."idempotency_key"`,
      [keys.map((k) => k.customerId), keys.map((k) => k.idempotencyKey)],
    );
    return new Map(rows.map((row) => [usageKeyOf(row.customer_id, row.idempotency_key), row.id]));
  }
}

/** The identity of an event: counted once per customer and idempotency key. */
export function usageKeyOf(customerId: string, idempotencyKey: string): string {
  return `${customerId}\u0000${idempotencyKey}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
