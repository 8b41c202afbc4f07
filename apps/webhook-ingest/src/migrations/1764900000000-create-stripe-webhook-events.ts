import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateStripeWebhookEvents1764900000000 implements MigrationInterface {
  name = 'CreateStripeWebhookEvents1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "ingest"."stripe_webhook_events" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "event_id" text NOT NULL,
        "event_type" text NOT NULL,
        "api_version" text,
        "livemode" boolean NOT NULL,
        "account" text,
        "stripe_created_at" timestamptz NOT NULL,
        "payload" jsonb NOT NULL,
        "received_at" timestamptz NOT NULL DEFAULT now(),
        "received_via" text NOT NULL CHECK ("received_via" IN ('webhook', 'backfill')),
        "delivery_count" integer NOT NULL CHECK ("delivery_count" >= 0),
        "published_at" timestamptz,
        "replay_count" integer NOT NULL DEFAULT 0 CHECK ("replay_count" >= 0),
        CONSTRAINT "stripe_webhook_events_event_id_key" UNIQUE ("event_id")
      )`);
    await queryRunner.query(
      `CREATE INDEX "stripe_webhook_events_created_idx" ON "ingest"."stripe_webhook_events" ("stripe_created_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "stripe_webhook_events_type_created_idx" ON "ingest"."stripe_webhook_events" ("event_type", "stripe_created_at")`,
    );
    // The outbox relay marks rows sent in its own transaction; this stamps the events it carried
    // in that same transaction, so published_at is set exactly when the broker has confirmed.
    await queryRunner.query(`
      CREATE FUNCTION "ingest"."stamp_stripe_events_published"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE "ingest"."stripe_webhook_events" AS "event"
           SET "published_at" = "sent"."published_at"
          FROM "sent"
         WHERE "sent"."published_at" IS NOT NULL
           AND "sent"."message_type" LIKE 'stripe.%'
           AND "event"."event_id" = "sent"."envelope" -> 'data' ->> 'id';
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER "outbox_stamp_stripe_events_published" AFTER UPDATE ON "ingest"."outbox"
      REFERENCING NEW TABLE AS "sent"
      FOR EACH STATEMENT EXECUTE FUNCTION "ingest"."stamp_stripe_events_published"()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DROP TRIGGER "outbox_stamp_stripe_events_published" ON "ingest"."outbox"`,
    );
    await queryRunner.query(`DROP FUNCTION "ingest"."stamp_stripe_events_published"()`);
    await queryRunner.query(`DROP TABLE "ingest"."stripe_webhook_events"`);
  }
}
