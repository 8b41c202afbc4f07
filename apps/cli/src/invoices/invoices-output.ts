import type {
  InvoiceLineResourceV1,
  InvoiceResourceV1,
  InvoiceRunResourceV1,
  ListV1,
} from '@aegis/contracts';
import { formatFields, formatTable } from '../output/table.js';

function amountOf(cents: number, invoice: InvoiceResourceV1): string {
  return `${cents} ${invoice.currency}`;
}

function stripeSideOf(invoice: InvoiceResourceV1): string {
  if (!invoice.pending_stripe) return 'done';
  return invoice.last_error === null
    ? 'pending (billing finishes it)'
    : `pending, last attempt failed: ${invoice.last_error}`;
}

function valueOf(line: InvoiceLineResourceV1): string {
  return line.kind === 'late_usage'
    ? `${line.value} (${line.aggregation}; ${line.previously_billed_value} billed before)`
    : `${line.value} (${line.aggregation})`;
}

function formatLines(invoice: InvoiceResourceV1): string[] {
  if (invoice.lines.length === 0) return ['no lines: no usage to bill'];
  return [
    'lines',
    ...formatTable(
      ['PRODUCT', 'PERIOD', 'KIND', 'VALUE', 'EVENTS', 'SUBTOTAL', 'DISCOUNT', 'AMOUNT'],
      invoice.lines.map((line) => [
        line.product_id,
        line.billing_period,
        line.kind,
        valueOf(line),
        String(line.event_count),
        String(line.subtotal_cents),
        String(line.discount_cents),
        String(line.amount_cents),
      ]),
    ).map((line) => `  ${line}`),
  ];
}

/** What `aegis invoices show` prints: the invoice, then which usage each line prices. */
export function formatInvoice(invoice: InvoiceResourceV1): string[] {
  return [
    ...formatFields([
      ['id', invoice.id],
      ['customer', invoice.customer_id],
      ['period', invoice.billing_period],
      ['status', invoice.status],
      [
        'amount due',
        `${amountOf(invoice.amount_due, invoice)} (minor units, cents), paid ${invoice.amount_paid}`,
      ],
      ['subtotal', String(invoice.subtotal_cents)],
      ['discount', String(invoice.discount_cents)],
      ['collection', invoice.collection_method ?? '-'],
      ['stripe invoice', invoice.stripe_invoice_id ?? '-'],
      ['hosted page', invoice.hosted_invoice_url ?? '-'],
      ['pdf', invoice.invoice_pdf ?? '-'],
      ['stripe side', stripeSideOf(invoice)],
      ['finalized', invoice.finalized_at ?? '-'],
      ['paid', invoice.paid_at ?? '-'],
      ['created', invoice.created_at],
    ]),
    ...formatLines(invoice),
  ];
}

function summaryOf(invoice: InvoiceResourceV1): string {
  return `${invoice.status}, amount due ${amountOf(invoice.amount_due, invoice)}`;
}

/** `aegis invoices create`: 201 made it, 200 found the period's (one invoice per customer and period). */
export function formatCreatedInvoice(invoice: InvoiceResourceV1, status: number): string[] {
  const which = `invoice ${invoice.id} for ${invoice.customer_id}, ${invoice.billing_period}`;
  const first =
    status === 201
      ? `created ${which}: ${summaryOf(invoice)}`
      : `${which} already exists: ${summaryOf(invoice)} (nothing changed)`;
  return [first, ...formatInvoice(invoice)];
}

export function formatFinalizedInvoice(invoice: InvoiceResourceV1): string[] {
  return [`finalized invoice ${invoice.id}: ${summaryOf(invoice)}`, ...formatInvoice(invoice)];
}

export function formatVoidedInvoice(invoice: InvoiceResourceV1): string[] {
  return [`voided invoice ${invoice.id}: ${summaryOf(invoice)}`];
}

export function formatInvoiceList(list: ListV1<InvoiceResourceV1>): string[] {
  if (list.data.length === 0) return ['no invoices'];
  return formatTable(
    ['ID', 'CUSTOMER', 'PERIOD', 'STATUS', 'AMOUNT DUE', 'PAID', 'LINES', 'CREATED'],
    list.data.map((invoice) => [
      invoice.id,
      invoice.customer_id,
      invoice.billing_period,
      invoice.status,
      amountOf(invoice.amount_due, invoice),
      String(invoice.amount_paid),
      String(invoice.lines.length),
      invoice.created_at,
    ]),
  );
}

/** The first line of `aegis invoices run`: a new run, or the period's run carried on. */
export function formatRunStart(run: InvoiceRunResourceV1): string {
  const handled = run.progress.done + run.progress.failed;
  return handled > 0 || run.status === 'completed'
    ? `carrying on with invoice run ${run.id} for ${run.billing_period} (${handled} customers handled)`
    : `invoice run ${run.id} for ${run.billing_period} started`;
}

/** What `aegis invoices run` prints once the run ended: the counts, then every failure. */
export function formatRunResult(run: InvoiceRunResourceV1): string[] {
  const { total, done, failed } = run.progress;
  const customers = total === null ? `${done + failed} customers` : `${total} customers`;
  const head =
    run.status === 'completed'
      ? `invoice run ${run.id} for ${run.billing_period} completed at ${run.completed_at ?? '?'}`
      : `invoice run ${run.id} for ${run.billing_period} is still running`;
  const lines = [`${head}: ${customers}, ${done} invoiced, ${failed} failed`];
  if (run.failures.length === 0) return lines;
  return [
    ...lines,
    'failures',
    ...formatTable(
      ['CUSTOMER', 'REASON'],
      run.failures.map((failure) => [failure.customer_id, failure.reason]),
    ).map((line) => `  ${line}`),
    `fix what failed, then run it again: aegis invoices run ${run.billing_period}`,
  ];
}
