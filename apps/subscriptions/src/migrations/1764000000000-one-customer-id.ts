import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every subscription carries its customer's one id: text (the operator's id,
 * not a uuid), never empty. A subscription whose Stripe customer names no id
 * belongs to a customer made outside Aegis, registered under its Stripe id.
 */
export class OneCustomerId1764000000000 implements MigrationInterface {
  name = 'OneCustomerId1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "subscriptions"."subscriptions" ALTER COLUMN "customer_id" TYPE text USING "customer_id"::text`,
    );
    await queryRunner.query(
      `UPDATE "subscriptions"."subscriptions" SET "customer_id" = "stripe_customer_id" WHERE "customer_id" IS NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "subscriptions"."subscriptions" ALTER COLUMN "customer_id" SET NOT NULL`,
    );
  }

  /** Nullable again; the ids stay text. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "subscriptions"."subscriptions" ALTER COLUMN "customer_id" DROP NOT NULL`,
    );
  }
}
