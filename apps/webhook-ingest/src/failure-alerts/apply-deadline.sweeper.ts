import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { STRIPE_EVENT_NOT_APPLIED_V1 } from '@aegis/contracts';
import { EventPublisher } from '@aegis/messaging';
import { DataSource, type EntityManager } from 'typeorm';
import { WebhookIngestEnv } from '../config/webhook-ingest.env.js';
import { missingConsumers, type KnownConsumer } from './failure-alert-rules.js';

/** Events checked per transaction. */
const SWEEP_BATCH = 200;
/** A service that sent no receipt for a type for this long is no longer expected to apply it. */
const CONSUMER_HORIZON_DAYS = 7;

interface DueEvent {
  readonly event_id: string;
  readonly event_type: string;
  readonly published_at: Date;
}

/**
 * Every EVENT_APPLY_SWEEP_INTERVAL_MS: the stored events whose fan-out was
 * published more than EVENT_APPLY_DEADLINE_SECONDS ago and not checked yet
 * are checked against their receipts, once each across replicas (claimed
 * FOR UPDATE SKIP LOCKED, `apply_checked_at` set in the same transaction).
 * One lacking the receipt of a service expected to apply it
 * (`stripe_event_consumers`, see `missingConsumers`) publishes
 * `ingest.stripe_event.not_applied.v1` under an id derived from the event id.
 */
@Injectable()
export class ApplyDeadlineSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ApplyDeadlineSweeper.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: EventPublisher,
    private readonly env: WebhookIngestEnv,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.wake(), this.env.EVENT_APPLY_SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One sweep at a time in this process; the number of events found not applied. */
  sweep(): Promise<number> {
    this.running ??= this.sweepAll().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private wake(): void {
    this.sweep().catch((error: unknown) => {
      this.logger.warn(
        `apply-deadline sweep failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  }

  private async sweepAll(): Promise<number> {
    let notApplied = 0;
    for (;;) {
      const batch = await this.dataSource.transaction((manager) => this.checkBatch(manager));
      notApplied += batch.notApplied;
      if (batch.checked < SWEEP_BATCH) return notApplied;
    }
  }

  private async checkBatch(
    manager: EntityManager,
  ): Promise<{ checked: number; notApplied: number }> {
    const deadlineSeconds = this.env.EVENT_APPLY_DEADLINE_SECONDS;
    const due = await manager.query<DueEvent[]>(
      `SELECT "event_id", "event_type", "published_at" FROM "ingest"."stripe_webhook_events"
        WHERE "apply_checked_at" IS NULL AND "received_at" <= now() - make_interval(secs => $1)
          AND "published_at" <= now() - make_interval(secs => $1)
        ORDER BY "received_at"
        LIMIT $2
        FOR UPDATE SKIP LOCKED`,
      [deadlineSeconds, SWEEP_BATCH],
    );
    if (due.length === 0) return { checked: 0, notApplied: 0 };
    const consumers = await this.consumersOf(manager, [...new Set(due.map((e) => e.event_type))]);
    const receipts = await this.receiptsOf(
      manager,
      due.map((event) => event.event_id),
    );
    const checkedAt = new Date();
    let notApplied = 0;
    for (const event of due) {
      const appliedBy = receipts.get(event.event_id) ?? new Set<string>();
      const missing = missingConsumers(
        consumers.get(event.event_type) ?? [],
        event.published_at,
        appliedBy,
      );
      if (missing.length === 0) continue;
      notApplied += 1;
      await this.publisher.publishOnce(
        manager,
        STRIPE_EVENT_NOT_APPLIED_V1,
        {
          eventId: event.event_id,
          eventType: event.event_type,
          publishedAt: event.published_at.toISOString(),
          deadlineSeconds,
          missingServices: missing,
          appliedBy: [...appliedBy].sort(),
          checkedAt: checkedAt.toISOString(),
        },
        { id: `not_applied:${event.event_id}` },
      );
      this.logger.warn(
        `${event.event_type} ${event.event_id} not applied by ${missing.join(', ')} within ${deadlineSeconds} s of its publication`,
      );
    }
    await manager.query(
      `UPDATE "ingest"."stripe_webhook_events" SET "apply_checked_at" = $2 WHERE "event_id" = ANY($1::text[])`,
      [due.map((event) => event.event_id), checkedAt],
    );
    return { checked: due.length, notApplied };
  }

  private async consumersOf(
    manager: EntityManager,
    eventTypes: readonly string[],
  ): Promise<Map<string, KnownConsumer[]>> {
    const rows = await manager.query<
      { event_type: string; service: string; first_receipt_at: Date }[]
    >(
      `SELECT "event_type", "service", "first_receipt_at" FROM "ingest"."stripe_event_consumers"
        WHERE "event_type" = ANY($1::text[])
          AND "last_receipt_at" > now() - make_interval(days => $2)`,
      [eventTypes, CONSUMER_HORIZON_DAYS],
    );
    const byType = new Map<string, KnownConsumer[]>();
    for (const row of rows)
      byType.set(row.event_type, [
        ...(byType.get(row.event_type) ?? []),
        { service: row.service, firstReceiptAt: row.first_receipt_at },
      ]);
    return byType;
  }

  private async receiptsOf(
    manager: EntityManager,
    eventIds: readonly string[],
  ): Promise<Map<string, Set<string>>> {
    const rows = await manager.query<{ event_id: string; service: string }[]>(
      `SELECT "event_id", "service" FROM "ingest"."stripe_event_receipts" WHERE "event_id" = ANY($1::text[])`,
      [eventIds],
    );
    const byEvent = new Map<string, Set<string>>();
    for (const row of rows) {
      const services = byEvent.get(row.event_id) ?? new Set<string>();
      services.add(row.service);
      byEvent.set(row.event_id, services);
    }
    return byEvent;
  }
}
