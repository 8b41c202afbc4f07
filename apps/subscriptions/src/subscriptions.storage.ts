import type { ServiceStorage } from '@aegis/platform';
import { CustomerFlag } from './customer-flags/entities/customer-flag.entity.js';
import { subscriptionsMigrations } from './migrations/index.js';
import { PlanPrice } from './plans/entities/plan-price.entity.js';
import { Plan } from './plans/entities/plan.entity.js';
import { SubscriptionStart } from './plans/entities/subscription-start.entity.js';
import { SubscriptionHistoryEntry } from './subscription-mirror/entities/subscription-history-entry.entity.js';
import { Subscription } from './subscription-mirror/entities/subscription.entity.js';

export const subscriptionsStorage: ServiceStorage = {
  schema: 'subscriptions',
  entities: [
    Subscription,
    SubscriptionHistoryEntry,
    Plan,
    PlanPrice,
    SubscriptionStart,
    CustomerFlag,
  ],
  consumesEvents: true,
  migrations: subscriptionsMigrations,
};
