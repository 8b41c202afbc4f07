import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateBackfillRuns1764900000002 implements MigrationInterface {
  name = 'CreateBackfillRuns1764900000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "ingest"."backfill_runs" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "created_since" timestamptz,
        "cursor" text,
        "status" text NOT NULL CHECK ("status" IN ('running', 'done', 'failed')),
        "pages" integer NOT NULL DEFAULT 0,
        "seen" integer NOT NULL DEFAULT 0,
        "ingested" integer NOT NULL DEFAULT 0,
        "error" text,
        "started_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "finished_at" timestamptz
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "backfill_runs_one_running_idx" ON "ingest"."backfill_runs" ((true)) WHERE "status" = 'running'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "ingest"."backfill_runs"`);
  }
}
