import type { MigrationInterface, QueryRunner } from 'typeorm';

const STATUSES = `'incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due', 'canceled', 'unpaid', 'paused'`;

export class CreateSubscriptionMirror1763900000000 implements MigrationInterface {
  name = 'CreateSubscriptionMirror1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "subscriptions"."subscriptions" (
        "subscription_id" uuid PRIMARY KEY,
        "stripe_subscription_id" text NOT NULL UNIQUE,
        "customer_id" uuid,
        "stripe_customer_id" text NOT NULL,
        "plan_id" uuid,
        "price_id" text,
        "quantity" integer CHECK ("quantity" >= 0),
        "currency" text NOT NULL CHECK (char_length("currency") = 3),
        "unit_amount" bigint CHECK ("unit_amount" >= 0),
        "billing_interval" text CHECK ("billing_interval" IN ('day', 'week', 'month', 'year')),
        "billing_interval_count" integer CHECK ("billing_interval_count" > 0),
        "status" text NOT NULL CHECK ("status" IN (${STATUSES})),
        "current_period_start" timestamptz,
        "current_period_end" timestamptz,
        "cancel_at_period_end" boolean NOT NULL,
        "cancel_at" timestamptz,
        "canceled_at" timestamptz,
        "ended_at" timestamptz,
        "trial_start" timestamptz,
        "trial_end" timestamptz,
        "metadata" jsonb NOT NULL DEFAULT '{}',
        "last_event_created" timestamptz NOT NULL,
        "refetched_ahead" boolean NOT NULL DEFAULT false,
        "version" integer NOT NULL CHECK ("version" >= 1),
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX "subscriptions_customer_idx" ON "subscriptions"."subscriptions" ("customer_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "subscriptions_stripe_customer_idx" ON "subscriptions"."subscriptions" ("stripe_customer_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "subscriptions_status_idx" ON "subscriptions"."subscriptions" ("status")`,
    );
    await queryRunner.query(`
      CREATE TABLE "subscriptions"."subscription_history" (
        "history_id" uuid PRIMARY KEY,
        "subscription_id" uuid NOT NULL REFERENCES "subscriptions"."subscriptions" ("subscription_id"),
        "version" integer NOT NULL,
        "outcome" text NOT NULL CHECK ("outcome" IN ('applied', 'refetched', 'noted')),
        "stripe_event_id" text NOT NULL,
        "stripe_event_type" text NOT NULL,
        "stripe_event_created" timestamptz NOT NULL,
        "from_status" text CHECK ("from_status" IN (${STATUSES})),
        "to_status" text NOT NULL CHECK ("to_status" IN (${STATUSES})),
        "from_price_id" text,
        "to_price_id" text,
        "from_quantity" integer,
        "to_quantity" integer,
        "currency" text NOT NULL CHECK (char_length("currency") = 3),
        "unit_amount" bigint,
        "billing_interval" text,
        "billing_interval_count" integer,
        "cancel_at_period_end" boolean NOT NULL,
        "changed_fields" text[] NOT NULL,
        "applied_at" timestamptz NOT NULL DEFAULT now()
      )`);
    // One change per version; notes repeat the version they were taken at.
    await queryRunner.query(
      `CREATE UNIQUE INDEX "subscription_history_change_version_idx" ON "subscriptions"."subscription_history" ("subscription_id", "version") WHERE "outcome" <> 'noted'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "subscription_history_note_event_idx" ON "subscriptions"."subscription_history" ("stripe_event_id") WHERE "outcome" = 'noted'`,
    );
    await queryRunner.query(
      `CREATE INDEX "subscription_history_event_created_idx" ON "subscriptions"."subscription_history" ("stripe_event_created")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "subscriptions"."subscription_history"`);
    await queryRunner.query(`DROP TABLE "subscriptions"."subscriptions"`);
  }
}
