import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateStripeMirrorTables1763800000001 implements MigrationInterface {
  name = 'CreateStripeMirrorTables1763800000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "billing"."stripe_customers" (
        "customer_id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "stripe_customer_id" text NOT NULL UNIQUE,
        "email" text,
        "name" text,
        "metadata" jsonb NOT NULL DEFAULT '{}',
        "deleted_at" timestamptz,
        "last_event_created" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE "billing"."billing_transactions" (
        "transaction_id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "customer_id" uuid REFERENCES "billing"."stripe_customers" ("customer_id"),
        "stripe_customer_id" text,
        "stripe_payment_intent_id" text UNIQUE,
        "stripe_charge_id" text UNIQUE,
        "stripe_invoice_id" text,
        "stripe_checkout_session_id" text,
        "amount_cents" bigint NOT NULL CHECK ("amount_cents" >= 0),
        "amount_refunded_cents" bigint NOT NULL DEFAULT 0
          CHECK ("amount_refunded_cents" >= 0 AND "amount_refunded_cents" <= "amount_cents"),
        "currency" char(3) NOT NULL,
        "status" text NOT NULL CHECK ("status" IN
          ('pending', 'processing', 'succeeded', 'failed', 'refunded', 'partially_refunded', 'cancelled')),
        "description" text,
        "metadata" jsonb NOT NULL DEFAULT '{}',
        "billing_period_start" timestamptz,
        "billing_period_end" timestamptz,
        "payment_intent_status" text,
        "charge_status" text,
        "charge_captured" boolean,
        "stripe_created_at" timestamptz NOT NULL,
        "payment_intent_last_event_created" timestamptz,
        "charge_last_event_created" timestamptz,
        "invoice_last_event_created" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "billing_transactions_stripe_key" CHECK
          ("stripe_payment_intent_id" IS NOT NULL OR "stripe_charge_id" IS NOT NULL),
        CONSTRAINT "billing_transactions_billing_period" CHECK
          (("billing_period_start" IS NULL) = ("billing_period_end" IS NULL)
           AND "billing_period_start" <= "billing_period_end")
      )`);
    await queryRunner.query(
      `CREATE INDEX "billing_transactions_customer_idx" ON "billing"."billing_transactions" ("customer_id", "stripe_created_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "billing_transactions_invoice_idx" ON "billing"."billing_transactions" ("stripe_invoice_id")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "billing"."billing_transactions"`);
    await queryRunner.query(`DROP TABLE "billing"."stripe_customers"`);
  }
}
