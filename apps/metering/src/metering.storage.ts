import type { ServiceStorage } from '@aegis/platform';
import { Meter } from './meters/entities/meter.entity.js';
import { meteringMigrations } from './migrations/index.js';
import { UsageEvent } from './usage/entities/usage-event.entity.js';

export const meteringStorage: ServiceStorage = {
  schema: 'metering',
  entities: [UsageEvent, Meter],
  consumesEvents: true,
  migrations: meteringMigrations,
};
