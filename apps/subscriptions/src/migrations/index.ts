import { CreateSubscriptionsSchema1763800000000 } from './1763800000000-create-subscriptions-schema.js';
import { CreateSubscriptionMirror1763900000000 } from './1763900000000-create-subscription-mirror.js';
import { OneCustomerId1764000000000 } from './1764000000000-one-customer-id.js';
import { PlansAndCommands1766200000000 } from './1766200000000-plans-and-commands.js';
import { CustomerFlags1766500000001 } from './1766500000001-customer-flags.js';

/** Every migration of the `subscriptions` schema, oldest first. */
export const subscriptionsMigrations = [
  CreateSubscriptionsSchema1763800000000,
  CreateSubscriptionMirror1763900000000,
  OneCustomerId1764000000000,
  PlansAndCommands1766200000000,
  CustomerFlags1766500000001,
];
