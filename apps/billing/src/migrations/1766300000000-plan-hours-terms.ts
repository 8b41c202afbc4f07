import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A plan's hours on the usage invoice (docs/invoicing.md, "Plan hours"): the
 * subscriptions service's overage terms an invoice asked for each period
 * (asked once: a resumed invoice prices with the same answer), and the terms
 * each hours line and each period's billed state was priced with (null: the
 * catalogue priced it), so that late hours are priced with the same terms.
 */
export class PlanHoursTerms1766300000000 implements MigrationInterface {
  name = 'PlanHoursTerms1766300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "billing"."invoice_plan_terms" (
        "invoice_id" text NOT NULL REFERENCES "billing"."invoices" ("invoice_id"),
        "billing_period" text NOT NULL,
        "terms" jsonb,
        "asked_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("invoice_id", "billing_period")
      )`);
    await queryRunner.query(`ALTER TABLE "billing"."invoice_lines" ADD COLUMN "plan_terms" jsonb`);
    await queryRunner.query(`ALTER TABLE "billing"."billed_usage" ADD COLUMN "plan_terms" jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "billing"."billed_usage" DROP COLUMN "plan_terms"`);
    await queryRunner.query(`ALTER TABLE "billing"."invoice_lines" DROP COLUMN "plan_terms"`);
    await queryRunner.query(`DROP TABLE "billing"."invoice_plan_terms"`);
  }
}
