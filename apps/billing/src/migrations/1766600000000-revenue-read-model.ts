import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Revenue and metrics (docs/metrics.md): billing's read model of
 * subscriptions, learnt from subscription.created|updated|ended.v1 (billing
 * never reads the subscriptions schema), and the indexes the revenue queries
 * use on the ledger.
 *
 * - `subscription_revenue`: one row per Stripe subscription, its latest state
 *   (`state_updated_at`, the state's `updatedAt`) and the MRR it gives now.
 * - `subscription_mrr_changes`: one row per applied state, with the
 *   subscription's MRR before and after and its customer's (in that
 *   currency) before and after, and the movement that makes of it: the MRR
 *   at any instant is the sum of the deltas before it.
 */
export class RevenueReadModel1766600000000 implements MigrationInterface {
  name = 'RevenueReadModel1766600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "billing"."subscription_revenue" (
        "stripe_subscription_id" text PRIMARY KEY CHECK ("stripe_subscription_id" ~ '^sub_'),
        "subscription_id" uuid NOT NULL,
        "customer_id" text NOT NULL,
        "currency" char(3) NOT NULL,
        "status" text NOT NULL,
        "unit_amount_cents" bigint,
        "quantity" integer,
        "interval_months" integer NOT NULL CHECK ("interval_months" >= 1),
        "mrr_cents" bigint NOT NULL CHECK ("mrr_cents" >= 0),
        "state_updated_at" timestamptz NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX "subscription_revenue_customer_idx" ON "billing"."subscription_revenue" ("customer_id", "currency")`,
    );
    await queryRunner.query(`
      CREATE TABLE "billing"."subscription_mrr_changes" (
        "change_id" bigserial PRIMARY KEY,
        "stripe_subscription_id" text NOT NULL REFERENCES "billing"."subscription_revenue" ("stripe_subscription_id"),
        "customer_id" text NOT NULL,
        "currency" char(3) NOT NULL,
        "status" text NOT NULL,
        "effective_at" timestamptz NOT NULL,
        "previous_mrr_cents" bigint NOT NULL CHECK ("previous_mrr_cents" >= 0),
        "mrr_cents" bigint NOT NULL CHECK ("mrr_cents" >= 0),
        "customer_previous_mrr_cents" bigint NOT NULL CHECK ("customer_previous_mrr_cents" >= 0),
        "customer_mrr_cents" bigint NOT NULL CHECK ("customer_mrr_cents" >= 0),
        "movement" text CHECK ("movement" IN ('new', 'expansion', 'contraction', 'churned', 'reactivated')),
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    // MRR at an instant and movements over a range: a range scan by currency and time.
    await queryRunner.query(
      `CREATE INDEX "subscription_mrr_changes_currency_time_idx" ON "billing"."subscription_mrr_changes" ("currency", "effective_at") INCLUDE ("customer_id", "previous_mrr_cents", "mrr_cents", "movement")`,
    );
    // Whether a customer ever paid before (new or reactivated).
    await queryRunner.query(
      `CREATE INDEX "subscription_mrr_changes_customer_idx" ON "billing"."subscription_mrr_changes" ("customer_id", "currency") WHERE "customer_mrr_cents" > 0`,
    );
    // Revenue of a range: an index-only range scan over the charges (and failed ones, for the
    // failed payment rate) by when they were made, carrying what the sums need.
    await queryRunner.query(
      `CREATE INDEX "billing_transactions_revenue_idx" ON "billing"."billing_transactions" ("stripe_created_at")
         INCLUDE ("currency", "status", "amount_cents", "amount_refunded_cents", "transaction_id")
         WHERE "status" IN ('succeeded', 'partially_refunded', 'refunded', 'failed')`,
    );
    // Attributing a payment to its checkout's product or plan.
    await queryRunner.query(
      `CREATE INDEX "checkout_sessions_payment_intent_idx" ON "billing"."checkout_sessions" ("stripe_payment_intent_id") WHERE "stripe_payment_intent_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "checkout_sessions_invoice_idx" ON "billing"."checkout_sessions" ("stripe_invoice_id") WHERE "stripe_invoice_id" IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "billing"."checkout_sessions_invoice_idx"`);
    await queryRunner.query(`DROP INDEX "billing"."checkout_sessions_payment_intent_idx"`);
    await queryRunner.query(`DROP INDEX "billing"."billing_transactions_revenue_idx"`);
    await queryRunner.query(`DROP TABLE "billing"."subscription_mrr_changes"`);
    await queryRunner.query(`DROP TABLE "billing"."subscription_revenue"`);
  }
}
