import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';

/** A stable 63-bit advisory lock key per schema. */
function lockKeyOf(schema: string): string {
  return BigInt.asIntN(
    64,
    BigInt(
      `0x${createHash('sha256').update(`aegis:migrate:${schema}`).digest('hex').slice(0, 16)}`,
    ),
  ).toString();
}

/**
 * Creates the schema if it is missing and applies pending migrations, holding a
 * Postgres advisory lock so that replicas starting together migrate one at a
 * time (the others wait, then find nothing left to do). Returns the names of
 * the migrations it applied.
 */
export async function migrateSchema(dataSource: DataSource, schema: string): Promise<string[]> {
  const lockRunner = dataSource.createQueryRunner();
  await lockRunner.connect();
  const key = lockKeyOf(schema);
  try {
    await lockRunner.query('SELECT pg_advisory_lock($1::bigint)', [key]);
    // Only when it is missing: PostgreSQL checks CREATE on the database for `CREATE SCHEMA IF
    // NOT EXISTS` even when the schema exists, and a service's role owns its schema, nothing more.
    const existing = (await lockRunner.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [
      schema,
    ])) as unknown[];
    if (existing.length === 0) await lockRunner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await lockRunner.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch(() => undefined);
    await lockRunner.release();
  }
}

/** True when every migration the service knows is applied. */
export async function isSchemaCurrent(dataSource: DataSource): Promise<boolean> {
  return !(await dataSource.showMigrations());
}
