import { CreateBillingSchema1763800000000 } from './1763800000000-create-billing-schema.js';

/** Every migration of the `billing` schema, oldest first. */
export const billingMigrations = [CreateBillingSchema1763800000000];
