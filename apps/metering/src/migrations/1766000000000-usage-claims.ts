import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Claims (docs/metering.md, "Claims"): each closed period's generation and
 * the number of its events stamped with it, the generation stamped on every
 * event, the claims themselves, the earliest event of each hourly rollup,
 * and the customers with usage in each period (the invoice run's list).
 * Existing events are of generation 0; a period already closed gets as its
 * unclaimed count every event it holds (none of it was claimed yet).
 */
export class UsageClaims1766000000000 implements MigrationInterface {
  name = 'UsageClaims1766000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "metering"."usage_events"
        ADD COLUMN "billing_generation" integer NOT NULL DEFAULT 0
          CONSTRAINT "usage_events_billing_generation_not_negative" CHECK ("billing_generation" >= 0)`);

    await queryRunner.query(`
      ALTER TABLE "metering"."closed_periods"
        ADD COLUMN "generation" integer NOT NULL DEFAULT 0
          CONSTRAINT "closed_periods_generation_not_negative" CHECK ("generation" >= 0),
        ADD COLUMN "unclaimed_event_count" bigint NOT NULL DEFAULT 0
          CONSTRAINT "closed_periods_unclaimed_not_negative" CHECK ("unclaimed_event_count" >= 0)`);
    await queryRunner.query(`
      UPDATE "metering"."closed_periods" "closed"
         SET "unclaimed_event_count" = "counted"."events"
        FROM (SELECT "rollup"."customer_id", "period"."billing_period", sum("rollup"."event_count") AS "events"
                FROM "metering"."closed_periods" "period"
                JOIN "metering"."usage_hourly" "rollup"
                  ON "rollup"."customer_id" = "period"."customer_id"
                 AND to_char("rollup"."hour" AT TIME ZONE 'UTC', 'YYYY-MM') = "period"."billing_period"
               GROUP BY 1, 2) "counted"
       WHERE "closed"."customer_id" = "counted"."customer_id"
         AND "closed"."billing_period" = "counted"."billing_period"`);
    // The invoice run's late-only customers: few rows, so a small partial index.
    await queryRunner.query(`
      CREATE INDEX "closed_periods_unclaimed_idx"
        ON "metering"."closed_periods" (("customer_id" COLLATE "C"))
        WHERE "unclaimed_event_count" > 0`);

    await queryRunner.query(`
      CREATE TABLE "metering"."usage_claims" (
        "claim_id" text NOT NULL,
        "position" integer NOT NULL CHECK ("position" >= 0),
        "customer_id" text NOT NULL,
        "billing_period" text NOT NULL CHECK ("billing_period" ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        "generation" integer NOT NULL CHECK ("generation" >= 0),
        "claimed_event_count" bigint NOT NULL CHECK ("claimed_event_count" >= 0),
        "products" jsonb NOT NULL CHECK (jsonb_typeof("products") = 'array'),
        "usage_through" timestamptz NOT NULL,
        "claimed_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("claim_id", "position"),
        CONSTRAINT "usage_claims_period_once" UNIQUE ("claim_id", "billing_period"),
        CONSTRAINT "usage_claims_generation_once" UNIQUE ("customer_id", "billing_period", "generation")
      )`);

    await queryRunner.query(
      `ALTER TABLE "metering"."usage_hourly" ADD COLUMN "earliest_at" timestamptz`,
    );
    await queryRunner.query(`
      UPDATE "metering"."usage_hourly" "rollup"
         SET "earliest_at" = "first"."at"
        FROM (SELECT "customer_id", "product_id", date_trunc('hour', "occurred_at", 'UTC') AS "hour",
                     min("occurred_at") AS "at"
                FROM "metering"."usage_events"
               GROUP BY 1, 2, 3) "first"
       WHERE "rollup"."customer_id" = "first"."customer_id"
         AND "rollup"."product_id" = "first"."product_id"
         AND "rollup"."hour" = "first"."hour"`);
    await queryRunner.query(
      `ALTER TABLE "metering"."usage_hourly" ALTER COLUMN "earliest_at" SET NOT NULL`,
    );

    await queryRunner.query(`
      CREATE TABLE "metering"."usage_period_customers" (
        "billing_period" text NOT NULL,
        "customer_id" text COLLATE "C" NOT NULL,
        PRIMARY KEY ("billing_period", "customer_id")
      )`);
    await queryRunner.query(`
      INSERT INTO "metering"."usage_period_customers" ("billing_period", "customer_id")
      SELECT DISTINCT to_char("hour" AT TIME ZONE 'UTC', 'YYYY-MM'), "customer_id"
        FROM "metering"."usage_hourly"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "metering"."usage_period_customers"`);
    await queryRunner.query(`ALTER TABLE "metering"."usage_hourly" DROP COLUMN "earliest_at"`);
    await queryRunner.query(`DROP TABLE "metering"."usage_claims"`);
    await queryRunner.query(`DROP INDEX "metering"."closed_periods_unclaimed_idx"`);
    await queryRunner.query(`
      ALTER TABLE "metering"."closed_periods"
        DROP COLUMN "unclaimed_event_count",
        DROP COLUMN "generation"`);
    await queryRunner.query(
      `ALTER TABLE "metering"."usage_events" DROP COLUMN "billing_generation"`,
    );
  }
}
