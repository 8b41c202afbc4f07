import type { ServiceStorage } from '@aegis/platform';
import { ApiKey } from './api-keys/api-key.entity.js';
import { AuditEntry } from './audit/audit-entry.entity.js';
import { IdempotencyRecord } from './idempotency/idempotency-record.entity.js';
import { gatewayMigrations } from './migrations/index.js';

export const gatewayStorage: ServiceStorage = {
  schema: 'gateway',
  entities: [ApiKey, AuditEntry, IdempotencyRecord],
  consumesEvents: false,
  migrations: gatewayMigrations,
};
