import Stripe from 'stripe';
import { formatAmount } from '../core/money.js';

/** One line of an invoice as its page and PDF show it. */
export interface InvoiceDocumentLine {
  readonly description: string;
  readonly quantity: string;
  /** The unit price, when the line has one (not for tiered prices). */
  readonly unitPrice: string | null;
  readonly amount: string;
  /** The service period, when it is more than an instant. */
  readonly period: string | null;
}

/**
 * What the hosted invoice page and the invoice PDF show of a finalized
 * invoice, every amount and date already written out. Pure data, so both
 * renderings say the same thing.
 */
export interface InvoiceDocument {
  readonly number: string;
  readonly accountName: string;
  readonly status: Stripe.Invoice.Status;
  /** `Open`, `Paid`, `Void` or `Uncollectible`. */
  readonly statusLabel: string;
  /** The one sentence at the top: what is due by when, or what became of the invoice. */
  readonly headline: string;
  readonly issued: string | null;
  readonly due: string | null;
  readonly collection: string;
  readonly customerName: string | null;
  readonly customerEmail: string | null;
  readonly customerAddress: readonly string[];
  readonly lines: readonly InvoiceDocumentLine[];
  readonly subtotal: string;
  readonly total: string;
  readonly amountPaid: string;
  readonly amountRemaining: string;
  readonly memo: string | null;
  readonly footer: string | null;
}

const DATE = new Intl.DateTimeFormat('en-US', {
  year: 'numeric',
  month: 'long',
  day: 'numeric',
  timeZone: 'UTC',
});

/** A Unix time as `March 3, 2026` (UTC), as Stripe's invoices write dates. */
export function invoiceDate(seconds: number): string {
  return DATE.format(new Date(seconds * 1000));
}

/** `open` as `Open`. */
function statusLabelOf(status: string): string {
  return `${status.charAt(0).toUpperCase()}${status.slice(1)}`;
}

function addressLines(address: Stripe.Address | null): string[] {
  if (address === null) return [];
  const cityLine = [address.postal_code, address.city, address.state]
    .filter((part): part is string => part !== null && part !== '')
    .join(' ');
  return [address.line1, address.line2, cityLine, address.country].filter(
    (part): part is string => part !== null && part !== '',
  );
}

function lineOf(line: Stripe.InvoiceLineItem): InvoiceDocumentLine {
  const unitAmount = line.pricing?.unit_amount_decimal ?? null;
  return {
    description: line.description ?? '',
    quantity: String(line.quantity ?? 1),
    unitPrice:
      unitAmount === null
        ? null
        : formatAmount(Stripe.Decimal.from(String(unitAmount)), line.currency),
    amount: formatAmount(line.amount, line.currency),
    period:
      line.period.end > line.period.start
        ? `${invoiceDate(line.period.start)} – ${invoiceDate(line.period.end)}`
        : null,
  };
}

function headlineOf(invoice: Stripe.Invoice, money: (amount: number) => string): string {
  switch (invoice.status) {
    case 'paid':
      return invoice.status_transitions.paid_at === null
        ? `${money(invoice.amount_paid)} paid`
        : `${money(invoice.amount_paid)} paid on ${invoiceDate(invoice.status_transitions.paid_at)}`;
    case 'void':
      return 'This invoice is void and can no longer be paid.';
    case 'uncollectible':
      return `${money(invoice.amount_remaining)} due; this invoice is marked uncollectible.`;
    case 'open':
    case 'draft':
    case null:
    default:
      return invoice.due_date === null
        ? `${money(invoice.amount_remaining)} due`
        : `${money(invoice.amount_remaining)} due ${invoiceDate(invoice.due_date)}`;
  }
}

/** The document of a finalized invoice; a draft has none (Stripe shows drafts to no one). */
export function invoiceDocumentOf(invoice: Stripe.Invoice): InvoiceDocument {
  if (invoice.status === 'draft' || invoice.status === null || invoice.number === null) {
    throw new Error(`invoice ${invoice.id} is not finalized`);
  }
  const money = (amount: number): string => formatAmount(amount, invoice.currency);
  return {
    number: invoice.number,
    accountName: invoice.account_name ?? 'Stripe Sandbox',
    status: invoice.status,
    statusLabel: statusLabelOf(invoice.status),
    headline: headlineOf(invoice, money),
    issued:
      invoice.status_transitions.finalized_at === null
        ? null
        : invoiceDate(invoice.status_transitions.finalized_at),
    due: invoice.due_date === null ? null : invoiceDate(invoice.due_date),
    collection:
      invoice.collection_method === 'send_invoice'
        ? 'Pay by the due date'
        : "Charged automatically to the customer's payment method",
    customerName: invoice.customer_name,
    customerEmail: invoice.customer_email,
    customerAddress: addressLines(invoice.customer_address),
    lines: invoice.lines.data.map(lineOf),
    subtotal: money(invoice.subtotal),
    total: money(invoice.total),
    amountPaid: money(invoice.amount_paid),
    amountRemaining: money(invoice.amount_remaining),
    memo: invoice.description,
    footer: invoice.footer,
  };
}
