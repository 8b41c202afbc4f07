import type { EntityManager } from 'typeorm';

/**
 * Takes a PostgreSQL advisory lock on `key` until the transaction of `manager`
 * ends, so that work on one object (a Stripe object, a customer id) runs one
 * transaction at a time, its first insert included.
 */
export async function lockUntilCommit(manager: EntityManager, key: string): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [key]);
}
