import type { ServiceStorage } from '@aegis/platform';
import { Customer } from './customers/entities/customer.entity.js';
import { billingMigrations } from './migrations/index.js';
import { BillingTransaction } from './transactions/entities/billing-transaction.entity.js';

export const billingStorage: ServiceStorage = {
  schema: 'billing',
  entities: [Customer, BillingTransaction],
  consumesEvents: true,
  migrations: billingMigrations,
};
