import { CreateMeteringSchema1763800000000 } from './1763800000000-create-metering-schema.js';
import { CreateUsageEvents1763800000001 } from './1763800000001-create-usage-events.js';
import { UsageEventMetadata1763800000002 } from './1763800000002-usage-event-metadata.js';
import { CreateMeters1763800000003 } from './1763800000003-create-meters.js';
import { UsageAtScale1765200000000 } from './1765200000000-usage-at-scale.js';
import { UsageClaims1766000000000 } from './1766000000000-usage-claims.js';

/** Every migration of the `metering` schema, oldest first. */
export const meteringMigrations = [
  CreateMeteringSchema1763800000000,
  CreateUsageEvents1763800000001,
  UsageEventMetadata1763800000002,
  CreateMeters1763800000003,
  UsageAtScale1765200000000,
  UsageClaims1766000000000,
];
