import { CreateIngestSchema1763800000000 } from './1763800000000-create-ingest-schema.js';
import { CreateStripeWebhookEvents1764900000000 } from './1764900000000-create-stripe-webhook-events.js';
import { CreateStripeEventReceipts1764900000001 } from './1764900000001-create-stripe-event-receipts.js';
import { CreateBackfillRuns1764900000002 } from './1764900000002-create-backfill-runs.js';
import { DropOutboxTrigger1764900000003 } from './1764900000003-drop-outbox-trigger.js';
import { WebhookProcessingAlerts1766700000000 } from './1766700000000-webhook-processing-alerts.js';
import { HotPublishedStamp1766900000000 } from './1766900000000-hot-published-stamp.js';

/** Every migration of the `ingest` schema, oldest first. */
export const webhookIngestMigrations = [
  CreateIngestSchema1763800000000,
  CreateStripeWebhookEvents1764900000000,
  CreateStripeEventReceipts1764900000001,
  CreateBackfillRuns1764900000002,
  DropOutboxTrigger1764900000003,
  WebhookProcessingAlerts1766700000000,
  HotPublishedStamp1766900000000,
];
