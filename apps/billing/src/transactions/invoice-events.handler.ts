import { Controller } from '@nestjs/common';
import { stripeEventName } from '@aegis/contracts';
import { OnEvent, type ConsumeContext } from '@aegis/messaging';
import type { StripeEnvelope } from '@aegis/stripe';
import { InvoiceTransactionsService } from './invoice-transactions.service.js';

/** An invoice's payment events attach the invoice and its billing period to its payments. */
@Controller()
export class InvoiceEventsHandler {
  constructor(private readonly invoices: InvoiceTransactionsService) {}

  @OnEvent(stripeEventName('invoice.paid'))
  paid(event: StripeEnvelope<'invoice.paid'>, context: ConsumeContext): Promise<void> {
    return this.invoices.applyInvoiceEvent(event, context);
  }

  @OnEvent(stripeEventName('invoice.payment_succeeded'))
  paymentSucceeded(
    event: StripeEnvelope<'invoice.payment_succeeded'>,
    context: ConsumeContext,
  ): Promise<void> {
    return this.invoices.applyInvoiceEvent(event, context);
  }

  @OnEvent(stripeEventName('invoice.payment_failed'))
  paymentFailed(
    event: StripeEnvelope<'invoice.payment_failed'>,
    context: ConsumeContext,
  ): Promise<void> {
    return this.invoices.applyInvoiceEvent(event, context);
  }
}
