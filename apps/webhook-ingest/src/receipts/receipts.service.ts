import { Injectable } from '@nestjs/common';
import type { StripeEventAppliedV1, StripeEventReceiptV1 } from '@aegis/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { StripeWebhookEvent } from '../ingest/entities/stripe-webhook-event.entity.js';
import { StripeEventReceipt } from './entities/stripe-event-receipt.entity.js';

@Injectable()
export class ReceiptsService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Records a consumer's receipt in the inbox transaction. One row per event
   * and service: a later receipt (after a forced replay) replaces the
   * outcome and counts one more; an older one arriving late changes nothing.
   */
  async record(manager: EntityManager, receipt: StripeEventAppliedV1): Promise<void> {
    await manager.query(
      `INSERT INTO "ingest"."stripe_event_receipts" ("event_id", "service", "outcome", "applied_at")
       VALUES ($1, $2, $3, $4)
       ON CONFLICT ("event_id", "service") DO UPDATE SET
         "receipt_count" = "stripe_event_receipts"."receipt_count" + 1,
         "outcome" = CASE WHEN EXCLUDED."applied_at" >= "stripe_event_receipts"."applied_at"
                          THEN EXCLUDED."outcome" ELSE "stripe_event_receipts"."outcome" END,
         "applied_at" = GREATEST(EXCLUDED."applied_at", "stripe_event_receipts"."applied_at")`,
      [receipt.eventId, receipt.service, receipt.outcome, receipt.appliedAt],
    );
    await this.noteConsumer(manager, receipt);
  }

  /**
   * Keeps `stripe_event_consumers` (the services expected to apply an event
   * type, docs/webhook-ingest.md "Apply deadline"). The insert skips a known
   * pair and the update touches it at most once an hour, so receipts of one
   * type do not queue behind one row's lock.
   */
  private async noteConsumer(manager: EntityManager, receipt: StripeEventAppliedV1): Promise<void> {
    await manager.query(
      `INSERT INTO "ingest"."stripe_event_consumers" ("event_type", "service", "first_receipt_at", "last_receipt_at")
       SELECT "event_type", $2, $3, $3 FROM "ingest"."stripe_webhook_events" WHERE "event_id" = $1
       ON CONFLICT ("event_type", "service") DO NOTHING`,
      [receipt.eventId, receipt.service, receipt.appliedAt],
    );
    await manager.query(
      `UPDATE "ingest"."stripe_event_consumers" AS "consumer" SET "last_receipt_at" = $3
         FROM "ingest"."stripe_webhook_events" AS "event"
        WHERE "event"."event_id" = $1 AND "consumer"."event_type" = "event"."event_type"
          AND "consumer"."service" = $2 AND "consumer"."last_receipt_at" < $3::timestamptz - interval '1 hour'`,
      [receipt.eventId, receipt.service, receipt.appliedAt],
    );
  }

  /** The event's receipt, or null if no such event was received. */
  async receiptOf(eventId: string): Promise<StripeEventReceiptV1 | null> {
    const event = await this.dataSource.manager.findOneBy(StripeWebhookEvent, { eventId });
    if (event === null) return null;
    const receipts = await this.dataSource.manager.find(StripeEventReceipt, {
      where: { eventId },
      order: { service: 'ASC' },
    });
    return {
      eventId: event.eventId,
      type: event.eventType,
      stripeCreatedAt: event.stripeCreatedAt.toISOString(),
      livemode: event.livemode,
      receivedAt: event.receivedAt.toISOString(),
      receivedVia: event.receivedVia,
      deliveryCount: event.deliveryCount,
      publishedAt: event.publishedAt?.toISOString() ?? null,
      replayCount: event.replayCount,
      appliedBy: receipts.map((receipt) => ({
        service: receipt.service,
        outcome: receipt.outcome,
        appliedAt: receipt.appliedAt.toISOString(),
        receipts: receipt.receiptCount,
      })),
    };
  }
}
