import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why a payment failed, as Stripe says it (docs/ledger.md): the issuer's
 * decline code or Stripe's failure code, and Stripe's message. Rows mirrored
 * before keep null until their next event.
 */
export class TransactionFailureReasons1766700000100 implements MigrationInterface {
  name = 'TransactionFailureReasons1766700000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "billing"."billing_transactions"
        ADD COLUMN "failure_code" text,
        ADD COLUMN "failure_message" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "billing"."billing_transactions"
        DROP COLUMN "failure_message",
        DROP COLUMN "failure_code"`);
  }
}
