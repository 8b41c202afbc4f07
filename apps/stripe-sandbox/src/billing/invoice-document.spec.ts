import { describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import { draftInvoice } from './invoice-drafts.js';
import { invoiceDate, invoiceDocumentOf } from './invoice-document.js';
import { renderInvoicePage } from './invoice-page.js';
import { readPdf } from '../../test/pdf-reading.js';
import { renderInvoicePdf } from './invoice-pdf.js';

const MARCH_3_2026 = Date.UTC(2026, 2, 3, 15, 30) / 1000;
const DAY = 24 * 60 * 60;

function customer(name: string): Stripe.Customer {
  return {
    id: 'cus_document',
    email: 'ada@example.com',
    name,
    phone: null,
    shipping: null,
    tax_exempt: 'none',
    address: {
      line1: '1 Main St',
      line2: null,
      city: 'Springfield',
      state: 'IL',
      postal_code: '62701',
      country: 'US',
    },
  } as Stripe.Customer;
}

function line(
  description: string,
  amount: number,
  quantity: number,
  unitAmount: string | null,
  period = { start: MARCH_3_2026, end: MARCH_3_2026 },
): Stripe.InvoiceLineItem {
  return {
    id: 'il_document',
    object: 'line_item',
    amount,
    currency: 'usd',
    description,
    period,
    quantity,
    pricing:
      unitAmount === null
        ? null
        : { type: 'price_details', unit_amount_decimal: Stripe.Decimal.from(unitAmount) },
  } as Stripe.InvoiceLineItem;
}

/** An open `send_invoice` invoice of two lines, finalized on March 3, 2026 and due 30 days later. */
function openInvoice(name = 'Ada Lovelace', lines = [line('Setup fee', 2500, 1, '2500')]) {
  const invoice = draftInvoice(customer(name), {
    currency: 'usd',
    collectionMethod: 'send_invoice',
    autoAdvance: false,
    dueDate: MARCH_3_2026 + 30 * DAY,
    billingReason: 'manual',
    parent: null,
    description: 'Thanks for your business',
    metadata: {},
    defaultPaymentMethod: null,
    footer: 'Aegis Payments · 1 Main St',
    statementDescriptor: null,
    periodStart: MARCH_3_2026,
    periodEnd: MARCH_3_2026,
    testClock: null,
    now: MARCH_3_2026,
  });
  const total = lines.reduce((sum, each) => sum + each.amount, 0);
  return {
    ...invoice,
    number: 'ABCD1234-0001',
    status: 'open' as const,
    status_transitions: { ...invoice.status_transitions, finalized_at: MARCH_3_2026 },
    lines: { ...invoice.lines, data: lines },
    subtotal: total,
    total,
    amount_due: total,
    amount_remaining: total,
  };
}

describe(invoiceDocumentOf.name, () => {
  it('refuses a draft: drafts have no page or PDF', () => {
    const draft = { ...openInvoice(), status: 'draft' as const, number: null };
    expect(() => invoiceDocumentOf(draft)).toThrow(/not finalized/);
  });

  it("writes out an open invoice's amounts, dates, customer and lines", () => {
    const document = invoiceDocumentOf(
      openInvoice('Ada Lovelace', [
        line('2 × Seat (at $12.50 / month)', 2500, 2, '1250', {
          start: MARCH_3_2026,
          end: MARCH_3_2026 + 31 * DAY,
        }),
        line('Overage', 1, 8, '0.125'),
      ]),
    );
    expect(document.headline).toBe('$25.01 due April 2, 2026');
    expect(document.issued).toBe('March 3, 2026');
    expect(document.due).toBe('April 2, 2026');
    expect(document.statusLabel).toBe('Open');
    expect(document.collection).toBe('Pay by the due date');
    expect(document.customerAddress).toStrictEqual(['1 Main St', '62701 Springfield IL', 'US']);
    expect(document.lines).toStrictEqual([
      {
        description: '2 × Seat (at $12.50 / month)',
        quantity: '2',
        unitPrice: '$12.50',
        amount: '$25.00',
        period: 'March 3, 2026 – April 3, 2026',
      },
      {
        description: 'Overage',
        quantity: '8',
        unitPrice: '$0.00125',
        amount: '$0.01',
        period: null,
      },
    ]);
    expect(document.total).toBe('$25.01');
  });

  it('says when a paid invoice was paid, and that a void one can no longer be', () => {
    const open = openInvoice();
    const paid = invoiceDocumentOf({
      ...open,
      status: 'paid',
      amount_paid: 2500,
      amount_remaining: 0,
      status_transitions: { ...open.status_transitions, paid_at: MARCH_3_2026 + DAY },
    });
    expect(paid.headline).toBe('$25.00 paid on March 4, 2026');
    expect(paid.amountRemaining).toBe('$0.00');
    expect(invoiceDocumentOf({ ...open, status: 'void' }).headline).toMatch(/void/);
  });
});

describe(invoiceDate.name, () => {
  it('writes the UTC date, whatever the time of day', () => {
    expect(invoiceDate(Date.UTC(2026, 0, 31, 23, 59, 59) / 1000)).toBe('January 31, 2026');
  });
});

describe(renderInvoicePage.name, () => {
  it('escapes every value it shows, and links the PDF', () => {
    const page = renderInvoicePage(
      invoiceDocumentOf(
        openInvoice('<script>alert("hi")</script>', [line('<b>bold</b> & co', 100, 1, null)]),
      ),
      'http://127.0.0.1:1/invoice/test_x/pdf?a=1&b=2',
    );
    expect(page).toContain('&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt;');
    expect(page).toContain('&lt;b&gt;bold&lt;/b&gt; &amp; co');
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<b>bold');
    expect(page).toContain('href="http://127.0.0.1:1/invoice/test_x/pdf?a=1&amp;b=2"');
    expect(page).toContain('Invoice ABCD1234-0001');
    expect(page).toContain('$1.00 due April 2, 2026');
  });
});

describe(renderInvoicePdf.name, () => {
  const created = new Date(MARCH_3_2026 * 1000);

  it('puts the number, headline, lines and totals in the PDF text', async () => {
    const pdf = await renderInvoicePdf(invoiceDocumentOf(openInvoice()), created);
    const file = pdf.toString('latin1');
    const { texts, info } = readPdf(pdf);
    expect(file.startsWith('%PDF-1.4')).toBe(true);
    expect(info('Title')).toBe('Invoice ABCD1234-0001');
    expect(texts).toContain('ABCD1234-0001');
    expect(texts).toContain('$25.00 due April 2, 2026');
    expect(texts).toContain('Setup fee');
    expect(texts).toContain('Amount remaining');
    expect(texts).toContain('Page 1 of 1');
  });

  it('runs a long invoice over several pages, each numbered', async () => {
    const lines = Array.from({ length: 90 }, (_, index) =>
      line(`Item ${index + 1}`, 100, 1, '100'),
    );
    const { pages, texts, pageCount } = readPdf(
      await renderInvoicePdf(invoiceDocumentOf(openInvoice('Ada', lines)), created),
    );
    const count = pageCount;
    expect(count).toBeGreaterThan(2);
    expect(texts).toContain(`Page ${count} of ${count}`);
    expect(texts).toContain('Item 1');
    expect(texts).toContain('Item 90');
    expect(pages).toHaveLength(count);
    pages.forEach((page, index) => expect(page).toContain(`Page ${index + 1} of ${count}`));
  });

  it('writes the same bytes for the same invoice, dated when it was finalized', async () => {
    const document = invoiceDocumentOf(openInvoice());
    const first = await renderInvoicePdf(document, created);
    expect((await renderInvoicePdf(document, created)).equals(first)).toBe(true);
    expect(readPdf(first).info('CreationDate')).toBe('D:20260303153000Z');
  });

  it('prints ? for characters the standard fonts lack, and a space for line breaks', async () => {
    const { texts } = readPdf(
      await renderInvoicePdf(
        invoiceDocumentOf(
          openInvoice('Zoë 李小龍', [line('Seat\nrenewal 😀 Привет', 2500, 1, '2500')]),
        ),
        created,
      ),
    );
    expect(texts).toContain('Zoë ???');
    expect(texts).toContain('Seat renewal ? ??????');
  });

  it('cuts a description too long for its column, with an ellipsis', async () => {
    const long = `Consulting ${'and more '.repeat(20)}`.trim();
    const { texts } = readPdf(
      await renderInvoicePdf(
        invoiceDocumentOf(openInvoice('Ada', [line(long, 100, 1, '100')])),
        created,
      ),
    );
    const cut = texts.find((each) => each.startsWith('Consulting and more'));
    expect(cut).toBeDefined();
    expect(cut?.length).toBeLessThan(long.length);
    // The ellipsis is WinAnsi 0x85, which Latin-1 reads as U+0085.
    expect(cut?.endsWith('\u0085')).toBe(true);
    expect(long.startsWith(cut?.slice(0, -1) ?? '')).toBe(true);
  });
});
