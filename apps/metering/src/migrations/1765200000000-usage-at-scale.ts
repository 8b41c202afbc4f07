import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Usage at scale (docs/metering.md): exact decimal quantities, one event per
 * `(customer_id, idempotency_key)` forever, late marking for closed billing
 * periods, and hourly rollups kept in the same transaction as the events so
 * that a period's value never scans raw events. Events stored before this
 * migration keep their event id as their idempotency key and are rolled up.
 */
export class UsageAtScale1765200000000 implements MigrationInterface {
  name = 'UsageAtScale1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "metering"."usage_events_customer_meter_time_idx"`);
    await queryRunner.query(`
      ALTER TABLE "metering"."usage_events"
        DROP CONSTRAINT "usage_events_quantity_check",
        ALTER COLUMN "quantity" TYPE numeric,
        ADD CONSTRAINT "usage_events_quantity_not_negative" CHECK ("quantity" >= 0),
        ADD COLUMN "idempotency_key" text,
        ADD COLUMN "late" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(
      `ALTER TABLE "metering"."usage_events" RENAME COLUMN "event_id" TO "id"`,
    );
    await queryRunner.query(
      `ALTER TABLE "metering"."usage_events" RENAME COLUMN "meter" TO "product_id"`,
    );
    await queryRunner.query(
      `ALTER TABLE "metering"."usage_events" RENAME COLUMN "recorded_at" TO "occurred_at"`,
    );
    await queryRunner.query(`UPDATE "metering"."usage_events" SET "idempotency_key" = "id"`);
    await queryRunner.query(
      `ALTER TABLE "metering"."usage_events" ALTER COLUMN "idempotency_key" SET NOT NULL`,
    );
    await queryRunner.query(`
      ALTER TABLE "metering"."usage_events"
        ADD CONSTRAINT "usage_events_counted_once" UNIQUE ("customer_id", "idempotency_key")`);
    await queryRunner.query(`
      CREATE INDEX "usage_events_customer_product_time_idx"
        ON "metering"."usage_events" ("customer_id", "product_id", "occurred_at", "id")`);

    await queryRunner.query(`
      CREATE TABLE "metering"."usage_hourly" (
        "customer_id" text NOT NULL,
        "product_id" text NOT NULL,
        "hour" timestamptz NOT NULL,
        "event_count" bigint NOT NULL,
        "late_event_count" bigint NOT NULL,
        "total_quantity" numeric NOT NULL,
        "max_quantity" numeric NOT NULL,
        "latest_at" timestamptz NOT NULL,
        "latest_id" text NOT NULL,
        "latest_quantity" numeric NOT NULL,
        PRIMARY KEY ("customer_id", "product_id", "hour")
      )`);
    await queryRunner.query(`
      CREATE TABLE "metering"."usage_hourly_distinct" (
        "customer_id" text NOT NULL,
        "product_id" text NOT NULL,
        "hour" timestamptz NOT NULL,
        "value" text NOT NULL,
        PRIMARY KEY ("customer_id", "product_id", "hour", "value")
      )`);
    await queryRunner.query(`
      CREATE TABLE "metering"."closed_periods" (
        "customer_id" text NOT NULL,
        "billing_period" text NOT NULL CHECK ("billing_period" ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        "closed_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("customer_id", "billing_period")
      )`);

    await queryRunner.query(`
      INSERT INTO "metering"."usage_hourly"
        ("customer_id", "product_id", "hour", "event_count", "late_event_count", "total_quantity",
         "max_quantity", "latest_at", "latest_id", "latest_quantity")
      SELECT "customer_id", "product_id", date_trunc('hour', "occurred_at", 'UTC'), count(*), 0,
             sum("quantity"), max("quantity"),
             (array_agg("occurred_at" ORDER BY "occurred_at" DESC, "id" DESC))[1],
             (array_agg("id" ORDER BY "occurred_at" DESC, "id" DESC))[1],
             (array_agg("quantity" ORDER BY "occurred_at" DESC, "id" DESC))[1]
        FROM "metering"."usage_events"
       GROUP BY 1, 2, 3`);
    await queryRunner.query(`
      INSERT INTO "metering"."usage_hourly_distinct" ("customer_id", "product_id", "hour", "value")
      SELECT DISTINCT "event"."customer_id", "event"."product_id",
             date_trunc('hour', "event"."occurred_at", 'UTC'),
             "event"."metadata" ->> "meter"."aggregation_field"
        FROM "metering"."usage_events" "event"
        JOIN "metering"."meters" "meter" ON "meter"."product_id" = "event"."product_id"
       WHERE "meter"."aggregation" = 'unique_count'
         AND "event"."metadata" ? "meter"."aggregation_field"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "metering"."closed_periods"`);
    await queryRunner.query(`DROP TABLE "metering"."usage_hourly_distinct"`);
    await queryRunner.query(`DROP TABLE "metering"."usage_hourly"`);
    await queryRunner.query(`DROP INDEX "metering"."usage_events_customer_product_time_idx"`);
    await queryRunner.query(
      `ALTER TABLE "metering"."usage_events" DROP CONSTRAINT "usage_events_counted_once"`,
    );
    await queryRunner.query(
      `ALTER TABLE "metering"."usage_events" RENAME COLUMN "occurred_at" TO "recorded_at"`,
    );
    await queryRunner.query(
      `ALTER TABLE "metering"."usage_events" RENAME COLUMN "product_id" TO "meter"`,
    );
    await queryRunner.query(
      `ALTER TABLE "metering"."usage_events" RENAME COLUMN "id" TO "event_id"`,
    );
    // Fractional quantities cannot go back to bigint: rounded up, so nothing used is lost.
    await queryRunner.query(`
      ALTER TABLE "metering"."usage_events"
        DROP COLUMN "late",
        DROP COLUMN "idempotency_key",
        DROP CONSTRAINT "usage_events_quantity_not_negative",
        ALTER COLUMN "quantity" TYPE bigint USING greatest(ceil("quantity"), 1)::bigint,
        ADD CONSTRAINT "usage_events_quantity_check" CHECK ("quantity" > 0)`);
    await queryRunner.query(
      `CREATE INDEX "usage_events_customer_meter_time_idx" ON "metering"."usage_events" ("customer_id", "meter", "recorded_at")`,
    );
  }
}
