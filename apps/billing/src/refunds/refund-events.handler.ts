import { Controller } from '@nestjs/common';
import { stripeEventName } from '@aegis/contracts';
import { OnEvent, type ConsumeContext } from '@aegis/messaging';
import type { StripeEnvelope } from '@aegis/stripe';
import { RefundEventsService } from './refund-events.service.js';

@Controller()
export class RefundEventsHandler {
  constructor(private readonly refunds: RefundEventsService) {}

  @OnEvent(stripeEventName('refund.created'))
  created(event: StripeEnvelope<'refund.created'>, context: ConsumeContext): Promise<void> {
    return this.refunds.apply(event, context);
  }

  @OnEvent(stripeEventName('refund.updated'))
  updated(event: StripeEnvelope<'refund.updated'>, context: ConsumeContext): Promise<void> {
    return this.refunds.apply(event, context);
  }

  @OnEvent(stripeEventName('refund.failed'))
  failed(event: StripeEnvelope<'refund.failed'>, context: ConsumeContext): Promise<void> {
    return this.refunds.apply(event, context);
  }

  @OnEvent(stripeEventName('charge.refund.updated'))
  chargeRefundUpdated(
    event: StripeEnvelope<'charge.refund.updated'>,
    context: ConsumeContext,
  ): Promise<void> {
    return this.refunds.apply(event, context);
  }
}
