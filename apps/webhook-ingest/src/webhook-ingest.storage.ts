import type { ServiceStorage } from '@aegis/platform';
import { webhookIngestMigrations } from './migrations/index.js';

export const webhookIngestStorage: ServiceStorage = {
  schema: 'ingest',
  entities: [],
  consumesEvents: false,
  migrations: webhookIngestMigrations,
};
