import type { ServiceStorage } from '@aegis/platform';
import { billingMigrations } from './migrations/index.js';

export const billingStorage: ServiceStorage = {
  schema: 'billing',
  entities: [],
  consumesEvents: true,
  migrations: billingMigrations,
};
