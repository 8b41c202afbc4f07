import { createMessagingTablesV1, dropMessagingTablesV1 } from '@aegis/messaging';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateMeteringSchema1763800000000 implements MigrationInterface {
  name = 'CreateMeteringSchema1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createMessagingTablesV1(queryRunner, 'metering');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropMessagingTablesV1(queryRunner, 'metering');
  }
}
