import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The registry is listed newest first by (created_at, customer_id): an index in that order. */
export class CustomersNewestFirstIndex1763800000003 implements MigrationInterface {
  name = 'CustomersNewestFirstIndex1763800000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "customers_created_at_idx" ON "billing"."customers" ("created_at", "customer_id")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "billing"."customers_created_at_idx"`);
  }
}
