import { afterAll, beforeAll, describe, it, expect } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { DEFAULT_DATABASE_URL } from '@aegis/config';
import { defined } from '@aegis/testing';
import {
  createServiceDataSource,
  dropDatabase,
  ensureDatabase,
  isSchemaCurrent,
  migrateSchema,
} from '../src/index.js';

const SCHEMA = 'replicas';

class CreateCounter1700000000001 implements MigrationInterface {
  name = 'CreateCounter1700000000001';
  async up(queryRunner: QueryRunner): Promise<void> {
    // Slow on purpose, so that replicas starting together really overlap.
    await queryRunner.query('SELECT pg_sleep(0.3)');
    await queryRunner.query(`CREATE TABLE "${SCHEMA}"."counter" ("n" int NOT NULL)`);
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "${SCHEMA}"."counter"`);
  }
}

class SeedCounter1700000000002 implements MigrationInterface {
  name = 'SeedCounter1700000000002';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`INSERT INTO "${SCHEMA}"."counter" ("n") VALUES (1)`);
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "${SCHEMA}"."counter"`);
  }
}

describe(migrateSchema.name, () => {
  // Not @aegis/testing's helper: that lib builds on this one.
  const url = new URL(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
  url.pathname = `/aegis_test_${randomBytes(4).toString('hex')}`;
  const database = { url: url.toString() };

  beforeAll(async () => {
    await ensureDatabase(database.url);
  });

  afterAll(async () => {
    await dropDatabase(database.url);
  });

  it('applies each migration exactly once when several replicas start together', async () => {
    const replicas = Array.from({ length: 4 }, (_, index) =>
      createServiceDataSource({
        databaseUrl: database.url,
        schema: SCHEMA,
        entities: [],
        migrations: [CreateCounter1700000000001, SeedCounter1700000000002],
        applicationName: `replica-${index}`,
        poolSize: 2,
      }),
    );
    await Promise.all(replicas.map((replica) => replica.initialize()));
    try {
      const applied = await Promise.all(replicas.map((replica) => migrateSchema(replica, SCHEMA)));
      expect(applied.flat().sort()).toStrictEqual([
        'CreateCounter1700000000001',
        'SeedCounter1700000000002',
      ]);
      const first = defined(replicas[0], 'the first replica');
      expect(await isSchemaCurrent(first)).toBe(true);
      const rows: { n: number }[] = await first.query(`SELECT "n" FROM "${SCHEMA}"."counter"`);
      expect(rows).toStrictEqual([{ n: 1 }]);
      const history: { name: string }[] = await first.query(
        `SELECT "name" FROM "${SCHEMA}"."migrations" ORDER BY "id"`,
      );
      expect(history.map((row) => row.name)).toStrictEqual([
        'CreateCounter1700000000001',
        'SeedCounter1700000000002',
      ]);
    } finally {
      await Promise.all(replicas.map((replica) => replica.destroy()));
    }
  });
});
