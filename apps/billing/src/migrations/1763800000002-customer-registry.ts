import type { MigrationInterface, QueryRunner } from 'typeorm';

/** CUSTOMER_ID_PATTERN of @aegis/contracts, as PostgreSQL writes it. */
const CUSTOMER_ID_REGEX = '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$';

/**
 * The mirror of Stripe customers becomes the one customer registry: keyed by
 * the system's customer id (text) instead of a uuid billing minted. Existing
 * rows take the id their Stripe customer names (`metadata.aegis_customer_id`),
 * else their Stripe id; their transactions follow through the foreign key.
 */
export class CustomerRegistry1763800000002 implements MigrationInterface {
  name = 'CustomerRegistry1763800000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "billing"."billing_transactions" DROP CONSTRAINT "billing_transactions_customer_id_fkey"`,
    );
    await queryRunner.query(`ALTER TABLE "billing"."stripe_customers" RENAME TO "customers"`);
    await queryRunner.query(
      `ALTER INDEX "billing"."stripe_customers_pkey" RENAME TO "customers_pkey"`,
    );
    await queryRunner.query(
      `ALTER TABLE "billing"."customers" RENAME CONSTRAINT "stripe_customers_stripe_customer_id_key" TO "customers_stripe_customer_id_key"`,
    );
    await queryRunner.query(
      `ALTER TABLE "billing"."customers" ALTER COLUMN "customer_id" DROP DEFAULT`,
    );
    await queryRunner.query(
      `ALTER TABLE "billing"."customers" ALTER COLUMN "customer_id" TYPE text USING "customer_id"::text`,
    );
    await queryRunner.query(
      `ALTER TABLE "billing"."billing_transactions" ALTER COLUMN "customer_id" TYPE text USING "customer_id"::text`,
    );
    await queryRunner.query(`
      ALTER TABLE "billing"."billing_transactions"
        ADD CONSTRAINT "billing_transactions_customer_id_fkey" FOREIGN KEY ("customer_id")
        REFERENCES "billing"."customers" ("customer_id") ON UPDATE CASCADE`);
    await queryRunner.query(
      `UPDATE "billing"."customers" SET "customer_id" =
         CASE WHEN "metadata"->>'aegis_customer_id' ~ $1 THEN "metadata"->>'aegis_customer_id'
              ELSE "stripe_customer_id" END`,
      [CUSTOMER_ID_REGEX],
    );
    await queryRunner.query(`
      ALTER TABLE "billing"."customers"
        ADD CONSTRAINT "customers_customer_id_format" CHECK ("customer_id" ~ '${CUSTOMER_ID_REGEX}')`);
  }

  /** Back to the old names; the ids stay text (the uuids they replaced are gone). */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "billing"."customers" DROP CONSTRAINT "customers_customer_id_format"`,
    );
    await queryRunner.query(
      `ALTER TABLE "billing"."customers" RENAME CONSTRAINT "customers_stripe_customer_id_key" TO "stripe_customers_stripe_customer_id_key"`,
    );
    await queryRunner.query(
      `ALTER INDEX "billing"."customers_pkey" RENAME TO "stripe_customers_pkey"`,
    );
    await queryRunner.query(`ALTER TABLE "billing"."customers" RENAME TO "stripe_customers"`);
  }
}
