import type { MigrationInterface, QueryRunner } from 'typeorm';

export class KeysIdempotencyAudit1765000000000 implements MigrationInterface {
  name = 'KeysIdempotencyAudit1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "gateway"."api_keys" (
        "id" text PRIMARY KEY,
        "customer_id" text NOT NULL,
        "name" text NOT NULL,
        "prefix" text NOT NULL,
        "secret_hash" bytea NOT NULL,
        "scopes" text[] NOT NULL,
        "rate_limit_requests" integer NOT NULL CHECK ("rate_limit_requests" > 0),
        "rate_limit_per_seconds" integer NOT NULL CHECK ("rate_limit_per_seconds" > 0),
        "created_at" timestamptz NOT NULL,
        "expires_at" timestamptz,
        "revoked_at" timestamptz,
        "last_used_at" timestamptz,
        "rolled_from" text REFERENCES "gateway"."api_keys" ("id")
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "api_keys_secret_hash" ON "gateway"."api_keys" ("secret_hash")`,
    );
    await queryRunner.query(
      `CREATE INDEX "api_keys_customer_newest" ON "gateway"."api_keys" ("customer_id", "created_at" DESC, "id" DESC)`,
    );
    await queryRunner.query(`
      CREATE TABLE "gateway"."idempotency_records" (
        "owner_key_id" text NOT NULL,
        "idempotency_key" text NOT NULL,
        "request_fingerprint" text NOT NULL,
        "state" text NOT NULL CHECK ("state" IN ('in_flight', 'completed')),
        "response_status" integer,
        "response_body" jsonb,
        "locked_at" timestamptz NOT NULL,
        "created_at" timestamptz NOT NULL,
        "expires_at" timestamptz NOT NULL,
        PRIMARY KEY ("owner_key_id", "idempotency_key")
      )`);
    await queryRunner.query(
      `CREATE INDEX "idempotency_records_expiry" ON "gateway"."idempotency_records" ("expires_at")`,
    );
    await queryRunner.query(`
      CREATE TABLE "gateway"."audit_log" (
        "id" text PRIMARY KEY,
        "key_id" text NOT NULL,
        "action" text NOT NULL,
        "target" text NOT NULL,
        "request_id" text NOT NULL,
        "created_at" timestamptz NOT NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX "audit_log_newest" ON "gateway"."audit_log" ("created_at" DESC, "id" DESC)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "gateway"."audit_log"`);
    await queryRunner.query(`DROP TABLE "gateway"."idempotency_records"`);
    await queryRunner.query(`DROP TABLE "gateway"."api_keys"`);
  }
}
