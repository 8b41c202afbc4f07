import { Module } from '@nestjs/common';
import { SubscriptionCountsHandler } from './subscription-counts.handler.js';
import { SubscriptionCountsService } from './subscription-counts.service.js';

/** `subscriptions.subscription.count.v1`: the mirror's subscriptions by status. */
@Module({ controllers: [SubscriptionCountsHandler], providers: [SubscriptionCountsService] })
export class SubscriptionCountsModule {}
