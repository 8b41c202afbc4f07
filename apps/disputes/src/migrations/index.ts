import { CreateDisputesSchema1763800000000 } from './1763800000000-create-disputes-schema.js';
import { DisputesAndFraudWarnings1766500000002 } from './1766500000002-disputes-and-fraud-warnings.js';
import { DisputeLinkBackoff1766700000000 } from './1766700000000-dispute-link-backoff.js';

/** Every migration of the `disputes` schema, oldest first. */
export const disputesMigrations = [
  CreateDisputesSchema1763800000000,
  DisputesAndFraudWarnings1766500000002,
  DisputeLinkBackoff1766700000000,
];
