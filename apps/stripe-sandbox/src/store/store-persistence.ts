import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  createServiceDataSource,
  ensureDatabase,
  migrateSchema,
  redactUrl,
} from '@aegis/persistence';
import type { DataSource } from 'typeorm';
import { StripeSandboxEnv } from '../config/stripe-sandbox.env.js';
import { sandboxMigrations } from '../migrations/index.js';
import type { ObjectKind, StoredObject } from './sandbox-objects.js';
import { SandboxStore } from './sandbox-store.js';

const SCHEMA = 'sandbox';

interface ObjectRow {
  id: string;
  kind: ObjectKind;
  seq: string;
  data: StoredObject;
}

/**
 * Keeps the store in schema `sandbox` when `SANDBOX_DATABASE_URL` is set, so
 * state survives a restart: everything is read back at start, and `flush()`
 * writes what changed in one transaction. Without the variable the state
 * lives in memory only and `flush()` just forgets the change list.
 */
@Injectable()
export class StorePersistence implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(StorePersistence.name);
  private dataSource: DataSource | null = null;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: SandboxStore,
    private readonly env: StripeSandboxEnv,
  ) {}

  async onModuleInit(): Promise<void> {
    const url = this.env.SANDBOX_DATABASE_URL;
    if (url === undefined) return;
    await ensureDatabase(url);
    const dataSource = createServiceDataSource({
      databaseUrl: url,
      schema: SCHEMA,
      entities: [],
      migrations: sandboxMigrations,
      applicationName: 'stripe-sandbox',
      poolSize: 2,
    });
    await dataSource.initialize();
    await migrateSchema(dataSource, SCHEMA);
    const rows = await dataSource.query<ObjectRow[]>(
      'SELECT id, kind, seq, data FROM sandbox.objects ORDER BY seq',
    );
    this.store.load(
      rows.map((row) => ({ id: row.id, kind: row.kind, seq: Number(row.seq), value: row.data })),
    );
    this.dataSource = dataSource;
    this.logger.log(`state kept in schema ${SCHEMA} of ${redactUrl(url)}: ${rows.length} objects`);
  }

  /** Writes every change made so far; calls are serialised so writes land in order. */
  flush(): Promise<void> {
    const next = this.pending.then(() => this.write());
    this.pending = next.catch(() => undefined);
    return next;
  }

  private async write(): Promise<void> {
    const { upserts, deletes } = this.store.takeChanges();
    const dataSource = this.dataSource;
    if (dataSource === null || (upserts.length === 0 && deletes.length === 0)) return;
    await dataSource.transaction(async (manager) => {
      if (upserts.length > 0) {
        await manager.query(
          `INSERT INTO sandbox.objects (id, kind, seq, data)
           SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::jsonb[])
           ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, updated_at = now()`,
          [
            upserts.map((row) => row.id),
            upserts.map((row) => row.kind),
            upserts.map((row) => row.seq),
            upserts.map((row) => JSON.stringify(row.value)),
          ],
        );
      }
      if (deletes.length > 0) {
        await manager.query('DELETE FROM sandbox.objects WHERE id = ANY($1::text[])', [deletes]);
      }
    });
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource === null) return;
    await this.flush().catch((error: unknown) => {
      this.logger.error(`could not write the last changes: ${String(error)}`);
    });
    await this.dataSource.destroy();
  }
}
