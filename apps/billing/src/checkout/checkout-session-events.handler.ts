import { Controller, Inject } from '@nestjs/common';
import { stripeEventName } from '@aegis/contracts';
import { OnEvent, type ConsumeContext } from '@aegis/messaging';
import { SERVICE_NAME } from '@aegis/platform';
import { reportStripeEventOutcome, type StripeEnvelope } from '@aegis/stripe';
import { CheckoutSessionEventsService } from './checkout-session-events.service.js';
import type { CheckoutSessionEventType } from './checkout-status.js';

/**
 * The `checkout.session.*` events no other handler of billing takes: each
 * moves our checkout. (`checkout.session.completed` is the ledger's handler's,
 * apps/billing/src/transactions/checkout-session-events.handler.ts, which
 * applies it to the checkout too.)
 */
@Controller()
export class CheckoutSessionLifecycleHandler {
  constructor(
    private readonly checkouts: CheckoutSessionEventsService,
    @Inject(SERVICE_NAME) private readonly service: string,
  ) {}

  @OnEvent(stripeEventName('checkout.session.expired'))
  expired(
    event: StripeEnvelope<'checkout.session.expired'>,
    context: ConsumeContext,
  ): Promise<void> {
    return this.apply(event, context);
  }

  @OnEvent(stripeEventName('checkout.session.async_payment_succeeded'))
  asyncPaymentSucceeded(
    event: StripeEnvelope<'checkout.session.async_payment_succeeded'>,
    context: ConsumeContext,
  ): Promise<void> {
    return this.apply(event, context);
  }

  @OnEvent(stripeEventName('checkout.session.async_payment_failed'))
  asyncPaymentFailed(
    event: StripeEnvelope<'checkout.session.async_payment_failed'>,
    context: ConsumeContext,
  ): Promise<void> {
    return this.apply(event, context);
  }

  private async apply(
    event: StripeEnvelope<CheckoutSessionEventType>,
    context: ConsumeContext,
  ): Promise<void> {
    const outcome = await this.checkouts.apply(context.manager, event);
    await reportStripeEventOutcome(context, this.service, outcome);
  }
}
