import { Module } from '@nestjs/common';
import { BillingModule } from '../billing/billing.module.js';
import { CatalogModule } from '../catalog/catalog.module.js';
import { CustomersModule } from '../customers/customers.module.js';
import { InvoicePreviews } from './invoice-previews.service.js';
import { SubscriptionCancellation } from './subscription-cancellation.service.js';
import { SubscriptionItemParams } from './subscription-item-params.js';
import { SubscriptionItemsController } from './subscription-items.controller.js';
import { SubscriptionItemsService } from './subscription-items.service.js';
import { SubscriptionResumption } from './subscription-resumption.service.js';
import { SubscriptionLifecycle } from './subscription-lifecycle.service.js';
import { SubscriptionProrations } from './subscription-prorations.service.js';
import { SubscriptionSweeper } from './subscription-sweeper.js';
import { SubscriptionsController } from './subscriptions.controller.js';
import { SubscriptionsService } from './subscriptions.service.js';
import { TestClocksController } from './test-clocks.controller.js';
import { TestClocksService } from './test-clocks.service.js';

/** Subscriptions and the test clocks that drive their renewals. */
@Module({
  imports: [BillingModule, CatalogModule, CustomersModule],
  controllers: [SubscriptionsController, SubscriptionItemsController, TestClocksController],
  providers: [
    SubscriptionsService,
    SubscriptionItemParams,
    SubscriptionProrations,
    SubscriptionCancellation,
    SubscriptionLifecycle,
    TestClocksService,
    SubscriptionSweeper,
    InvoicePreviews,
    SubscriptionItemsService,
    SubscriptionResumption,
  ],
  exports: [SubscriptionsService],
})
export class SubscriptionsModule {}
