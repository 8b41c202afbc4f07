import { Controller } from '@nestjs/common';
import { DISPUTE_CLOSED_V1, type DisputeStateV1, type Envelope } from '@aegis/contracts';
import { OnEvent, type ConsumeContext } from '@aegis/messaging';
import { LostDisputePolicyService } from './lost-dispute-policy.service.js';

/** The disputes service's events this service acts on: a dispute's final status. */
@Controller()
export class DisputeEventsHandler {
  constructor(private readonly policy: LostDisputePolicyService) {}

  /** `lost` with a customer: the lost-dispute policy (docs/subscriptions.md, "Lost disputes"). */
  @OnEvent(DISPUTE_CLOSED_V1)
  async closed(
    event: Envelope<typeof DISPUTE_CLOSED_V1, DisputeStateV1>,
    context: ConsumeContext,
  ): Promise<void> {
    await this.policy.disputeClosed(context.manager, event.data);
  }
}
