import { Controller } from '@nestjs/common';
import {
  DISPUTE_CLOSED_V1,
  DISPUTE_CREATED_V1,
  DISPUTE_UPDATED_V1,
  type DisputeStateV1,
  type Envelope,
} from '@aegis/contracts';
import { OnEvent, type ConsumeContext } from '@aegis/messaging';
import { TransactionDisputesService } from './transaction-disputes.service.js';

/** The disputes service's dispute events: each state marks the disputed transaction. */
@Controller()
export class DisputeEventsHandler {
  constructor(private readonly disputes: TransactionDisputesService) {}

  @OnEvent(DISPUTE_CREATED_V1)
  created(
    event: Envelope<typeof DISPUTE_CREATED_V1, DisputeStateV1>,
    context: ConsumeContext,
  ): Promise<void> {
    return this.disputes.apply(context.manager, event.data);
  }

  @OnEvent(DISPUTE_UPDATED_V1)
  updated(
    event: Envelope<typeof DISPUTE_UPDATED_V1, DisputeStateV1>,
    context: ConsumeContext,
  ): Promise<void> {
    return this.disputes.apply(context.manager, event.data);
  }

  @OnEvent(DISPUTE_CLOSED_V1)
  closed(
    event: Envelope<typeof DISPUTE_CLOSED_V1, DisputeStateV1>,
    context: ConsumeContext,
  ): Promise<void> {
    return this.disputes.apply(context.manager, event.data);
  }
}
