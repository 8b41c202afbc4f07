import { LETTER, monoWidth, renderPdf, type PdfMark, type PdfPage } from '../core/pdf.js';
import type { InvoiceDocument, InvoiceDocumentLine } from './invoice-document.js';

const MARGIN = 54;
const RIGHT = LETTER.width - MARGIN;
const QUANTITY_RIGHT = 372;
const UNIT_PRICE_RIGHT = 462;
const BODY_SIZE = 10;
const SMALL_SIZE = 8;
const ROW_HEIGHT = 18;
const PERIOD_HEIGHT = 10;
/** Where rows start on pages after the first, below the repeated table header. */
const CONTINUATION_TOP = LETTER.height - MARGIN - 40;
/** Rows stop above this; the page number and footer sit below it. */
const ROWS_BOTTOM = MARGIN + 40;
/** The height the totals block needs below the last row. */
const TOTALS_HEIGHT = 4 * 16 + 24;
/** Helvetica averages about half an em a character; descriptions are cut to fit their column. */
const DESCRIPTION_CHARACTERS = 48;

/** `text` cut to `length` characters, with an ellipsis when it was longer. */
function fit(text: string, length: number): string {
  const characters = Array.from(text);
  return characters.length <= length ? text : `${characters.slice(0, length - 1).join('')}…`;
}

function text(
  x: number,
  y: number,
  value: string,
  options: { size?: number; font?: 'regular' | 'bold'; gray?: number } = {},
): PdfMark {
  return {
    kind: 'text',
    x,
    y,
    size: options.size ?? BODY_SIZE,
    font: options.font ?? 'regular',
    text: value,
    ...(options.gray === undefined ? {} : { gray: options.gray }),
  };
}

/** Text in Courier ending at `right`: amounts line up on their last digit. */
function rightAligned(
  right: number,
  y: number,
  value: string,
  size = BODY_SIZE,
  gray = 0,
): PdfMark {
  return {
    kind: 'text',
    x: right - monoWidth(value, size),
    y,
    size,
    font: 'mono',
    text: value,
    gray,
  };
}

function rule(y: number, gray = 0.75): PdfMark {
  return { kind: 'rule', x1: MARGIN, y1: y, x2: RIGHT, y2: y, width: 0.5, gray };
}

function tableHeader(y: number): PdfMark[] {
  return [
    text(MARGIN, y, 'Description', { size: SMALL_SIZE, gray: 0.4 }),
    rightAligned(QUANTITY_RIGHT, y, 'Qty', SMALL_SIZE, 0.4),
    rightAligned(UNIT_PRICE_RIGHT, y, 'Unit price', SMALL_SIZE, 0.4),
    rightAligned(RIGHT, y, 'Amount', SMALL_SIZE, 0.4),
    rule(y - 6),
  ];
}

function heightOf(line: InvoiceDocumentLine): number {
  return ROW_HEIGHT + (line.period === null ? 0 : PERIOD_HEIGHT);
}

function lineMarks(line: InvoiceDocumentLine, y: number): PdfMark[] {
  const marks = [
    text(MARGIN, y, fit(line.description, DESCRIPTION_CHARACTERS)),
    rightAligned(QUANTITY_RIGHT, y, line.quantity),
    rightAligned(UNIT_PRICE_RIGHT, y, line.unitPrice ?? ''),
    rightAligned(RIGHT, y, line.amount),
  ];
  if (line.period !== null)
    marks.push(text(MARGIN, y - PERIOD_HEIGHT, line.period, { size: SMALL_SIZE, gray: 0.4 }));
  return marks;
}

/** The first page's top: title, details, account, customer and headline; returns where the table starts. */
function heading(document: InvoiceDocument, marks: PdfMark[]): number {
  let y = LETTER.height - MARGIN - 18;
  marks.push(text(MARGIN, y, 'Invoice', { size: 26, font: 'bold' }));
  if (document.status !== 'open') {
    marks.push(
      text(MARGIN + 120, y + 4, document.statusLabel.toUpperCase(), {
        size: 14,
        font: 'bold',
        gray: 0.45,
      }),
    );
  }
  y -= 34;
  const details: [string, string | null][] = [
    ['Invoice number', document.number],
    ['Date of issue', document.issued],
    ['Date due', document.due],
  ];
  let detailY = y;
  for (const [label, value] of details) {
    if (value === null) continue;
    marks.push(text(MARGIN, detailY, label, { gray: 0.4 }), text(MARGIN + 96, detailY, value));
    detailY -= 14;
  }
  const customer = [
    document.customerName,
    document.customerEmail,
    ...document.customerAddress,
  ].filter((part): part is string => part !== null && part !== '');
  let partyY = y;
  marks.push(text(330, partyY, fit(document.accountName, 40), { font: 'bold' }));
  partyY -= 24;
  marks.push(text(330, partyY, 'Bill to', { gray: 0.4 }));
  for (const part of customer.slice(0, 5)) {
    partyY -= 14;
    marks.push(text(330, partyY, fit(part, 40)));
  }
  y = Math.min(detailY, partyY) - 30;
  marks.push(text(MARGIN, y, document.headline, { size: 14, font: 'bold' }));
  y -= 16;
  marks.push(text(MARGIN, y, document.collection, { size: SMALL_SIZE, gray: 0.4 }));
  if (document.memo !== null && document.memo !== '') {
    y -= 20;
    marks.push(text(MARGIN, y, fit(document.memo, 90)));
  }
  return y - 34;
}

function totals(document: InvoiceDocument, y: number): PdfMark[] {
  const rows: [string, string, boolean][] = [
    ['Subtotal', document.subtotal, false],
    ['Total', document.total, false],
    ['Amount paid', document.amountPaid, false],
    ['Amount remaining', document.amountRemaining, true],
  ];
  return rows.flatMap(([label, value, strong], index) => [
    text(330, y - index * 16, label, strong ? { font: 'bold' } : {}),
    rightAligned(RIGHT, y - index * 16, value),
  ]);
}

/**
 * The invoice PDF (`invoice_pdf`), US Letter: heading, the lines (on as
 * many pages as they need, the table header repeated), the totals, the
 * footer and page numbers. Layout only; the writing is core/pdf.ts.
 */
export function renderInvoicePdf(document: InvoiceDocument, created: Date): Buffer {
  const pages: PdfMark[][] = [[]];
  let marks = pages[0] ?? [];
  let y = heading(document, marks);
  marks.push(...tableHeader(y));
  y -= 22;
  for (const line of document.lines) {
    if (y - heightOf(line) < ROWS_BOTTOM) {
      marks = [];
      pages.push(marks);
      marks.push(...tableHeader(CONTINUATION_TOP + 22));
      y = CONTINUATION_TOP;
    }
    marks.push(...lineMarks(line, y));
    y -= heightOf(line);
  }
  marks.push(rule(y + 8));
  if (y - TOTALS_HEIGHT < ROWS_BOTTOM) {
    marks = [];
    pages.push(marks);
    y = CONTINUATION_TOP;
  }
  marks.push(...totals(document, y - 12));
  const pdfPages: PdfPage[] = pages.map((pageMarks, index) => {
    const footer: PdfMark[] = [
      rightAligned(RIGHT, MARGIN, `Page ${index + 1} of ${pages.length}`, SMALL_SIZE, 0.4),
      text(MARGIN, MARGIN, fit(`${document.number} · ${document.accountName}`, 60), {
        size: SMALL_SIZE,
        gray: 0.4,
      }),
    ];
    if (document.footer !== null && document.footer !== '') {
      footer.push(
        text(MARGIN, MARGIN + 14, fit(document.footer, 110), { size: SMALL_SIZE, gray: 0.4 }),
      );
    }
    return { marks: [...pageMarks, ...footer] };
  });
  return renderPdf({ title: `Invoice ${document.number}`, created, pages: pdfPages });
}
