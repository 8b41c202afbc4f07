import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the not-applied-in-time sweep needs (docs/webhook-ingest.md, "Apply
 * deadline"): `apply_checked_at` on each stored event, set once the sweep
 * looked at it, and `stripe_event_consumers`, the services that sent receipts
 * for each event type. Events stored before this migration count as checked:
 * an upgrade does not raise alerts about history.
 */
export class WebhookProcessingAlerts1766700000000 implements MigrationInterface {
  name = 'WebhookProcessingAlerts1766700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "ingest"."stripe_webhook_events" ADD COLUMN "apply_checked_at" timestamptz`,
    );
    await queryRunner.query(
      `UPDATE "ingest"."stripe_webhook_events" SET "apply_checked_at" = now()`,
    );
    await queryRunner.query(
      `CREATE INDEX "stripe_webhook_events_apply_unchecked_idx" ON "ingest"."stripe_webhook_events" ("published_at")
        WHERE "apply_checked_at" IS NULL AND "published_at" IS NOT NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE "ingest"."stripe_event_consumers" (
        "event_type" text NOT NULL,
        "service" text NOT NULL,
        "first_receipt_at" timestamptz NOT NULL,
        "last_receipt_at" timestamptz NOT NULL,
        PRIMARY KEY ("event_type", "service")
      )`);
    await queryRunner.query(`
      INSERT INTO "ingest"."stripe_event_consumers" ("event_type", "service", "first_receipt_at", "last_receipt_at")
      SELECT "event"."event_type", "receipt"."service", min("receipt"."applied_at"), max("receipt"."applied_at")
        FROM "ingest"."stripe_event_receipts" AS "receipt"
        JOIN "ingest"."stripe_webhook_events" AS "event" ON "event"."event_id" = "receipt"."event_id"
       GROUP BY "event"."event_type", "receipt"."service"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS "ingest"."stripe_event_consumers"`);
    await queryRunner.query(
      `DROP INDEX IF EXISTS "ingest"."stripe_webhook_events_apply_unchecked_idx"`,
    );
    await queryRunner.query(
      `ALTER TABLE "ingest"."stripe_webhook_events" DROP COLUMN IF EXISTS "apply_checked_at"`,
    );
  }
}
