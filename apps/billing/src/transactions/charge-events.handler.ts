import { Controller } from '@nestjs/common';
import { stripeEventName } from '@aegis/contracts';
import { OnEvent, type ConsumeContext } from '@aegis/messaging';
import type { StripeEnvelope } from '@aegis/stripe';
import { ChargeTransactionsService } from './charge-transactions.service.js';

@Controller()
export class ChargeEventsHandler {
  constructor(private readonly charges: ChargeTransactionsService) {}

  @OnEvent(stripeEventName('charge.succeeded'))
  succeeded(event: StripeEnvelope<'charge.succeeded'>, context: ConsumeContext): Promise<void> {
    return this.charges.applyChargeEvent(event, context);
  }

  @OnEvent(stripeEventName('charge.failed'))
  failed(event: StripeEnvelope<'charge.failed'>, context: ConsumeContext): Promise<void> {
    return this.charges.applyChargeEvent(event, context);
  }

  @OnEvent(stripeEventName('charge.captured'))
  captured(event: StripeEnvelope<'charge.captured'>, context: ConsumeContext): Promise<void> {
    return this.charges.applyChargeEvent(event, context);
  }

  @OnEvent(stripeEventName('charge.refunded'))
  refunded(event: StripeEnvelope<'charge.refunded'>, context: ConsumeContext): Promise<void> {
    return this.charges.applyChargeEvent(event, context);
  }

  @OnEvent(stripeEventName('charge.updated'))
  updated(event: StripeEnvelope<'charge.updated'>, context: ConsumeContext): Promise<void> {
    return this.charges.applyChargeEvent(event, context);
  }
}
