import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { WebhookEventV1 } from '@aegis/contracts';
import {
  DataSource,
  type EntityManager,
  type EntitySubscriberInterface,
  type QueryRunner,
  type TransactionCommitEvent,
  type TransactionRollbackEvent,
} from 'typeorm';
import { GatewayEnv } from '../config/gateway.env.js';

const HOUR_MS = 3_600_000;

/**
 * Turns an event into one delivery per enabled endpoint that subscribes to
 * its type (or to `*`), in the caller's transaction: for a domain event the
 * inbox transaction, so the deliveries commit with the inbox row or not at
 * all. The body is fixed here, so every attempt sends (and signs) the same
 * bytes. Wakes the delivery worker once that transaction commits.
 */
@Injectable()
export class WebhookFanout
  implements OnModuleInit, OnApplicationShutdown, EntitySubscriberInterface
{
  private readonly wakeOnCommit = new WeakSet<QueryRunner>();
  private readonly listeners: (() => void)[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly env: GatewayEnv,
  ) {}

  onModuleInit(): void {
    this.dataSource.subscribers.push(this);
  }

  onApplicationShutdown(): void {
    const index = this.dataSource.subscribers.indexOf(this);
    if (index >= 0) this.dataSource.subscribers.splice(index, 1);
  }

  /** `listener` runs after a commit that enqueued deliveries. */
  onEnqueued(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** The deliveries of `event` it made (none when no endpoint wants it, or it was enqueued before). */
  async enqueue(manager: EntityManager, event: WebhookEventV1): Promise<number> {
    const rows = await manager.query<unknown[]>(
      `INSERT INTO "gateway"."webhook_deliveries"
         ("id", "endpoint_id", "event_id", "event_type", "body", "status", "next_attempt_at", "retry_until", "created_at")
       SELECT 'wd_' || replace(gen_random_uuid()::text, '-', ''), "endpoint"."id", $1, $2, $3, 'pending',
              now(), now() + $4::double precision * interval '1 millisecond', now()
         FROM "gateway"."webhook_endpoints" "endpoint"
        WHERE "endpoint"."status" = 'enabled' AND ($2 = ANY ("endpoint"."events") OR '*' = ANY ("endpoint"."events"))
       ON CONFLICT ("endpoint_id", "event_id") DO NOTHING
       RETURNING "id"`,
      [event.id, event.type, JSON.stringify(event), this.env.WEBHOOK_RETRY_WINDOW_HOURS * HOUR_MS],
    );
    if (rows.length > 0) {
      const runner = manager.queryRunner;
      if (runner?.isTransactionActive === true) this.wakeOnCommit.add(runner);
      else this.wakeWorkers();
    }
    return rows.length;
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    if (event.queryRunner.isTransactionActive) return; // a savepoint: the transaction goes on
    if (this.wakeOnCommit.delete(event.queryRunner)) this.wakeWorkers();
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (!event.queryRunner.isTransactionActive) this.wakeOnCommit.delete(event.queryRunner);
  }

  /** Runs the listeners now (a delivery made due by other means, e.g. a retry). */
  wakeWorkers(): void {
    for (const listener of this.listeners) listener();
  }
}
