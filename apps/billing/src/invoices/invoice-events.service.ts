import { Injectable } from '@nestjs/common';
import type { StripeEventOutcome } from '@aegis/contracts';
import {
  AEGIS_INVOICE_ID_KEY,
  StripeProvider,
  laterStamp,
  secondsOf,
  stateToApply,
  type StripeEnvelope,
} from '@aegis/stripe';
import type { EntityManager } from 'typeorm';
import { Invoice } from './entities/invoice.entity.js';
import { statusOfStripeInvoice } from './invoice-replies.js';

export type StripeInvoiceEventType =
  | 'invoice.finalized'
  | 'invoice.paid'
  | 'invoice.payment_succeeded'
  | 'invoice.payment_failed'
  | 'invoice.voided'
  | 'invoice.marked_uncollectible';

/**
 * Stripe's invoice events move our invoices: the status (`payment_failed`
 * while an attempt failed and Stripe retries), the amount paid, the hosted
 * page and PDF. Applied in event order by the convergence rule: an older
 * event than the last applied changes nothing, a same-second one is settled by
 * re-fetching the invoice. Invoices that are not ours are `ignored`.
 */
@Injectable()
export class InvoiceEventsService {
  constructor(private readonly stripe: StripeProvider) {}

  async apply(
    manager: EntityManager,
    envelope: StripeEnvelope<StripeInvoiceEventType>,
  ): Promise<StripeEventOutcome> {
    const event = envelope.data;
    const object = event.data.object;
    const ourId = object.metadata?.[AEGIS_INVOICE_ID_KEY];
    const invoice = await manager.findOne(Invoice, {
      where: ourId === undefined ? { stripeInvoiceId: object.id } : { invoiceId: ourId },
      lock: { mode: 'pessimistic_write' },
    });
    if (invoice === null) return 'ignored';
    const state = await stateToApply(
      this.stripe,
      'invoice',
      event,
      secondsOf(invoice.lastEventCreated),
    );
    if (state.outcome === 'stale') return 'stale';
    const stripeInvoice = state.object;
    const paidAt = stripeInvoice.status_transitions.paid_at;
    const finalizedAt = stripeInvoice.status_transitions.finalized_at;
    await manager.update(
      Invoice,
      { invoiceId: invoice.invoiceId },
      {
        status: statusOfStripeInvoice(stripeInvoice),
        stripeInvoiceId: stripeInvoice.id,
        amountPaid: stripeInvoice.amount_paid,
        hostedInvoiceUrl: stripeInvoice.hosted_invoice_url ?? invoice.hostedInvoiceUrl,
        invoicePdf: stripeInvoice.invoice_pdf ?? invoice.invoicePdf,
        finalizedAt:
          typeof finalizedAt === 'number' ? new Date(finalizedAt * 1000) : invoice.finalizedAt,
        paidAt: typeof paidAt === 'number' ? new Date(paidAt * 1000) : invoice.paidAt,
        lastEventCreated: laterStamp(invoice.lastEventCreated, event.created),
        updatedAt: new Date(),
      },
    );
    return state.outcome;
  }
}
