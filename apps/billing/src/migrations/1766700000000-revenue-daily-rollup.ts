import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A statement's rows, each with its sign: 1 the new rows (after it), -1 the old ones (before it). */
const STATEMENT_ROWS = {
  INSERT: `SELECT 1 AS "sign", * FROM "new_rows"`,
  DELETE: `SELECT -1 AS "sign", * FROM "old_rows"`,
  UPDATE: `SELECT 1 AS "sign", * FROM "new_rows" UNION ALL SELECT -1, * FROM "old_rows"`,
} as const;

/** A charge's lost disputes' amounts and its disputes' fees, for the charges of `charges`. */
const disputesOf = (charges: string): string => `
  SELECT d."transaction_id",
         coalesce(sum(d."amount_cents") FILTER (WHERE d."status" = 'lost'), 0) AS "lost",
         coalesce(sum(d."fee_cents"), 0) AS "fees"
    FROM "billing"."transaction_disputes" d
   WHERE d."transaction_id" IN (SELECT "transaction_id" FROM ${charges})
   GROUP BY 1`;

/**
 * Adds to the rollup what states of charges add, each times its sign (1 a new state, -1 an old
 * one): `states` selects "sign", a ledger row's columns and the "lost" amount and "fees" of its
 * disputes. A charge that did not succeed adds nothing; a group whose changes cancel out is not
 * written.
 */
const addStates = (states: string): string => `
  WITH "states" AS (${states}),
  "sums" AS (
    SELECT s."currency", (s."stripe_created_at" AT TIME ZONE 'UTC')::date AS "day",
           coalesce(nullif(s."metadata"->>'aegis_product_id', ''), nullif(s."metadata"->>'product_id', '')) AS "product",
           sum(s."sign" * s."amount_cents") AS "gross",
           sum(s."sign" * s."amount_refunded_cents") AS "refunded",
           sum(s."sign" * least(s."lost", greatest(s."amount_cents" - s."amount_refunded_cents", 0))) AS "disputed",
           sum(s."sign" * s."fees") AS "fees",
           sum(s."sign") AS "count"
      FROM "states" s
     WHERE s."status" IN ('succeeded', 'partially_refunded', 'refunded')
     GROUP BY 1, 2, 3
  )
  INSERT INTO "billing"."revenue_daily" AS r
         ("currency", "day", "metadata_product_id", "gross_cents", "refunded_cents",
          "disputed_cents", "dispute_fees_cents", "transaction_count")
  SELECT * FROM "sums"
   WHERE "gross" <> 0 OR "refunded" <> 0 OR "disputed" <> 0 OR "fees" <> 0 OR "count" <> 0
  ON CONFLICT ("currency", "day", "metadata_product_id") DO UPDATE SET
         "gross_cents" = r."gross_cents" + EXCLUDED."gross_cents",
         "refunded_cents" = r."refunded_cents" + EXCLUDED."refunded_cents",
         "disputed_cents" = r."disputed_cents" + EXCLUDED."disputed_cents",
         "dispute_fees_cents" = r."dispute_fees_cents" + EXCLUDED."dispute_fees_cents",
         "transaction_count" = r."transaction_count" + EXCLUDED."transaction_count";`;

/** A statement on the ledger: its rows, each with its disputes as they are. */
const ledgerStates = (rows: string): string => `
  WITH "changed" AS (${rows}), "disputes" AS (${disputesOf('"changed"')})
  SELECT t.*, coalesce(d."lost", 0) AS "lost", coalesce(d."fees", 0) AS "fees"
    FROM "changed" t
    LEFT JOIN "disputes" d ON d."transaction_id" = t."transaction_id"`;

/** The charges of a statement on the disputes, locked in order before their disputes are read. */
const lockCharges = (rows: string): string => `
  PERFORM 1 FROM "billing"."billing_transactions"
    WHERE "transaction_id" IN (SELECT "transaction_id" FROM (${rows}) c)
    ORDER BY "transaction_id" FOR UPDATE;`;

/**
 * A statement on the disputes: each charge it touched, in with its disputes as they are now, out
 * with them as they were before the statement (now, less the statement's new rows, plus its old).
 */
const disputeStates = (rows: string): string => `
  WITH "changed" AS (
    SELECT c."transaction_id",
           sum(c."sign" * CASE WHEN c."status" = 'lost' THEN c."amount_cents" ELSE 0 END) AS "lost",
           sum(c."sign" * coalesce(c."fee_cents", 0)) AS "fees"
      FROM (${rows}) c
     WHERE c."transaction_id" IS NOT NULL
     GROUP BY 1
  ),
  "disputes" AS (${disputesOf('"changed"')})
  SELECT 1 AS "sign", t.*, coalesce(d."lost", 0) AS "lost", coalesce(d."fees", 0) AS "fees"
    FROM "changed" c
    JOIN "billing"."billing_transactions" t ON t."transaction_id" = c."transaction_id"
    LEFT JOIN "disputes" d ON d."transaction_id" = c."transaction_id"
  UNION ALL
  SELECT -1, t.*, coalesce(d."lost", 0) - c."lost", coalesce(d."fees", 0) - c."fees"
    FROM "changed" c
    JOIN "billing"."billing_transactions" t ON t."transaction_id" = c."transaction_id"
    LEFT JOIN "disputes" d ON d."transaction_id" = c."transaction_id"`;

/**
 * Revenue's rollup (docs/metrics.md, "The daily rollup"): `revenue_daily`
 * holds, per currency, UTC day of `stripe_created_at` and product named by the
 * charge's own metadata (NULL: none, attributed at read time), the sums of
 * revenue's rule over the succeeded charges of that day: gross, refunded,
 * disputed (per charge at most what its refunds left of it), dispute fees and
 * the count. Range queries sum its whole days and read only the partial first
 * and last day from the ledger.
 *
 * It is kept by statement triggers on `billing_transactions` and
 * `transaction_disputes`, so that every write of either (the Stripe mirror,
 * manual payments, refunds, disputes, whatever code or SQL makes it) changes
 * it in the same transaction: each statement's old rows are taken out and its
 * new rows put in with `INSERT … ON CONFLICT DO UPDATE` increments. A charge's
 * disputed amount is not additive (`least(lost, amount - refunded)`), so a
 * dispute statement locks its charges' rows before reading their disputes:
 * two writers of one charge take turns, the second (read committed) seeing
 * the first's rows.
 */
export class RevenueDailyRollup1766700000000 implements MigrationInterface {
  name = 'RevenueDailyRollup1766700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `LOCK TABLE "billing"."billing_transactions", "billing"."transaction_disputes" IN SHARE ROW EXCLUSIVE MODE`,
    );
    await queryRunner.query(`
      CREATE TABLE "billing"."revenue_daily" (
        "currency" char(3) NOT NULL,
        "day" date NOT NULL,
        "metadata_product_id" text,
        "gross_cents" bigint NOT NULL,
        "refunded_cents" bigint NOT NULL,
        "disputed_cents" bigint NOT NULL,
        "dispute_fees_cents" bigint NOT NULL,
        "transaction_count" bigint NOT NULL,
        CONSTRAINT "revenue_daily_key" UNIQUE NULLS NOT DISTINCT ("currency", "day", "metadata_product_id")
      )`);
    // Static SQL in each branch (generated below, one per event, as each event has its own
    // transition tables), so that PL/pgSQL prepares and keeps its plans.
    await queryRunner.query(`
      CREATE FUNCTION "billing"."revenue_daily_of_transactions"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          ${addStates(ledgerStates(STATEMENT_ROWS.INSERT))}
        ELSIF TG_OP = 'DELETE' THEN
          ${addStates(ledgerStates(STATEMENT_ROWS.DELETE))}
        ELSE
          ${addStates(ledgerStates(STATEMENT_ROWS.UPDATE))}
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE FUNCTION "billing"."revenue_daily_of_disputes"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          ${lockCharges(STATEMENT_ROWS.INSERT)}
          ${addStates(disputeStates(STATEMENT_ROWS.INSERT))}
        ELSIF TG_OP = 'DELETE' THEN
          ${lockCharges(STATEMENT_ROWS.DELETE)}
          ${addStates(disputeStates(STATEMENT_ROWS.DELETE))}
        ELSE
          ${lockCharges(STATEMENT_ROWS.UPDATE)}
          ${addStates(disputeStates(STATEMENT_ROWS.UPDATE))}
        END IF;
        RETURN NULL;
      END $$`);
    for (const [table, fn] of [
      ['billing_transactions', 'revenue_daily_of_transactions'],
      ['transaction_disputes', 'revenue_daily_of_disputes'],
    ] as const) {
      await queryRunner.query(
        `CREATE TRIGGER "${table}_revenue_daily_insert" AFTER INSERT ON "billing"."${table}"
           REFERENCING NEW TABLE AS "new_rows" FOR EACH STATEMENT EXECUTE FUNCTION "billing"."${fn}"()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER "${table}_revenue_daily_update" AFTER UPDATE ON "billing"."${table}"
           REFERENCING OLD TABLE AS "old_rows" NEW TABLE AS "new_rows"
           FOR EACH STATEMENT EXECUTE FUNCTION "billing"."${fn}"()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER "${table}_revenue_daily_delete" AFTER DELETE ON "billing"."${table}"
           REFERENCING OLD TABLE AS "old_rows" FOR EACH STATEMENT EXECUTE FUNCTION "billing"."${fn}"()`,
      );
    }
    // TRUNCATE fires no row triggers: emptying the ledger empties the rollup, emptying the
    // disputes leaves nothing disputed.
    await queryRunner.query(`
      CREATE FUNCTION "billing"."revenue_daily_truncated"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_TABLE_NAME = 'billing_transactions' THEN
          DELETE FROM "billing"."revenue_daily";
        ELSE
          UPDATE "billing"."revenue_daily" SET "disputed_cents" = 0, "dispute_fees_cents" = 0;
        END IF;
        RETURN NULL;
      END $$`);
    for (const table of ['billing_transactions', 'transaction_disputes'])
      await queryRunner.query(
        `CREATE TRIGGER "${table}_revenue_daily_truncate" AFTER TRUNCATE ON "billing"."${table}"
           FOR EACH STATEMENT EXECUTE FUNCTION "billing"."revenue_daily_truncated"()`,
      );
    // The rows already stored.
    await queryRunner.query(`
      INSERT INTO "billing"."revenue_daily"
             ("currency", "day", "metadata_product_id", "gross_cents", "refunded_cents",
              "disputed_cents", "dispute_fees_cents", "transaction_count")
      SELECT t."currency", (t."stripe_created_at" AT TIME ZONE 'UTC')::date,
             coalesce(nullif(t."metadata"->>'aegis_product_id', ''), nullif(t."metadata"->>'product_id', '')),
             sum(t."amount_cents"), sum(t."amount_refunded_cents"),
             sum(least(coalesce(d."lost", 0), greatest(t."amount_cents" - t."amount_refunded_cents", 0))),
             sum(coalesce(d."fees", 0)), count(*)
        FROM "billing"."billing_transactions" t
        LEFT JOIN (
          SELECT "transaction_id",
                 coalesce(sum("amount_cents") FILTER (WHERE "status" = 'lost'), 0) AS "lost",
                 coalesce(sum("fee_cents"), 0) AS "fees"
            FROM "billing"."transaction_disputes"
           WHERE "transaction_id" IS NOT NULL
           GROUP BY 1
        ) d ON d."transaction_id" = t."transaction_id"
       WHERE t."status" IN ('succeeded', 'partially_refunded', 'refunded')
       GROUP BY 1, 2, 3`);
    // By product: the charges whose metadata names no product are attributed at read time
    // (checkout, invoice lines, plan), a range of them read by an index-only scan of this index
    // (carrying what attribution needs: they are scattered over the table's pages). The
    // statistics of the expression let the planner see how many they are.
    await queryRunner.query(
      `CREATE INDEX "billing_transactions_unnamed_product_idx" ON "billing"."billing_transactions" ("stripe_created_at")
         INCLUDE ("transaction_id", "currency", "amount_cents", "metadata", "stripe_checkout_session_id",
                  "stripe_payment_intent_id", "stripe_invoice_id")
         WHERE "status" IN ('succeeded', 'partially_refunded', 'refunded')
           AND coalesce(nullif("metadata"->>'aegis_product_id', ''), nullif("metadata"->>'product_id', '')) IS NULL`,
    );
    await queryRunner.query(
      `CREATE STATISTICS "billing"."billing_transactions_metadata_product_stats"
         ON (coalesce(nullif("metadata"->>'aegis_product_id', ''), nullif("metadata"->>'product_id', '')))
         FROM "billing"."billing_transactions"`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DROP STATISTICS "billing"."billing_transactions_metadata_product_stats"`,
    );
    await queryRunner.query(`DROP INDEX "billing"."billing_transactions_unnamed_product_idx"`);
    for (const table of ['billing_transactions', 'transaction_disputes'])
      for (const event of ['insert', 'update', 'delete', 'truncate'])
        await queryRunner.query(
          `DROP TRIGGER "${table}_revenue_daily_${event}" ON "billing"."${table}"`,
        );
    await queryRunner.query(`DROP FUNCTION "billing"."revenue_daily_truncated"()`);
    await queryRunner.query(`DROP FUNCTION "billing"."revenue_daily_of_disputes"()`);
    await queryRunner.query(`DROP FUNCTION "billing"."revenue_daily_of_transactions"()`);
    await queryRunner.query(`DROP TABLE "billing"."revenue_daily"`);
  }
}
