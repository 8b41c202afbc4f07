import { CreateSubscriptionsSchema1763800000000 } from './1763800000000-create-subscriptions-schema.js';

/** Every migration of the `subscriptions` schema, oldest first. */
export const subscriptionsMigrations = [CreateSubscriptionsSchema1763800000000];
