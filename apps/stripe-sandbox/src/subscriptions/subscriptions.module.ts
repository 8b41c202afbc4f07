import { Module } from '@nestjs/common';
import { BillingModule } from '../billing/billing.module.js';
import { CatalogModule } from '../catalog/catalog.module.js';
import { CustomersModule } from '../customers/customers.module.js';
import { SubscriptionsService } from './subscriptions.service.js';

/** Subscriptions and the test clocks that drive their renewals. */
@Module({
  imports: [BillingModule, CatalogModule, CustomersModule],
  providers: [SubscriptionsService],
  exports: [SubscriptionsService],
})
export class SubscriptionsModule {}
