import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DataSource, LessThan } from 'typeorm';
import { IdempotencyRecord } from './idempotency-record.entity.js';

const SWEEP_INTERVAL_MS = 10 * 60 * 1_000;

/** Deletes idempotency records past their 24 h, so the table holds one day of POSTs. */
@Injectable()
export class IdempotencySweeper implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(IdempotencySweeper.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  async sweep(): Promise<number> {
    try {
      const result = await this.dataSource
        .getRepository(IdempotencyRecord)
        .delete({ expiresAt: LessThan(new Date()) });
      return result.affected ?? 0;
    } catch (error) {
      this.logger.warn(`expired idempotency records not swept: ${String(error)}`);
      return 0;
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
