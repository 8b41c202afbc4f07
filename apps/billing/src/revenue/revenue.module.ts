import { Module } from '@nestjs/common';
import { RevenueHandler } from './revenue.handler.js';
import { RevenueService } from './revenue.service.js';
import { SubscriptionEventsHandler } from './subscription-events.handler.js';
import { SubscriptionRevenueService } from './subscription-revenue.service.js';

/** Revenue of the ledger, and billing's read model of subscriptions for MRR and churn. */
@Module({
  controllers: [RevenueHandler, SubscriptionEventsHandler],
  providers: [RevenueService, SubscriptionRevenueService],
})
export class RevenueModule {}
