import type { QueryRunner } from 'typeorm';

export function outboxNotifyChannel(schema: string): string {
  return `aegis_outbox_${schema}`;
}

/**
 * The outbox and inbox tables in a service's own schema, as of their first
 * version. Called from each service's initial migration; a later change to
 * these tables is a new function and a new migration, never an edit here.
 */
export async function createMessagingTablesV1(
  queryRunner: QueryRunner,
  schema: string,
): Promise<void> {
  await queryRunner.query(`
    CREATE TABLE "${schema}"."outbox" (
      "id" text PRIMARY KEY,
      "message_type" text NOT NULL,
      "routing_key" text NOT NULL,
      "correlation_id" text NOT NULL,
      "envelope" jsonb NOT NULL,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "published_at" timestamptz
    )`);
  await queryRunner.query(
    `CREATE INDEX "outbox_unpublished_idx" ON "${schema}"."outbox" ("created_at") WHERE "published_at" IS NULL`,
  );
  await queryRunner.query(
    `CREATE INDEX "outbox_published_at_idx" ON "${schema}"."outbox" ("published_at") WHERE "published_at" IS NOT NULL`,
  );
  await queryRunner.query(`
    CREATE FUNCTION "${schema}"."notify_outbox"() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('${outboxNotifyChannel(schema)}', '');
      RETURN NULL;
    END $$`);
  await queryRunner.query(`
    CREATE TRIGGER "outbox_notify" AFTER INSERT ON "${schema}"."outbox"
    FOR EACH STATEMENT EXECUTE FUNCTION "${schema}"."notify_outbox"()`);
  await queryRunner.query(`
    CREATE TABLE "${schema}"."inbox" (
      "message_id" text PRIMARY KEY,
      "message_type" text NOT NULL,
      "received_at" timestamptz NOT NULL DEFAULT now()
    )`);
}

export async function dropMessagingTablesV1(
  queryRunner: QueryRunner,
  schema: string,
): Promise<void> {
  await queryRunner.query(`DROP TABLE IF EXISTS "${schema}"."inbox"`);
  await queryRunner.query(`DROP TABLE IF EXISTS "${schema}"."outbox"`);
  await queryRunner.query(`DROP FUNCTION IF EXISTS "${schema}"."notify_outbox"()`);
}
