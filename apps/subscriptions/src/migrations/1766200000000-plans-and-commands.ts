import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Plans and their Stripe Prices, the starts that reserve a customer's one live
 * subscription while Stripe makes it, Stripe's `pause_collection` on the
 * mirror, and history entries of the service's own commands.
 */
export class PlansAndCommands1766200000000 implements MigrationInterface {
  name = 'PlansAndCommands1766200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "subscriptions"."plans" (
        "plan_id" text PRIMARY KEY,
        "name" text NOT NULL,
        "currency" text NOT NULL CHECK (char_length("currency") = 3),
        "included_hours" integer CHECK ("included_hours" >= 0),
        "overage_price_cents" bigint CHECK ("overage_price_cents" >= 0),
        "custom" boolean NOT NULL,
        "stripe_product_id" text UNIQUE,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    // A plan's price per interval; a custom plan's are per customer. A changed
    // amount is a new row (Stripe Prices are immutable); the old one stays
    // for the subscriptions already on it.
    await queryRunner.query(`
      CREATE TABLE "subscriptions"."plan_prices" (
        "plan_price_id" uuid PRIMARY KEY,
        "plan_id" text NOT NULL REFERENCES "subscriptions"."plans" ("plan_id"),
        "billing_interval" text NOT NULL CHECK ("billing_interval" IN ('monthly', 'yearly')),
        "amount_cents" bigint NOT NULL CHECK ("amount_cents" >= 0),
        "customer_id" text,
        "current" boolean NOT NULL,
        "stripe_price_id" text UNIQUE,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "plan_prices_current_idx" ON "subscriptions"."plan_prices" ("plan_id", "billing_interval") WHERE "current" AND "customer_id" IS NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE "subscriptions"."subscription_starts" (
        "start_id" uuid PRIMARY KEY,
        "customer_id" text NOT NULL,
        "plan_id" text NOT NULL REFERENCES "subscriptions"."plans" ("plan_id"),
        "billing_interval" text NOT NULL CHECK ("billing_interval" IN ('monthly', 'yearly')),
        "trial_days" integer,
        "price_cents" bigint,
        "stripe_subscription_id" text,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    // One start in flight per customer: the second concurrent create is refused.
    await queryRunner.query(
      `CREATE UNIQUE INDEX "subscription_starts_pending_idx" ON "subscriptions"."subscription_starts" ("customer_id") WHERE "stripe_subscription_id" IS NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "subscriptions"."subscriptions" ALTER COLUMN "plan_id" TYPE text USING "plan_id"::text`,
    );
    await queryRunner.query(`
      ALTER TABLE "subscriptions"."subscriptions"
        ADD COLUMN "pause_behavior" text CHECK ("pause_behavior" IN ('keep_as_draft', 'mark_uncollectible', 'void')),
        ADD COLUMN "pause_resumes_at" timestamptz`);
    await queryRunner.query(
      `ALTER TABLE "subscriptions"."subscription_history" DROP CONSTRAINT "subscription_history_outcome_check"`,
    );
    await queryRunner.query(
      `ALTER TABLE "subscriptions"."subscription_history" ADD CONSTRAINT "subscription_history_outcome_check" CHECK ("outcome" IN ('applied', 'refetched', 'noted', 'commanded'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DELETE FROM "subscriptions"."subscription_history" WHERE "outcome" = 'commanded'`,
    );
    await queryRunner.query(
      `ALTER TABLE "subscriptions"."subscription_history" DROP CONSTRAINT "subscription_history_outcome_check"`,
    );
    await queryRunner.query(
      `ALTER TABLE "subscriptions"."subscription_history" ADD CONSTRAINT "subscription_history_outcome_check" CHECK ("outcome" IN ('applied', 'refetched', 'noted'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "subscriptions"."subscriptions" DROP COLUMN "pause_behavior", DROP COLUMN "pause_resumes_at"`,
    );
    await queryRunner.query(`DROP TABLE "subscriptions"."subscription_starts"`);
    await queryRunner.query(`DROP TABLE "subscriptions"."plan_prices"`);
    await queryRunner.query(`DROP TABLE "subscriptions"."plans"`);
  }
}
