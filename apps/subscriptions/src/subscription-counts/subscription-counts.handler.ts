import { Controller } from '@nestjs/common';
import {
  SUBSCRIPTIONS_COUNT_V1,
  type CountSubscriptionsReplyV1,
  type CountSubscriptionsRequestV1,
} from '@aegis/contracts';
import { OnRpc } from '@aegis/messaging';
import { SubscriptionCountsService } from './subscription-counts.service.js';

@Controller()
export class SubscriptionCountsHandler {
  constructor(private readonly counts: SubscriptionCountsService) {}

  @OnRpc(SUBSCRIPTIONS_COUNT_V1)
  count(request: CountSubscriptionsRequestV1): Promise<CountSubscriptionsReplyV1> {
    return this.counts.count(request);
  }
}
