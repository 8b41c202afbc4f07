import { Module } from '@nestjs/common';
import { StripeSubscriptionEventsHandler } from './stripe-subscription-events.handler.js';
import { SubscriptionMirrorService } from './subscription-mirror.service.js';

@Module({
  controllers: [StripeSubscriptionEventsHandler],
  providers: [SubscriptionMirrorService],
  exports: [SubscriptionMirrorService],
})
export class SubscriptionMirrorModule {}
