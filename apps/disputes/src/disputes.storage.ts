import type { ServiceStorage } from '@aegis/platform';
import { DisputeHistoryEntry } from './disputes/entities/dispute-history-entry.entity.js';
import { Dispute } from './disputes/entities/dispute.entity.js';
import { FraudWarning } from './fraud-warnings/entities/fraud-warning.entity.js';
import { disputesMigrations } from './migrations/index.js';

export const disputesStorage: ServiceStorage = {
  schema: 'disputes',
  entities: [Dispute, DisputeHistoryEntry, FraudWarning],
  consumesEvents: true,
  migrations: disputesMigrations,
};
