import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox belongs to libs/messaging: the trigger this schema had put on it
 * goes, and `published_at` is stamped by the relay's OutboxPublishedHook
 * instead (webhook-ingest.storage.ts), in the same transaction as before.
 */
export class DropOutboxTrigger1764900000003 implements MigrationInterface {
  name = 'DropOutboxTrigger1764900000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DROP TRIGGER IF EXISTS "outbox_stamp_stripe_events_published" ON "ingest"."outbox"`,
    );
    await queryRunner.query(`DROP FUNCTION IF EXISTS "ingest"."stamp_stripe_events_published"()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
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
}
