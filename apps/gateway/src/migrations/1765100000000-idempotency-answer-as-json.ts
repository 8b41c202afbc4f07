import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A replayed answer must be the first one as it was sent: `jsonb` reorders an
 * object's keys (e.g. a customer's metadata), `json` keeps the text.
 */
export class IdempotencyAnswerAsJson1765100000000 implements MigrationInterface {
  name = 'IdempotencyAnswerAsJson1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "gateway"."idempotency_records" ALTER COLUMN "response_body" TYPE json USING "response_body"::json`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "gateway"."idempotency_records" ALTER COLUMN "response_body" TYPE jsonb USING "response_body"::jsonb`,
    );
  }
}
