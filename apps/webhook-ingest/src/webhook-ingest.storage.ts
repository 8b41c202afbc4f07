import type { ServiceStorage } from '@aegis/platform';
import { BackfillRun } from './backfill/entities/backfill-run.entity.js';
import { StripeWebhookEvent } from './ingest/entities/stripe-webhook-event.entity.js';
import { stampStripeEventsPublished } from './ingest/stamp-published.js';
import { webhookIngestMigrations } from './migrations/index.js';
import { StripeEventReceipt } from './receipts/entities/stripe-event-receipt.entity.js';

export const webhookIngestStorage: ServiceStorage = {
  schema: 'ingest',
  entities: [StripeWebhookEvent, StripeEventReceipt, BackfillRun],
  consumesEvents: true,
  migrations: webhookIngestMigrations,
  onOutboxPublished: stampStripeEventsPublished,
};
