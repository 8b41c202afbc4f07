import type { ServiceStorage } from '@aegis/platform';
import { subscriptionsMigrations } from './migrations/index.js';

export const subscriptionsStorage: ServiceStorage = {
  schema: 'subscriptions',
  entities: [],
  consumesEvents: true,
  migrations: subscriptionsMigrations,
};
