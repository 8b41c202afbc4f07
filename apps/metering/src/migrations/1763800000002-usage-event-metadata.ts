import type { MigrationInterface, QueryRunner } from 'typeorm';

/** What the producer said of each usage record (`usage.recorded.v1`'s `metadata`); `{}` when nothing. */
export class UsageEventMetadata1763800000002 implements MigrationInterface {
  name = 'UsageEventMetadata1763800000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "metering"."usage_events"
        ADD COLUMN "metadata" jsonb NOT NULL DEFAULT '{}'
          CONSTRAINT "usage_events_metadata_object" CHECK (jsonb_typeof("metadata") = 'object')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "metering"."usage_events" DROP COLUMN "metadata"`);
  }
}
