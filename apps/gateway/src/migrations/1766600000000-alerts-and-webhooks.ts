import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alerts (one per cause: `cause_key` is unique) and outbound webhooks: the
 * operator's endpoints (with the secret that signs, kept readable), one
 * delivery per endpoint and event, and each attempt of a delivery.
 */
export class AlertsAndWebhooks1766600000000 implements MigrationInterface {
  name = 'AlertsAndWebhooks1766600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "gateway"."alerts" (
        "id" text PRIMARY KEY,
        "type" text NOT NULL,
        "cause_key" text NOT NULL,
        "customer_id" text,
        "summary" text NOT NULL,
        "data" jsonb NOT NULL,
        "source_event_id" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "alerts_cause_key_unique" UNIQUE ("cause_key")
      )`);
    await queryRunner.query(
      `CREATE INDEX "alerts_newest_idx" ON "gateway"."alerts" ("created_at" DESC, "id" DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX "alerts_type_newest_idx" ON "gateway"."alerts" ("type", "created_at" DESC, "id" DESC)`,
    );
    await queryRunner.query(`
      CREATE TABLE "gateway"."webhook_endpoints" (
        "id" text PRIMARY KEY,
        "url" text NOT NULL,
        "events" text[] NOT NULL,
        "secret" text NOT NULL,
        "status" text NOT NULL DEFAULT 'enabled' CHECK ("status" IN ('enabled', 'disabled')),
        "failing_since" timestamptz,
        "disabled_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX "webhook_endpoints_newest_idx" ON "gateway"."webhook_endpoints" ("created_at" DESC, "id" DESC)`,
    );
    await queryRunner.query(`
      CREATE TABLE "gateway"."webhook_deliveries" (
        "id" text PRIMARY KEY,
        "endpoint_id" text NOT NULL REFERENCES "gateway"."webhook_endpoints" ("id") ON DELETE CASCADE,
        "event_id" text NOT NULL,
        "event_type" text NOT NULL,
        "body" text NOT NULL,
        "status" text NOT NULL DEFAULT 'pending' CHECK ("status" IN ('pending', 'delivered', 'failed')),
        "attempt_count" integer NOT NULL DEFAULT 0,
        "next_attempt_at" timestamptz NOT NULL DEFAULT now(),
        "retry_until" timestamptz NOT NULL,
        "lease_until" timestamptz,
        "lease_token" text,
        "delivered_at" timestamptz,
        "failed_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "webhook_deliveries_endpoint_event_unique" UNIQUE ("endpoint_id", "event_id")
      )`);
    await queryRunner.query(
      `CREATE INDEX "webhook_deliveries_due_idx" ON "gateway"."webhook_deliveries" ("next_attempt_at") WHERE "status" = 'pending'`,
    );
    await queryRunner.query(
      `CREATE INDEX "webhook_deliveries_endpoint_newest_idx" ON "gateway"."webhook_deliveries" ("endpoint_id", "created_at" DESC, "id" DESC)`,
    );
    await queryRunner.query(`
      CREATE TABLE "gateway"."webhook_attempts" (
        "delivery_id" text NOT NULL REFERENCES "gateway"."webhook_deliveries" ("id") ON DELETE CASCADE,
        "number" integer NOT NULL,
        "attempted_at" timestamptz NOT NULL,
        "status_code" integer,
        "error" text,
        "duration_ms" integer NOT NULL,
        PRIMARY KEY ("delivery_id", "number")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS "gateway"."webhook_attempts"`);
    await queryRunner.query(`DROP TABLE IF EXISTS "gateway"."webhook_deliveries"`);
    await queryRunner.query(`DROP TABLE IF EXISTS "gateway"."webhook_endpoints"`);
    await queryRunner.query(`DROP TABLE IF EXISTS "gateway"."alerts"`);
  }
}
