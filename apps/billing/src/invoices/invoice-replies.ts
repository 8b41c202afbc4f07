import type { InvoiceLineV1, InvoiceStatus, InvoiceV1 } from '@aegis/contracts';
import type Stripe from 'stripe';
import type { InvoiceLine } from './entities/invoice-line.entity.js';
import type { Invoice } from './entities/invoice.entity.js';

/** Decimal text without trailing fractional zeros ("1.50" → "1.5", "2.0" → "2"). */
function trimScale(decimal: string): string {
  return decimal.includes('.') ? decimal.replace(/\.?0+$/, '') : decimal;
}

export function invoiceLineV1Of(line: InvoiceLine): InvoiceLineV1 {
  return {
    id: line.lineId,
    kind: line.kind,
    productId: line.productId,
    billingPeriod: line.billingPeriod,
    description: line.description,
    aggregation: line.aggregation,
    value: trimScale(line.value),
    previouslyBilledValue: trimScale(line.previouslyBilledValue),
    eventCount: line.eventCount,
    firstEventAt: line.firstEventAt?.toISOString() ?? null,
    lastEventAt: line.lastEventAt?.toISOString() ?? null,
    usageThrough: line.usageThrough.toISOString(),
    pricingVersionId: line.pricingVersionId,
    subtotal: line.subtotal,
    discount: line.discount,
    amount: line.amount,
    stripeInvoiceItemId: line.stripeInvoiceItemId,
  };
}

export function invoiceV1Of(invoice: Invoice, lines: readonly InvoiceLine[]): InvoiceV1 {
  return {
    id: invoice.invoiceId,
    customerId: invoice.customerId,
    billingPeriod: invoice.billingPeriod,
    status: invoice.status,
    currency: invoice.currency ?? '',
    lines: [...lines].sort((a, b) => a.position - b.position).map(invoiceLineV1Of),
    subtotal: invoice.subtotal,
    discount: invoice.discount,
    amountDue: invoice.amountDue,
    amountPaid: invoice.amountPaid,
    collectionMethod: invoice.collectionMethod,
    stripeInvoiceId: invoice.stripeInvoiceId,
    hostedInvoiceUrl: invoice.hostedInvoiceUrl,
    invoicePdf: invoice.invoicePdf,
    pendingStripe:
      invoice.stage !== 'done' && !(invoice.stage === 'items_sent' && !invoice.autoFinalize),
    lastError: invoice.lastError,
    finalizedAt: invoice.finalizedAt?.toISOString() ?? null,
    paidAt: invoice.paidAt?.toISOString() ?? null,
    createdAt: invoice.createdAt.toISOString(),
  };
}

/**
 * Our status of a Stripe invoice: Stripe's, except that an open invoice whose
 * payment was attempted and failed is `payment_failed` (Stripe retries it).
 */
export function statusOfStripeInvoice(invoice: Stripe.Invoice): InvoiceStatus {
  switch (invoice.status) {
    case 'paid':
      return 'paid';
    case 'void':
      return 'void';
    case 'uncollectible':
      return 'uncollectible';
    case 'open':
      return invoice.attempted && invoice.amount_remaining > 0 ? 'payment_failed' : 'open';
    case 'draft':
    case null:
      return 'draft';
  }
  // A status this SDK version does not know: Stripe has not finalized it for us.
  return 'draft';
}

const PROGRESS: Readonly<Record<InvoiceStatus, number>> = {
  draft: 0,
  open: 1,
  payment_failed: 2,
  paid: 3,
  void: 3,
  uncollectible: 3,
};

/**
 * Whether an answer of Stripe's to one of our calls may move the invoice from
 * `current` to `next`. Events are ordered by the convergence rule; an answer
 * is not, so it only moves the invoice forward: a `paid` applied from an
 * event is never undone by a late answer saying `open`.
 */
export function answerMovesForward(current: InvoiceStatus, next: InvoiceStatus): boolean {
  return PROGRESS[next] > PROGRESS[current];
}
