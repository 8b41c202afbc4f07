import { buffer } from 'node:stream/consumers';
import PDFDocument from 'pdfkit';
import type { InvoiceDocument, InvoiceDocumentLine } from './invoice-document.js';

type Pdf = PDFKit.PDFDocument;

/** US Letter, in points. Every `y` below is a baseline, in points from the page's top. */
const PAGE = { width: 612, height: 792 } as const;
const MARGIN = 54;
const RIGHT = PAGE.width - MARGIN;
const DESCRIPTION_WIDTH = 240;
const QUANTITY_RIGHT = 372;
const UNIT_PRICE_RIGHT = 462;
const PARTY_X = 330;
const BODY_SIZE = 10;
const SMALL_SIZE = 8;
const ROW_HEIGHT = 18;
const PERIOD_HEIGHT = 10;
/** Where rows start on pages after the first, below the repeated table header. */
const CONTINUATION_TOP = MARGIN + 40;
/** Rows stop above this; the page number and footer sit below it. */
const ROWS_BOTTOM = PAGE.height - MARGIN - 40;
/** The height the totals block needs below the last row. */
const TOTALS_HEIGHT = 4 * 16 + 24;
/** The grey of labels, headers and the footer. */
const MUTED = '#666666';

/** Three of the standard 14 fonts, which every reader has, so nothing is embedded. */
const FONTS = { regular: 'Helvetica', bold: 'Helvetica-Bold', mono: 'Courier' } as const;

interface TextStyle {
  readonly size?: number;
  readonly font?: keyof typeof FONTS;
  readonly color?: string;
  /** Cut to this width when longer, ending in an ellipsis where cut between words. */
  readonly width?: number;
}

/**
 * `value` as the standard fonts can print it. pdfkit writes their text in
 * WinAnsi (Windows-1252), one byte a character, and would turn a character
 * outside it (CJK, Cyrillic, emoji…) into other characters; such a
 * character, for which the font has no glyph (no width), is written `?`.
 * White space, line breaks included, is a space.
 */
function printable(pdf: Pdf, value: string): string {
  return Array.from(value.normalize('NFC'), (character) => {
    if (/^\s$/u.test(character)) return ' ';
    if (/^\p{Cc}$/u.test(character)) return '?';
    return pdf.widthOfString(character) > 0 ? character : '?';
  }).join('');
}

/** Sets the font, size and colour of the next text and returns `value` as it can print. */
function styled(pdf: Pdf, value: string, style: TextStyle): string {
  pdf
    .font(FONTS[style.font ?? 'regular'])
    .fontSize(style.size ?? BODY_SIZE)
    .fillColor(style.color ?? 'black');
  return printable(pdf, value);
}

/** Text starting at `x` on the baseline `y`, on one line. */
function text(pdf: Pdf, x: number, y: number, value: string, style: TextStyle = {}): void {
  const printed = styled(pdf, value, style);
  if (style.width === undefined) {
    pdf.text(printed, x, y, { baseline: 'alphabetic', lineBreak: false });
  } else {
    // One line high: what does not fit is cut, with an ellipsis when cut between words.
    const height = pdf.currentLineHeight(true) * 1.5;
    pdf.text(printed, x, y, { baseline: 'alphabetic', width: style.width, height, ellipsis: true });
  }
}

/** Text in Courier ending at `right`: amounts line up on their last digit, and are never cut. */
function rightAligned(
  pdf: Pdf,
  right: number,
  y: number,
  value: string,
  style: Omit<TextStyle, 'font' | 'width'> = {},
): void {
  const printed = styled(pdf, value, { ...style, font: 'mono' });
  pdf.text(printed, right - pdf.widthOfString(printed), y, {
    baseline: 'alphabetic',
    lineBreak: false,
  });
}

function rule(pdf: Pdf, y: number, color = '#bfbfbf'): void {
  pdf.moveTo(MARGIN, y).lineTo(RIGHT, y).lineWidth(0.5).strokeColor(color).stroke();
}

function tableHeader(pdf: Pdf, y: number): void {
  const header = { size: SMALL_SIZE, color: MUTED };
  text(pdf, MARGIN, y, 'Description', header);
  rightAligned(pdf, QUANTITY_RIGHT, y, 'Qty', header);
  rightAligned(pdf, UNIT_PRICE_RIGHT, y, 'Unit price', header);
  rightAligned(pdf, RIGHT, y, 'Amount', header);
  rule(pdf, y + 6);
}

function heightOf(line: InvoiceDocumentLine): number {
  return ROW_HEIGHT + (line.period === null ? 0 : PERIOD_HEIGHT);
}

function lineRow(pdf: Pdf, line: InvoiceDocumentLine, y: number): void {
  text(pdf, MARGIN, y, line.description, { width: DESCRIPTION_WIDTH });
  rightAligned(pdf, QUANTITY_RIGHT, y, line.quantity);
  rightAligned(pdf, UNIT_PRICE_RIGHT, y, line.unitPrice ?? '');
  rightAligned(pdf, RIGHT, y, line.amount);
  if (line.period !== null) {
    text(pdf, MARGIN, y + PERIOD_HEIGHT, line.period, { size: SMALL_SIZE, color: MUTED });
  }
}

/** The first page's top: title, details, account, customer and headline; returns where the table starts. */
function heading(pdf: Pdf, document: InvoiceDocument): number {
  let y = MARGIN + 18;
  text(pdf, MARGIN, y, 'Invoice', { size: 26, font: 'bold' });
  if (document.status !== 'open') {
    text(pdf, MARGIN + 120, y - 4, document.statusLabel.toUpperCase(), {
      size: 14,
      font: 'bold',
      color: '#8c8c8c',
    });
  }
  y += 34;
  const details: [string, string | null][] = [
    ['Invoice number', document.number],
    ['Date of issue', document.issued],
    ['Date due', document.due],
  ];
  let detailY = y;
  for (const [label, value] of details) {
    if (value === null) continue;
    text(pdf, MARGIN, detailY, label, { color: MUTED });
    text(pdf, MARGIN + 96, detailY, value, { width: PARTY_X - MARGIN - 104 });
    detailY += 14;
  }
  const partyWidth = RIGHT - PARTY_X;
  const customer = [
    document.customerName,
    document.customerEmail,
    ...document.customerAddress,
  ].filter((part): part is string => part !== null && part !== '');
  let partyY = y;
  text(pdf, PARTY_X, partyY, document.accountName, { font: 'bold', width: partyWidth });
  partyY += 24;
  text(pdf, PARTY_X, partyY, 'Bill to', { color: MUTED });
  for (const part of customer.slice(0, 5)) {
    partyY += 14;
    text(pdf, PARTY_X, partyY, part, { width: partyWidth });
  }
  y = Math.max(detailY, partyY) + 30;
  text(pdf, MARGIN, y, document.headline, { size: 14, font: 'bold' });
  y += 16;
  text(pdf, MARGIN, y, document.collection, { size: SMALL_SIZE, color: MUTED });
  if (document.memo !== null && document.memo !== '') {
    y += 20;
    text(pdf, MARGIN, y, document.memo, { width: RIGHT - MARGIN });
  }
  return y + 34;
}

function totals(pdf: Pdf, document: InvoiceDocument, y: number): void {
  const rows: [string, string, boolean][] = [
    ['Subtotal', document.subtotal, false],
    ['Total', document.total, false],
    ['Amount paid', document.amountPaid, false],
    ['Amount remaining', document.amountRemaining, true],
  ];
  rows.forEach(([label, value, strong], index) => {
    text(pdf, PARTY_X, y + index * 16, label, strong ? { font: 'bold' } : {});
    rightAligned(pdf, RIGHT, y + index * 16, value);
  });
}

/** Every page's foot: the memo footer, the number and account, `Page i of n`. */
function footers(pdf: Pdf, document: InvoiceDocument): void {
  const { start, count } = pdf.bufferedPageRange();
  const y = PAGE.height - MARGIN;
  const small = { size: SMALL_SIZE, color: MUTED };
  for (let index = 0; index < count; index += 1) {
    pdf.switchToPage(start + index);
    rightAligned(pdf, RIGHT, y, `Page ${index + 1} of ${count}`, small);
    text(pdf, MARGIN, y, `${document.number} · ${document.accountName}`, { ...small, width: 330 });
    if (document.footer !== null && document.footer !== '') {
      text(pdf, MARGIN, y - 14, document.footer, { ...small, width: RIGHT - MARGIN });
    }
  }
}

/**
 * The invoice PDF (`invoice_pdf`), US Letter, written by pdfkit: heading,
 * the lines (on as many pages as they need, the table header repeated), the
 * totals, the footer and page numbers. Text is in the standard Helvetica
 * and Courier fonts, so a character outside Windows-1252 prints as `?` (see
 * `printable`). The same document and `created` give the same bytes: the
 * creation date is `created`, and the file id pdfkit derives from it.
 */
export async function renderInvoicePdf(document: InvoiceDocument, created: Date): Promise<Buffer> {
  const pdf = new PDFDocument({
    size: 'LETTER',
    margin: MARGIN,
    pdfVersion: '1.4',
    bufferPages: true,
    info: { Title: `Invoice ${document.number}`, Creator: 'Stripe sandbox', CreationDate: created },
  });
  const bytes = buffer(pdf);

  let y = heading(pdf, document);
  tableHeader(pdf, y);
  y += 22;
  for (const line of document.lines) {
    if (y + heightOf(line) > ROWS_BOTTOM) {
      pdf.addPage();
      tableHeader(pdf, CONTINUATION_TOP - 22);
      y = CONTINUATION_TOP;
    }
    lineRow(pdf, line, y);
    y += heightOf(line);
  }
  rule(pdf, y - 8);
  if (y + TOTALS_HEIGHT > ROWS_BOTTOM) {
    pdf.addPage();
    y = CONTINUATION_TOP;
  }
  totals(pdf, document, y + 12);
  footers(pdf, document);
  pdf.end();
  return bytes;
}
