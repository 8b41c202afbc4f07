import { Controller } from '@nestjs/common';
import {
  STRIPE_EVENT_APPLIED_V1,
  type Envelope,
  type StripeEventAppliedV1,
} from '@aegis/contracts';
import { OnEvent, type ConsumeContext } from '@aegis/messaging';
import { ReceiptsService } from './receipts.service.js';

@Controller()
export class StripeEventAppliedHandler {
  constructor(private readonly receipts: ReceiptsService) {}

  @OnEvent(STRIPE_EVENT_APPLIED_V1)
  async handle(
    event: Envelope<typeof STRIPE_EVENT_APPLIED_V1, StripeEventAppliedV1>,
    context: ConsumeContext,
  ): Promise<void> {
    await this.receipts.record(context.manager, event.data);
  }
}
