import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Checkouts of a plan of the subscriptions service (docs/checkout.md): the
 * plan's Stripe Price for an interval, which no pricing version of the
 * catalogue has, so the version is null and the interval is kept instead.
 */
export class CheckoutPlans1766300000001 implements MigrationInterface {
  name = 'CheckoutPlans1766300000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "billing"."checkout_sessions" ALTER COLUMN "pricing_version_id" DROP NOT NULL`,
    );
    await queryRunner.query(`
      ALTER TABLE "billing"."checkout_sessions"
        ADD COLUMN "billing_interval" text CHECK ("billing_interval" IN ('monthly', 'yearly')),
        ADD CONSTRAINT "checkout_sessions_priced" CHECK (
          "pricing_version_id" IS NOT NULL
          OR ("mode" = 'subscription' AND "billing_interval" IS NOT NULL)
        )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "billing"."checkout_sessions" DROP CONSTRAINT "checkout_sessions_priced", DROP COLUMN "billing_interval"`,
    );
    await queryRunner.query(
      `ALTER TABLE "billing"."checkout_sessions" ALTER COLUMN "pricing_version_id" SET NOT NULL`,
    );
  }
}
