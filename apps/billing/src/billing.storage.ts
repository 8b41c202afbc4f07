import type { ServiceStorage } from '@aegis/platform';
import { StripeCustomer } from './customers/entities/stripe-customer.entity.js';
import { billingMigrations } from './migrations/index.js';
import { BillingTransaction } from './transactions/entities/billing-transaction.entity.js';

export const billingStorage: ServiceStorage = {
  schema: 'billing',
  entities: [StripeCustomer, BillingTransaction],
  consumesEvents: true,
  migrations: billingMigrations,
};
