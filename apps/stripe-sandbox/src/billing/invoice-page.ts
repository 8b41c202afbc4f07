import { escapeHtml, htmlPage } from '../core/html.js';
import type { InvoiceDocument, InvoiceDocumentLine } from './invoice-document.js';

/** The page's own style, after the shared one: a status badge and right-aligned amounts. */
const INVOICE_STYLE = `
.invoice { max-width: 44rem; margin: 0 auto; }
.badge { display: inline-block; padding: 0.1rem 0.5rem; border-radius: 999px; font-size: 0.8rem; background: #eef; }
.badge.paid { background: #e3f6e8; color: #1b6b35; }
.badge.void, .badge.uncollectible { background: #f1f1f4; color: #555; }
.headline { font-size: 1.3rem; margin: 0.5rem 0 1rem; }
.amount { text-align: right; white-space: nowrap; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
dt { color: #666; } dd { margin: 0; }
`;

function row(label: string, value: string | null): string {
  return value === null ? '' : `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd>`;
}

function lineRow(line: InvoiceDocumentLine): string {
  const period =
    line.period === null ? '' : `<br><span class="muted">${escapeHtml(line.period)}</span>`;
  return `<tr>
<td>${escapeHtml(line.description)}${period}</td>
<td class="amount">${escapeHtml(line.quantity)}</td>
<td class="amount">${escapeHtml(line.unitPrice ?? '')}</td>
<td class="amount">${escapeHtml(line.amount)}</td>
</tr>`;
}

/**
 * The hosted invoice page (`hosted_invoice_url`): the invoice as its
 * customer sees it, with a link to its PDF. Every value is escaped; the page
 * has no script and pays nothing (the sandbox has no invoice payment page:
 * pay through the API).
 */
export function renderInvoicePage(document: InvoiceDocument, pdfUrl: string): string {
  const customer = [
    document.customerName,
    document.customerEmail,
    ...document.customerAddress,
  ].filter((part): part is string => part !== null && part !== '');
  const payment =
    document.status === 'open' || document.status === 'uncollectible'
      ? '<p class="muted">This sandbox takes no payments on this page: pay the invoice with <code>POST /v1/invoices/{id}/pay</code>.</p>'
      : '';
  return htmlPage(
    `Invoice ${document.number} – ${document.accountName}`,
    `<main class="invoice">
<p class="muted">${escapeHtml(document.accountName)} · test mode</p>
<h1>Invoice ${escapeHtml(document.number)} <span class="badge ${escapeHtml(document.status)}">${escapeHtml(document.statusLabel)}</span></h1>
<p class="headline">${escapeHtml(document.headline)}</p>
<dl>
${row('Invoice number', document.number)}
${row('Date of issue', document.issued)}
${row('Date due', document.due)}
${row('Payment', document.collection)}
${row('Bill to', customer.length === 0 ? null : customer.join(', '))}
</dl>
${document.memo === null ? '' : `<p>${escapeHtml(document.memo)}</p>`}
<table>
<thead><tr><th>Description</th><th class="amount">Qty</th><th class="amount">Unit price</th><th class="amount">Amount</th></tr></thead>
<tbody>
${document.lines.map(lineRow).join('\n')}
</tbody>
<tfoot>
<tr><td colspan="3">Subtotal</td><td class="amount">${escapeHtml(document.subtotal)}</td></tr>
<tr><td colspan="3">Total</td><td class="amount">${escapeHtml(document.total)}</td></tr>
<tr><td colspan="3">Amount paid</td><td class="amount">${escapeHtml(document.amountPaid)}</td></tr>
<tr><th colspan="3">Amount remaining</th><th class="amount">${escapeHtml(document.amountRemaining)}</th></tr>
</tfoot>
</table>
${payment}
<p><a href="${escapeHtml(pdfUrl)}">Download invoice (PDF)</a></p>
${document.footer === null ? '' : `<p class="muted">${escapeHtml(document.footer)}</p>`}
</main>`,
    INVOICE_STYLE,
  );
}

/** The page of a link that leads to no invoice. */
export function renderInvoiceMissingPage(): string {
  return htmlPage(
    'Invoice not found – Stripe sandbox',
    `<main class="card">
<h1>Not found</h1>
<p>This link leads to no invoice in this sandbox.</p>
</main>`,
  );
}
