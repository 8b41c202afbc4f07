import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateStripeEventReceipts1764900000001 implements MigrationInterface {
  name = 'CreateStripeEventReceipts1764900000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    // No foreign key to the events: a receipt is kept even for an event this instance never stored.
    await queryRunner.query(`
      CREATE TABLE "ingest"."stripe_event_receipts" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "event_id" text NOT NULL,
        "service" text NOT NULL,
        "outcome" text NOT NULL,
        "applied_at" timestamptz NOT NULL,
        "receipt_count" integer NOT NULL DEFAULT 1 CHECK ("receipt_count" >= 1),
        "received_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "stripe_event_receipts_event_service_key" UNIQUE ("event_id", "service")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "ingest"."stripe_event_receipts"`);
  }
}
