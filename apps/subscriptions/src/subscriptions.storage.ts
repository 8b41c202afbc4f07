import type { ServiceStorage } from '@aegis/platform';
import { subscriptionsMigrations } from './migrations/index.js';
import { SubscriptionHistoryEntry } from './subscription-mirror/entities/subscription-history-entry.entity.js';
import { Subscription } from './subscription-mirror/entities/subscription.entity.js';

export const subscriptionsStorage: ServiceStorage = {
  schema: 'subscriptions',
  entities: [Subscription, SubscriptionHistoryEntry],
  consumesEvents: true,
  migrations: subscriptionsMigrations,
};
