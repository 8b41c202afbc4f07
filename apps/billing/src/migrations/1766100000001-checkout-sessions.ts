import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Checkouts (docs/checkout.md): one row per Stripe Checkout Session we made,
 * what it sells (an outcome product's quantity, or a recurring price) and how
 * far it got, as the session's events tell.
 */
export class CheckoutSessions1766100000001 implements MigrationInterface {
  name = 'CheckoutSessions1766100000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "billing"."checkout_sessions" (
        "checkout_id" text PRIMARY KEY CHECK ("checkout_id" ~ '^chk_'),
        "customer_id" text NOT NULL REFERENCES "billing"."customers" ("customer_id"),
        "mode" text NOT NULL CHECK ("mode" IN ('payment', 'subscription')),
        "product_id" text,
        "plan_id" text,
        "pricing_version_id" text NOT NULL,
        "stripe_price_id" text NOT NULL,
        "name" text NOT NULL,
        "quantity" integer NOT NULL CHECK ("quantity" >= 1),
        "amount_total_cents" bigint CHECK ("amount_total_cents" >= 0),
        "currency" text NOT NULL CHECK ("currency" ~ '^[a-z]{3}$'),
        "status" text NOT NULL CHECK ("status" IN ('open', 'processing', 'paid', 'payment_failed', 'expired')),
        "stripe_checkout_session_id" text NOT NULL UNIQUE,
        "url" text,
        "success_url" text NOT NULL,
        "cancel_url" text NOT NULL,
        "stripe_payment_intent_id" text,
        "stripe_subscription_id" text,
        "stripe_invoice_id" text,
        "expires_at" timestamptz NOT NULL,
        "completed_at" timestamptz,
        "last_event_created" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "checkout_sessions_what" CHECK (
          ("mode" = 'payment' AND "product_id" IS NOT NULL AND "plan_id" IS NULL)
          OR ("mode" = 'subscription' AND "plan_id" IS NOT NULL AND "product_id" IS NULL)
        )
      )`);
    await queryRunner.query(
      `CREATE INDEX "checkout_sessions_customer_created_at_idx" ON "billing"."checkout_sessions" ("customer_id", "created_at", "checkout_id")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "billing"."checkout_sessions"`);
  }
}
