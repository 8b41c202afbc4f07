import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lets the relay's `published_at` stamp be a HOT update (no index entry
 * written, the new row version on the same page): no index may name
 * `published_at` any more, so the apply-deadline sweep finds unchecked
 * events by `received_at` (never later than `published_at`), and pages keep
 * a tenth free for the new versions.
 */
export class HotPublishedStamp1766900000000 implements MigrationInterface {
  name = 'HotPublishedStamp1766900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DROP INDEX IF EXISTS "ingest"."stripe_webhook_events_apply_unchecked_idx"`,
    );
    await queryRunner.query(
      `CREATE INDEX "stripe_webhook_events_apply_unchecked_idx" ON "ingest"."stripe_webhook_events" ("received_at")
        WHERE "apply_checked_at" IS NULL`,
    );
    await queryRunner.query(`ALTER TABLE "ingest"."stripe_webhook_events" SET (fillfactor = 90)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ingest"."stripe_webhook_events" RESET (fillfactor)`);
    await queryRunner.query(
      `DROP INDEX IF EXISTS "ingest"."stripe_webhook_events_apply_unchecked_idx"`,
    );
    await queryRunner.query(
      `CREATE INDEX "stripe_webhook_events_apply_unchecked_idx" ON "ingest"."stripe_webhook_events" ("published_at")
        WHERE "apply_checked_at" IS NULL AND "published_at" IS NOT NULL`,
    );
  }
}
