import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Flags on a customer (docs/subscriptions.md, "Lost disputes"): one row per
 * customer, flag and Stripe dispute (the flag's reason), so a redelivered or
 * republished `dispute.closed.v1` flags once. Under LOST_DISPUTE_POLICY
 * `cancel_at_period_end` the row also carries the cancel that runs after the
 * event's transaction commits, and how it ended.
 */
export class CustomerFlags1766500000001 implements MigrationInterface {
  name = 'CustomerFlags1766500000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "subscriptions"."customer_flags" (
        "customer_id" text NOT NULL,
        "flag" text NOT NULL CHECK ("flag" IN ('lost_dispute')),
        "stripe_dispute_id" text NOT NULL,
        "flagged_at" timestamptz NOT NULL DEFAULT now(),
        "policy" text NOT NULL CHECK ("policy" IN ('flag', 'cancel_at_period_end')),
        "cancel_status" text CHECK ("cancel_status" IN ('pending', 'canceled_at_period_end', 'already_canceling', 'no_live_subscription', 'refused')),
        "cancel_claimed_at" timestamptz,
        "cancel_settled_at" timestamptz,
        "stripe_subscription_id" text,
        "cancel_error" text,
        CONSTRAINT "customer_flags_pkey" PRIMARY KEY ("customer_id", "flag", "stripe_dispute_id"),
        CONSTRAINT "customer_flags_cancel_check" CHECK (("policy" = 'cancel_at_period_end') = ("cancel_status" IS NOT NULL))
      )`);
    await queryRunner.query(
      `CREATE INDEX "customer_flags_cancel_pending_idx" ON "subscriptions"."customer_flags" ("flagged_at") WHERE "cancel_status" = 'pending'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "subscriptions"."customer_flags"`);
  }
}
