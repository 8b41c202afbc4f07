import { Controller } from '@nestjs/common';
import { stripeEventName } from '@aegis/contracts';
import { OnEvent, type ConsumeContext } from '@aegis/messaging';
import type { StripeEnvelope } from '@aegis/stripe';
import { CheckoutSessionTransactionsService } from './checkout-session-transactions.service.js';

@Controller()
export class CheckoutSessionEventsHandler {
  constructor(private readonly checkoutSessions: CheckoutSessionTransactionsService) {}

  @OnEvent(stripeEventName('checkout.session.completed'))
  completed(
    event: StripeEnvelope<'checkout.session.completed'>,
    context: ConsumeContext,
  ): Promise<void> {
    return this.checkoutSessions.applyCheckoutSessionEvent(event, context);
  }
}
