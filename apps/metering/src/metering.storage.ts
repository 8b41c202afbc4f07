import type { ServiceStorage } from '@aegis/platform';
import { meteringMigrations } from './migrations/index.js';
import { UsageEvent } from './usage/entities/usage-event.entity.js';

export const meteringStorage: ServiceStorage = {
  schema: 'metering',
  entities: [UsageEvent],
  consumesEvents: true,
  migrations: meteringMigrations,
};
