import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { ReadinessCheck } from '@aegis/observability';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { isSchemaCurrent, migrateSchema } from './migrations.js';

/** Applies the service's pending migrations when it starts, before it consumes or serves anything. */
@Injectable()
export class MigrateOnStart implements OnModuleInit {
  private readonly logger = new Logger(MigrateOnStart.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: string,
  ) {}

  async onModuleInit(): Promise<void> {
    const applied = await migrateSchema(this.dataSource, this.schema);
    if (applied.length > 0)
      this.logger.log(`applied migrations to ${this.schema}: ${applied.join(', ')}`);
  }
}

/** Ready when the database answers and every migration the service knows is applied. */
@Injectable()
export class DatabaseReadiness implements ReadinessCheck {
  readonly name = 'database';
  private current = false;

  constructor(private readonly dataSource: DataSource) {}

  async check(): Promise<HealthIndicatorResult> {
    try {
      await this.dataSource.query('SELECT 1');
      // Once current, it stays so: a newer replica's migrations do not make ours pending.
      this.current ||= await isSchemaCurrent(this.dataSource);
      return { database: { status: this.current ? 'up' : 'down', migrated: this.current } };
    } catch (error) {
      return { database: { status: 'down', message: (error as Error).message } };
    }
  }
}
