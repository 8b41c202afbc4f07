import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateUsageEvents1763800000001 implements MigrationInterface {
  name = 'CreateUsageEvents1763800000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "metering"."usage_events" (
        "event_id" text PRIMARY KEY,
        "customer_id" text NOT NULL,
        "meter" text NOT NULL,
        "quantity" bigint NOT NULL CHECK ("quantity" > 0),
        "recorded_at" timestamptz NOT NULL,
        "api_key_id" text,
        "received_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX "usage_events_customer_meter_time_idx" ON "metering"."usage_events" ("customer_id", "meter", "recorded_at")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "metering"."usage_events"`);
  }
}
