import { Controller } from '@nestjs/common';
import {
  SUBSCRIPTION_CREATED_V1,
  SUBSCRIPTION_ENDED_V1,
  SUBSCRIPTION_UPDATED_V1,
  type Envelope,
  type SubscriptionStateV1,
} from '@aegis/contracts';
import { OnEvent, type ConsumeContext } from '@aegis/messaging';
import { SubscriptionRevenueService } from './subscription-revenue.service.js';

/** The subscriptions service's subscription states: billing's revenue read model of MRR. */
@Controller()
export class SubscriptionEventsHandler {
  constructor(private readonly subscriptions: SubscriptionRevenueService) {}

  @OnEvent(SUBSCRIPTION_CREATED_V1)
  created(
    event: Envelope<typeof SUBSCRIPTION_CREATED_V1, SubscriptionStateV1>,
    context: ConsumeContext,
  ): Promise<void> {
    return this.subscriptions.apply(context.manager, event.data);
  }

  @OnEvent(SUBSCRIPTION_UPDATED_V1)
  updated(
    event: Envelope<typeof SUBSCRIPTION_UPDATED_V1, SubscriptionStateV1>,
    context: ConsumeContext,
  ): Promise<void> {
    return this.subscriptions.apply(context.manager, event.data);
  }

  @OnEvent(SUBSCRIPTION_ENDED_V1)
  ended(
    event: Envelope<typeof SUBSCRIPTION_ENDED_V1, SubscriptionStateV1>,
    context: ConsumeContext,
  ): Promise<void> {
    return this.subscriptions.apply(context.manager, event.data);
  }
}
