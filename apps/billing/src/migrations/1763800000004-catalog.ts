import type { MigrationInterface, QueryRunner } from 'typeorm';

/** PRODUCT_ID_PATTERN of @aegis/contracts, as PostgreSQL writes it. */
const PRODUCT_ID_REGEX = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$';

/**
 * The catalogue: products under the operator's ids, their pricing versions
 * (each in force from its `effective_from` until the next one's) and the
 * customers' discounts. Lists read products newest first by (created_at,
 * product_id); a version in force at a time is the latest `effective_from` at
 * or before it, which the (product_id, effective_from) key serves.
 */
export class Catalog1763800000004 implements MigrationInterface {
  name = 'Catalog1763800000004';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "billing"."products" (
        "product_id" text PRIMARY KEY CONSTRAINT "products_product_id_format"
          CHECK ("product_id" ~ '${PRODUCT_ID_REGEX}'),
        "name" text NOT NULL,
        "description" text,
        "pricing_type" text NOT NULL CHECK ("pricing_type" IN ('outcome', 'usage')),
        "currency" text NOT NULL CHECK ("currency" ~ '^[a-z]{3}$'),
        "unit_label" text,
        "aggregation" text CHECK ("aggregation" IN ('sum', 'count', 'max', 'unique_count', 'latest')),
        "aggregation_field" text,
        "metadata" jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof("metadata") = 'object'),
        "stripe_product_id" text NOT NULL UNIQUE,
        "archived_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "products_usage_aggregation" CHECK
          (("pricing_type" = 'usage') = ("aggregation" IS NOT NULL)),
        CONSTRAINT "products_aggregation_field" CHECK
          (("aggregation_field" IS NOT NULL) = ("aggregation" IS NOT DISTINCT FROM 'unique_count'))
      )`);
    await queryRunner.query(
      `CREATE INDEX "products_created_at_idx" ON "billing"."products" ("created_at", "product_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "products_active_created_at_idx" ON "billing"."products" ("created_at", "product_id")
         WHERE "archived_at" IS NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE "billing"."pricing_versions" (
        "id" text PRIMARY KEY CHECK ("id" ~ '^pv_'),
        "product_id" text NOT NULL REFERENCES "billing"."products" ("product_id"),
        "version" integer NOT NULL CHECK ("version" >= 1),
        "pricing" jsonb NOT NULL CHECK (jsonb_typeof("pricing") = 'object' AND "pricing" ? 'model'),
        "effective_from" timestamptz NOT NULL,
        "stripe_price_id" text NOT NULL UNIQUE,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pricing_versions_product_version_key" UNIQUE ("product_id", "version"),
        CONSTRAINT "pricing_versions_product_effective_from_key" UNIQUE ("product_id", "effective_from")
      )`);
    await queryRunner.query(`
      CREATE TABLE "billing"."customer_discounts" (
        "discount_id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "customer_id" text NOT NULL
          REFERENCES "billing"."customers" ("customer_id") ON UPDATE CASCADE,
        "product_id" text REFERENCES "billing"."products" ("product_id"),
        "percent_off" numeric CHECK ("percent_off" > 0 AND "percent_off" <= 100),
        "amount_off" bigint CHECK ("amount_off" > 0),
        "starts_at" timestamptz,
        "ends_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "customer_discounts_one_kind" CHECK
          (("percent_off" IS NULL) <> ("amount_off" IS NULL)),
        CONSTRAINT "customer_discounts_period" CHECK ("ends_at" > "starts_at"),
        CONSTRAINT "customer_discounts_customer_product_key"
          UNIQUE NULLS NOT DISTINCT ("customer_id", "product_id")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "billing"."customer_discounts"`);
    await queryRunner.query(`DROP TABLE "billing"."pricing_versions"`);
    await queryRunner.query(`DROP TABLE "billing"."products"`);
  }
}
