import type { MigrationInterface, QueryRunner } from 'typeorm';

const BILLING_PERIOD_REGEX = '^[0-9]{4}-(0[1-9]|1[0-2])$';

/**
 * Invoices from metered usage (docs/invoicing.md): one per customer and
 * period; their lines; what has been billed of each (customer, product,
 * period), from which late usage is billed as the difference; and invoice runs
 * with one item per customer, so that a run resumes where it stopped.
 */
export class Invoices1766000000000 implements MigrationInterface {
  name = 'Invoices1766000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "billing"."invoices" (
        "invoice_id" text PRIMARY KEY CHECK ("invoice_id" ~ '^inv_'),
        "customer_id" text NOT NULL REFERENCES "billing"."customers" ("customer_id"),
        "billing_period" text NOT NULL CHECK ("billing_period" ~ '${BILLING_PERIOD_REGEX}'),
        "status" text NOT NULL CHECK ("status" IN ('draft', 'open', 'paid', 'payment_failed', 'uncollectible', 'void')),
        "stage" text NOT NULL CHECK ("stage" IN ('reserved', 'priced', 'stripe_draft', 'items_sent', 'finalized', 'done')),
        "auto_finalize" boolean NOT NULL,
        "currency" text CHECK ("currency" ~ '^[a-z]{3}$'),
        "subtotal_cents" bigint NOT NULL DEFAULT 0,
        "discount_cents" bigint NOT NULL DEFAULT 0,
        "amount_due_cents" bigint NOT NULL DEFAULT 0 CHECK ("amount_due_cents" >= 0),
        "amount_paid_cents" bigint NOT NULL DEFAULT 0 CHECK ("amount_paid_cents" >= 0),
        "collection_method" text CHECK ("collection_method" IN ('charge_automatically', 'send_invoice')),
        "stripe_invoice_id" text UNIQUE,
        "hosted_invoice_url" text,
        "invoice_pdf" text,
        "last_error" text,
        "stripe_attempts" integer NOT NULL DEFAULT 0,
        "lease_until" timestamptz,
        "last_event_created" timestamptz,
        "finalized_at" timestamptz,
        "paid_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "invoices_one_per_customer_and_period" UNIQUE ("customer_id", "billing_period")
      )`);
    await queryRunner.query(
      `CREATE INDEX "invoices_created_at_idx" ON "billing"."invoices" ("created_at", "invoice_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "invoices_customer_created_at_idx" ON "billing"."invoices" ("customer_id", "created_at", "invoice_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "invoices_unfinished_idx" ON "billing"."invoices" ("updated_at") WHERE "stage" <> 'done'`,
    );
    await queryRunner.query(`
      CREATE TABLE "billing"."invoice_lines" (
        "line_id" text PRIMARY KEY CHECK ("line_id" ~ '^il_'),
        "invoice_id" text NOT NULL REFERENCES "billing"."invoices" ("invoice_id"),
        "position" integer NOT NULL,
        "kind" text NOT NULL CHECK ("kind" IN ('usage', 'late_usage')),
        "product_id" text NOT NULL,
        "billing_period" text NOT NULL CHECK ("billing_period" ~ '${BILLING_PERIOD_REGEX}'),
        "description" text NOT NULL,
        "aggregation" text NOT NULL,
        "value" numeric NOT NULL,
        "previously_billed_value" numeric NOT NULL,
        "event_count" bigint NOT NULL CHECK ("event_count" >= 0),
        "first_event_at" timestamptz,
        "last_event_at" timestamptz,
        "usage_through" timestamptz NOT NULL,
        "pricing_version_id" text NOT NULL,
        "currency" text NOT NULL,
        "subtotal_cents" bigint NOT NULL,
        "discount_cents" bigint NOT NULL,
        "amount_cents" bigint NOT NULL,
        "stripe_invoice_item_id" text UNIQUE,
        CONSTRAINT "invoice_lines_position" UNIQUE ("invoice_id", "position")
      )`);
    await queryRunner.query(`
      CREATE TABLE "billing"."billed_usage" (
        "customer_id" text NOT NULL,
        "product_id" text NOT NULL,
        "billing_period" text NOT NULL,
        "value" numeric NOT NULL,
        "event_count" bigint NOT NULL,
        "subtotal_cents" bigint NOT NULL,
        "discount_cents" bigint NOT NULL,
        "amount_cents" bigint NOT NULL,
        "pricing_version_id" text NOT NULL,
        "priced_at" timestamptz NOT NULL,
        "last_line_id" text NOT NULL REFERENCES "billing"."invoice_lines" ("line_id"),
        PRIMARY KEY ("customer_id", "product_id", "billing_period")
      )`);
    await queryRunner.query(`
      CREATE TABLE "billing"."invoice_runs" (
        "run_id" text PRIMARY KEY CHECK ("run_id" ~ '^ir_'),
        "billing_period" text NOT NULL CHECK ("billing_period" ~ '${BILLING_PERIOD_REGEX}'),
        "status" text NOT NULL CHECK ("status" IN ('running', 'completed')),
        "listed" boolean NOT NULL DEFAULT false,
        "list_cursor" text,
        "lease_until" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "completed_at" timestamptz
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "invoice_runs_one_running_per_period" ON "billing"."invoice_runs" ("billing_period") WHERE "status" = 'running'`,
    );
    await queryRunner.query(`
      CREATE TABLE "billing"."invoice_run_items" (
        "run_id" text NOT NULL REFERENCES "billing"."invoice_runs" ("run_id"),
        "customer_id" text NOT NULL,
        "status" text NOT NULL CHECK ("status" IN ('pending', 'done', 'failed')),
        "reason" text,
        "invoice_id" text,
        PRIMARY KEY ("run_id", "customer_id")
      )`);
    await queryRunner.query(
      `CREATE INDEX "invoice_run_items_pending_idx" ON "billing"."invoice_run_items" ("run_id", "customer_id") WHERE "status" = 'pending'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "billing"."invoice_run_items"`);
    await queryRunner.query(`DROP TABLE "billing"."invoice_runs"`);
    await queryRunner.query(`DROP TABLE "billing"."billed_usage"`);
    await queryRunner.query(`DROP TABLE "billing"."invoice_lines"`);
    await queryRunner.query(`DROP TABLE "billing"."invoices"`);
  }
}
