import { CreateDisputesSchema1763800000000 } from './1763800000000-create-disputes-schema.js';

/** Every migration of the `disputes` schema, oldest first. */
export const disputesMigrations = [CreateDisputesSchema1763800000000];
