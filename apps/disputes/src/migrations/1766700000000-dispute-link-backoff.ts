import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Unlinked disputes (their charge unknown to billing) are asked about again
 * with a growing pause, not on every sweep forever: `link_attempts` counts the
 * sweep's misses, `next_link_at` says when it asks next (null: at once). A
 * ledger event naming the charge links it without waiting.
 */
export class DisputeLinkBackoff1766700000000 implements MigrationInterface {
  name = 'DisputeLinkBackoff1766700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "disputes"."disputes"
        ADD COLUMN "link_attempts" integer NOT NULL DEFAULT 0 CHECK ("link_attempts" >= 0),
        ADD COLUMN "next_link_at" timestamptz`);
    await queryRunner.query(`DROP INDEX "disputes"."disputes_unlinked_idx"`);
    await queryRunner.query(
      `CREATE INDEX "disputes_unlinked_idx" ON "disputes"."disputes" ("next_link_at" NULLS FIRST, "created_at") WHERE "transaction_id" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "disputes_payment_intent_idx" ON "disputes"."disputes" ("stripe_payment_intent_id") WHERE "stripe_payment_intent_id" IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "disputes"."disputes_payment_intent_idx"`);
    await queryRunner.query(`DROP INDEX "disputes"."disputes_unlinked_idx"`);
    await queryRunner.query(
      `CREATE INDEX "disputes_unlinked_idx" ON "disputes"."disputes" ("created_at") WHERE "transaction_id" IS NULL`,
    );
    await queryRunner.query(`
      ALTER TABLE "disputes"."disputes" DROP COLUMN "next_link_at", DROP COLUMN "link_attempts"`);
  }
}
