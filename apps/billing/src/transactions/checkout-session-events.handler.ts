import { Controller } from '@nestjs/common';
import { stripeEventName } from '@aegis/contracts';
import { OnEvent, type ConsumeContext } from '@aegis/messaging';
import type { StripeEnvelope } from '@aegis/stripe';
import { CheckoutSessionEventsService } from '../checkout/checkout-session-events.service.js';
import { CheckoutSessionTransactionsService } from './checkout-session-transactions.service.js';

@Controller()
export class CheckoutSessionEventsHandler {
  constructor(
    private readonly checkoutSessions: CheckoutSessionTransactionsService,
    private readonly checkouts: CheckoutSessionEventsService,
  ) {}

  @OnEvent(stripeEventName('checkout.session.completed'))
  async completed(
    event: StripeEnvelope<'checkout.session.completed'>,
    context: ConsumeContext,
  ): Promise<void> {
    // Our checkout's row first, in the same transaction; the ledger's service reports the outcome.
    await this.checkouts.apply(context.manager, event);
    return this.checkoutSessions.applyCheckoutSessionEvent(event, context);
  }
}
