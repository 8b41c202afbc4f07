import { createMessagingTablesV1, dropMessagingTablesV1 } from '@aegis/messaging';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateIngestSchema1763800000000 implements MigrationInterface {
  name = 'CreateIngestSchema1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createMessagingTablesV1(queryRunner, 'ingest');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropMessagingTablesV1(queryRunner, 'ingest');
  }
}
