import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Disputes mirrored from Stripe with a history row per change, and early
 * fraud warnings with the decision taken about each.
 */
export class DisputesAndFraudWarnings1766500000002 implements MigrationInterface {
  name = 'DisputesAndFraudWarnings1766500000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    const status = `IN ('warning_needs_response', 'warning_under_review', 'warning_closed', 'needs_response', 'under_review', 'won', 'lost')`;
    await queryRunner.query(`
      CREATE TABLE "disputes"."disputes" (
        "dispute_id" uuid PRIMARY KEY,
        "stripe_dispute_id" text NOT NULL UNIQUE,
        "stripe_charge_id" text NOT NULL,
        "stripe_payment_intent_id" text,
        "customer_id" text,
        "transaction_id" uuid,
        "amount" bigint NOT NULL CHECK ("amount" >= 0),
        "currency" text NOT NULL CHECK (char_length("currency") = 3),
        "status" text NOT NULL CHECK ("status" ${status}),
        "reason" text NOT NULL,
        "evidence_due_by" timestamptz,
        "evidence_submitted" boolean NOT NULL,
        "evidence" jsonb NOT NULL,
        "fee_cents" bigint,
        "amount_withdrawn" bigint NOT NULL,
        "deadline_notified_at" timestamptz,
        "last_event_created" timestamptz NOT NULL,
        "version" integer NOT NULL,
        "created_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX "disputes_customer_idx" ON "disputes"."disputes" ("customer_id", "created_at" DESC, "dispute_id" DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX "disputes_list_idx" ON "disputes"."disputes" ("created_at" DESC, "dispute_id" DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX "disputes_charge_idx" ON "disputes"."disputes" ("stripe_charge_id")`,
    );
    // What the sweep looks at: disputes still to be linked, and open ones whose deadline may come.
    await queryRunner.query(
      `CREATE INDEX "disputes_unlinked_idx" ON "disputes"."disputes" ("created_at") WHERE "transaction_id" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "disputes_deadline_idx" ON "disputes"."disputes" ("evidence_due_by") WHERE "deadline_notified_at" IS NULL AND NOT "evidence_submitted" AND "status" IN ('needs_response', 'warning_needs_response')`,
    );
    await queryRunner.query(`
      CREATE TABLE "disputes"."dispute_history" (
        "history_id" uuid PRIMARY KEY,
        "dispute_id" uuid NOT NULL REFERENCES "disputes"."disputes" ("dispute_id"),
        "version" integer NOT NULL,
        "outcome" text NOT NULL CHECK ("outcome" IN ('applied', 'refetched', 'commanded')),
        "source_id" text NOT NULL,
        "source_type" text NOT NULL,
        "source_created" timestamptz NOT NULL,
        "from_status" text CHECK ("from_status" ${status}),
        "to_status" text NOT NULL CHECK ("to_status" ${status}),
        "changed_fields" text[] NOT NULL,
        "applied_at" timestamptz NOT NULL,
        UNIQUE ("dispute_id", "version")
      )`);
    await queryRunner.query(`
      CREATE TABLE "disputes"."fraud_warnings" (
        "warning_id" uuid PRIMARY KEY,
        "stripe_warning_id" text NOT NULL UNIQUE,
        "stripe_charge_id" text NOT NULL,
        "stripe_payment_intent_id" text,
        "customer_id" text,
        "actionable" boolean NOT NULL,
        "fraud_type" text NOT NULL,
        "decision" text CHECK ("decision" IN ('refunded', 'not_actionable', 'kept', 'already_handled', 'refund_failed')),
        "refund_id" text,
        "decision_detail" text,
        "decided_at" timestamptz,
        "stripe_created" timestamptz NOT NULL,
        "last_event_created" timestamptz NOT NULL,
        "created_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX "fraud_warnings_list_idx" ON "disputes"."fraud_warnings" ("customer_id", "created_at" DESC, "warning_id" DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX "fraud_warnings_undecided_idx" ON "disputes"."fraud_warnings" ("created_at") WHERE "decision" IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "disputes"."fraud_warnings"`);
    await queryRunner.query(`DROP TABLE "disputes"."dispute_history"`);
    await queryRunner.query(`DROP TABLE "disputes"."disputes"`);
  }
}
