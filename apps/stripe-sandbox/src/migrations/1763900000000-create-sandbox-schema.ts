import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSandboxSchema1763900000000 implements MigrationInterface {
  name = 'CreateSandboxSchema1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE sandbox.objects (
        id text PRIMARY KEY,
        kind text NOT NULL,
        seq bigint NOT NULL,
        data jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX objects_kind_seq ON sandbox.objects (kind, seq)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE sandbox.objects');
  }
}
