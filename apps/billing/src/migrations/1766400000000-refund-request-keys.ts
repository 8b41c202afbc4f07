import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A refund asked for again is not made twice (docs/ledger.md, "Asked again"):
 * the caller's idempotency key on our refund (`request_key`, one refund per
 * transaction and key), the amount the request asked for (null: the rest, what
 * was left), so that the same key with another amount is told apart from a
 * retry, and `sending_since`, set while one request or the resumer is sending
 * the refund to Stripe, so that a retry and the resumer do not send it at once.
 */
export class RefundRequestKeys1766400000000 implements MigrationInterface {
  name = 'RefundRequestKeys1766400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "billing"."refunds"
        ADD COLUMN "request_key" text CHECK (char_length("request_key") BETWEEN 1 AND 255),
        ADD COLUMN "requested_amount_cents" bigint CHECK ("requested_amount_cents" > 0),
        ADD COLUMN "sending_since" timestamptz`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "refunds_request_key_idx" ON "billing"."refunds" ("transaction_id", "request_key") WHERE "request_key" IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "billing"."refunds_request_key_idx"`);
    await queryRunner.query(`
      ALTER TABLE "billing"."refunds"
        DROP COLUMN "sending_since",
        DROP COLUMN "requested_amount_cents",
        DROP COLUMN "request_key"`);
  }
}
