import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { ApiKey } from './api-key.entity.js';

const FLUSH_INTERVAL_MS = 5_000;

/**
 * `last_used_at` of keys, written behind: a key used a thousand times a
 * second costs one UPDATE per interval, not one per request.
 */
@Injectable()
export class ApiKeyUsageTracker implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ApiKeyUsageTracker.name);
  private used = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  markUsed(keyId: string): void {
    this.used.add(keyId);
  }

  async flush(): Promise<void> {
    if (this.used.size === 0) return;
    const ids = [...this.used];
    this.used = new Set();
    try {
      await this.dataSource
        .getRepository(ApiKey)
        .update({ id: In(ids) }, { lastUsedAt: () => 'now()' });
    } catch (error) {
      this.logger.warn(`last_used_at of ${ids.length} keys not written: ${String(error)}`);
      for (const id of ids) this.used.add(id);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
