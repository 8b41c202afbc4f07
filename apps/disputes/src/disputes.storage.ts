import type { ServiceStorage } from '@aegis/platform';
import { disputesMigrations } from './migrations/index.js';

export const disputesStorage: ServiceStorage = {
  schema: 'disputes',
  entities: [],
  consumesEvents: true,
  migrations: disputesMigrations,
};
