import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger and refunds (docs/ledger.md): a transaction's `source` (`stripe`,
 * or `manual` for money taken outside Stripe, which has no Stripe ids), an
 * index for listing the ledger newest first, and refunds: ours (reserved
 * before Stripe is asked, under the transaction's row lock) and Stripe's own,
 * mirrored from its refund events.
 */
export class Refunds1766100000000 implements MigrationInterface {
  name = 'Refunds1766100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "billing"."billing_transactions"
        ADD COLUMN "source" text NOT NULL DEFAULT 'stripe' CHECK ("source" IN ('stripe', 'manual'))`);
    await queryRunner.query(
      `ALTER TABLE "billing"."billing_transactions" DROP CONSTRAINT "billing_transactions_stripe_key"`,
    );
    await queryRunner.query(`
      ALTER TABLE "billing"."billing_transactions" ADD CONSTRAINT "billing_transactions_stripe_key" CHECK (
        ("source" = 'stripe' AND ("stripe_payment_intent_id" IS NOT NULL OR "stripe_charge_id" IS NOT NULL))
        OR ("source" = 'manual' AND "stripe_payment_intent_id" IS NULL AND "stripe_charge_id" IS NULL))`);
    await queryRunner.query(
      `CREATE INDEX "billing_transactions_created_idx" ON "billing"."billing_transactions" ("stripe_created_at", "transaction_id")`,
    );
    await queryRunner.query(`
      CREATE TABLE "billing"."refunds" (
        "refund_id" text PRIMARY KEY CHECK ("refund_id" ~ '^rf_'),
        "transaction_id" uuid NOT NULL REFERENCES "billing"."billing_transactions" ("transaction_id"),
        "customer_id" text REFERENCES "billing"."customers" ("customer_id"),
        "origin" text NOT NULL CHECK ("origin" IN ('aegis', 'stripe')),
        "amount_cents" bigint NOT NULL CHECK ("amount_cents" > 0),
        "currency" char(3) NOT NULL,
        "reason" text CHECK ("reason" IN ('duplicate', 'fraudulent', 'requested_by_customer')),
        "status" text NOT NULL CHECK ("status" IN ('pending', 'succeeded', 'failed', 'canceled')),
        "failure_reason" text,
        "stripe_refund_id" text UNIQUE,
        "stripe_status" text,
        "last_event_created" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX "refunds_transaction_idx" ON "billing"."refunds" ("transaction_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "refunds_created_at_idx" ON "billing"."refunds" ("created_at", "refund_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "refunds_unsent_idx" ON "billing"."refunds" ("updated_at") WHERE "stripe_refund_id" IS NULL AND "status" = 'pending'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "billing"."refunds"`);
    await queryRunner.query(`DROP INDEX "billing"."billing_transactions_created_idx"`);
    await queryRunner.query(
      `ALTER TABLE "billing"."billing_transactions" DROP CONSTRAINT "billing_transactions_stripe_key"`,
    );
    await queryRunner.query(`
      ALTER TABLE "billing"."billing_transactions" ADD CONSTRAINT "billing_transactions_stripe_key"
        CHECK ("stripe_payment_intent_id" IS NOT NULL OR "stripe_charge_id" IS NOT NULL)`);
    await queryRunner.query(`ALTER TABLE "billing"."billing_transactions" DROP COLUMN "source"`);
  }
}
