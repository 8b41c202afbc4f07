import { Module } from '@nestjs/common';
import { SubscriptionsController } from './subscriptions.controller.js';
import { SubscriptionsService } from './subscriptions.service.js';

/** `/api/v1/plans`, `/api/v1/subscriptions/*` and a customer's subscription and entitlements: the subscriptions service's, over RPC. */
@Module({ controllers: [SubscriptionsController], providers: [SubscriptionsService] })
export class SubscriptionsModule {}
