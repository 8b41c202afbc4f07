import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The catalogue's products as metering keeps them (`catalog.product.*.v1`), one row per product. */
export class CreateMeters1763800000003 implements MigrationInterface {
  name = 'CreateMeters1763800000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "metering"."meters" (
        "product_id" text PRIMARY KEY,
        "pricing_type" text NOT NULL CHECK ("pricing_type" IN ('outcome', 'usage')),
        "currency" text NOT NULL,
        "unit_label" text,
        "aggregation" text CHECK ("aggregation" IN ('sum', 'count', 'max', 'unique_count', 'latest')),
        "aggregation_field" text,
        "archived" boolean NOT NULL,
        "updated_at" timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "metering"."meters"`);
  }
}
