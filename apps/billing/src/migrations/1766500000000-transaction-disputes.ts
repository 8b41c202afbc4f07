import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Disputes of ledger transactions (docs/ledger.md, "Disputes"): one row per
 * Stripe dispute, the latest state the disputes service published of it
 * (`dispute_updated_at`, the state's `updatedAt`, decides which is latest),
 * and the transaction of its charge once billing has it (null until then:
 * a dispute may arrive before its charge's events).
 */
export class TransactionDisputes1766500000000 implements MigrationInterface {
  name = 'TransactionDisputes1766500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "billing"."transaction_disputes" (
        "stripe_dispute_id" text PRIMARY KEY CHECK ("stripe_dispute_id" ~ '^dp_'),
        "dispute_id" uuid NOT NULL,
        "stripe_charge_id" text NOT NULL,
        "stripe_payment_intent_id" text,
        "transaction_id" uuid REFERENCES "billing"."billing_transactions" ("transaction_id"),
        "amount_cents" bigint NOT NULL CHECK ("amount_cents" >= 0),
        "currency" char(3) NOT NULL,
        "status" text NOT NULL CHECK ("status" IN ('warning_needs_response', 'warning_under_review',
          'warning_closed', 'needs_response', 'under_review', 'won', 'lost')),
        "reason" text NOT NULL,
        "evidence_due_by" timestamptz,
        "fee_cents" bigint,
        "amount_withdrawn_cents" bigint NOT NULL,
        "dispute_updated_at" timestamptz NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX "transaction_disputes_transaction_idx" ON "billing"."transaction_disputes" ("transaction_id")`,
    );
    // Disputes waiting for their transaction, found by charge or payment intent when it arrives.
    await queryRunner.query(
      `CREATE INDEX "transaction_disputes_unlinked_charge_idx" ON "billing"."transaction_disputes" ("stripe_charge_id") WHERE "transaction_id" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "transaction_disputes_unlinked_intent_idx" ON "billing"."transaction_disputes" ("stripe_payment_intent_id") WHERE "transaction_id" IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "billing"."transaction_disputes"`);
  }
}
