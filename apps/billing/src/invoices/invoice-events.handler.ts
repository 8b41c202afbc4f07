import { Controller, Inject } from '@nestjs/common';
import { stripeEventName } from '@aegis/contracts';
import { OnEvent, type ConsumeContext } from '@aegis/messaging';
import { SERVICE_NAME } from '@aegis/platform';
import { reportStripeEventOutcome, type StripeEnvelope } from '@aegis/stripe';
import { InvoiceTransactionsService } from '../transactions/invoice-transactions.service.js';
import { InvoiceEventsService, type StripeInvoiceEventType } from './invoice-events.service.js';

/**
 * Stripe's invoice events: each moves our invoice (if it is one of ours); a
 * payment's also attaches the invoice and its billing period to the payment's
 * ledger rows, in the same transaction, which then reports the event's outcome.
 */
@Controller()
export class InvoiceEventsHandler {
  constructor(
    private readonly invoices: InvoiceEventsService,
    private readonly transactions: InvoiceTransactionsService,
    @Inject(SERVICE_NAME) private readonly service: string,
  ) {}

  @OnEvent(stripeEventName('invoice.paid'))
  async paid(event: StripeEnvelope<'invoice.paid'>, context: ConsumeContext): Promise<void> {
    await this.invoices.apply(context.manager, event);
    await this.transactions.applyInvoiceEvent(event, context);
  }

  @OnEvent(stripeEventName('invoice.payment_succeeded'))
  async paymentSucceeded(
    event: StripeEnvelope<'invoice.payment_succeeded'>,
    context: ConsumeContext,
  ): Promise<void> {
    await this.invoices.apply(context.manager, event);
    await this.transactions.applyInvoiceEvent(event, context);
  }

  @OnEvent(stripeEventName('invoice.payment_failed'))
  async paymentFailed(
    event: StripeEnvelope<'invoice.payment_failed'>,
    context: ConsumeContext,
  ): Promise<void> {
    await this.invoices.apply(context.manager, event);
    await this.transactions.applyInvoiceEvent(event, context);
  }

  @OnEvent(stripeEventName('invoice.finalized'))
  finalized(event: StripeEnvelope<'invoice.finalized'>, context: ConsumeContext): Promise<void> {
    return this.statusOnly(event, context);
  }

  @OnEvent(stripeEventName('invoice.voided'))
  voided(event: StripeEnvelope<'invoice.voided'>, context: ConsumeContext): Promise<void> {
    return this.statusOnly(event, context);
  }

  @OnEvent(stripeEventName('invoice.marked_uncollectible'))
  markedUncollectible(
    event: StripeEnvelope<'invoice.marked_uncollectible'>,
    context: ConsumeContext,
  ): Promise<void> {
    return this.statusOnly(event, context);
  }

  private async statusOnly(
    event: StripeEnvelope<StripeInvoiceEventType>,
    context: ConsumeContext,
  ): Promise<void> {
    const outcome = await this.invoices.apply(context.manager, event);
    await reportStripeEventOutcome(context, this.service, outcome);
  }
}
