import type { ServiceStorage } from '@aegis/platform';
import { gatewayMigrations } from './migrations/index.js';

export const gatewayStorage: ServiceStorage = {
  schema: 'gateway',
  entities: [],
  consumesEvents: false,
  migrations: gatewayMigrations,
};
