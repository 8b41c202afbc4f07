import type { ServiceStorage } from '@aegis/platform';
import { Alert } from './alerts/alert.entity.js';
import { ApiKey } from './api-keys/api-key.entity.js';
import { AuditEntry } from './audit/audit-entry.entity.js';
import { IdempotencyRecord } from './idempotency/idempotency-record.entity.js';
import { gatewayMigrations } from './migrations/index.js';
import { WebhookAttempt, WebhookDelivery, WebhookEndpoint } from './webhooks/webhook.entities.js';

export const gatewayStorage: ServiceStorage = {
  schema: 'gateway',
  entities: [
    ApiKey,
    AuditEntry,
    IdempotencyRecord,
    Alert,
    WebhookEndpoint,
    WebhookDelivery,
    WebhookAttempt,
  ],
  // Domain events become alerts and outbound webhooks (apps/gateway/src/alerts/domain-events.handler.ts).
  consumesEvents: true,
  migrations: gatewayMigrations,
};
