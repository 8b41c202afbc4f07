import { Controller } from '@nestjs/common';
import { stripeEventName } from '@aegis/contracts';
import { OnEvent, type ConsumeContext } from '@aegis/messaging';
import type { StripeEnvelope } from '@aegis/stripe';
import { PaymentIntentTransactionsService } from './payment-intent-transactions.service.js';

@Controller()
export class PaymentIntentEventsHandler {
  constructor(private readonly paymentIntents: PaymentIntentTransactionsService) {}

  @OnEvent(stripeEventName('payment_intent.created'))
  created(event: StripeEnvelope<'payment_intent.created'>, context: ConsumeContext): Promise<void> {
    return this.paymentIntents.applyPaymentIntentEvent(event, context);
  }

  @OnEvent(stripeEventName('payment_intent.processing'))
  processing(
    event: StripeEnvelope<'payment_intent.processing'>,
    context: ConsumeContext,
  ): Promise<void> {
    return this.paymentIntents.applyPaymentIntentEvent(event, context);
  }

  @OnEvent(stripeEventName('payment_intent.amount_capturable_updated'))
  amountCapturableUpdated(
    event: StripeEnvelope<'payment_intent.amount_capturable_updated'>,
    context: ConsumeContext,
  ): Promise<void> {
    return this.paymentIntents.applyPaymentIntentEvent(event, context);
  }

  @OnEvent(stripeEventName('payment_intent.succeeded'))
  succeeded(
    event: StripeEnvelope<'payment_intent.succeeded'>,
    context: ConsumeContext,
  ): Promise<void> {
    return this.paymentIntents.applyPaymentIntentEvent(event, context);
  }

  @OnEvent(stripeEventName('payment_intent.payment_failed'))
  paymentFailed(
    event: StripeEnvelope<'payment_intent.payment_failed'>,
    context: ConsumeContext,
  ): Promise<void> {
    return this.paymentIntents.applyPaymentIntentEvent(event, context);
  }

  @OnEvent(stripeEventName('payment_intent.canceled'))
  canceled(
    event: StripeEnvelope<'payment_intent.canceled'>,
    context: ConsumeContext,
  ): Promise<void> {
    return this.paymentIntents.applyPaymentIntentEvent(event, context);
  }
}
