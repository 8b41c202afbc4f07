/**
 * A minimal PDF writer, after the file structure of ISO 32000-1 (PDF 1.4):
 * pages of text and straight rules, in uncompressed content streams, with a
 * cross-reference table. Text uses three of the standard 14 fonts
 * (Helvetica, Helvetica-Bold, Courier), which every reader has, so nothing
 * is embedded; it is WinAnsi-encoded, and a character WinAnsi lacks is
 * written as `?`. Enough for a document of lines and totals; no images,
 * no wrapping, no compression.
 */

export type PdfFont = 'regular' | 'bold' | 'mono';

export interface PdfText {
  readonly kind: 'text';
  /** Left end of the baseline, in points from the page's bottom-left corner. */
  readonly x: number;
  readonly y: number;
  readonly size: number;
  readonly font: PdfFont;
  readonly text: string;
  /** Grey level from 0 (black, the default) to 1 (white). */
  readonly gray?: number;
}

export interface PdfRule {
  readonly kind: 'rule';
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  readonly width?: number;
  readonly gray?: number;
}

export type PdfMark = PdfText | PdfRule;

export interface PdfPage {
  readonly marks: readonly PdfMark[];
}

export interface PdfDocument {
  readonly title: string;
  readonly created: Date;
  readonly pages: readonly PdfPage[];
}

/** US Letter, in points. */
export const LETTER = { width: 612, height: 792 } as const;

/** Courier's advance width: every glyph is 600/1000 of the font size. */
const MONO_ADVANCE = 0.6;

/**
 * The width of `text` set in Courier at `size` (to right-align a column of
 * amounts). Each code point is written as one glyph (see `pdfString`), so
 * code points are what count.
 */
export function monoWidth(text: string, size: number): number {
  return Array.from(text).length * MONO_ADVANCE * size;
}

const FONT_RESOURCES: Readonly<Record<PdfFont, { name: string; baseFont: string }>> = {
  regular: { name: 'F1', baseFont: 'Helvetica' },
  bold: { name: 'F2', baseFont: 'Helvetica-Bold' },
  mono: { name: 'F3', baseFont: 'Courier' },
};

/** WinAnsiEncoding's codes for the characters outside Latin-1 it has (PDF 32000-1, annex D). */
const WIN_ANSI_EXTRAS: ReadonlyMap<number, number> = new Map([
  [0x20ac, 0x80],
  [0x201a, 0x82],
  [0x0192, 0x83],
  [0x201e, 0x84],
  [0x2026, 0x85],
  [0x2020, 0x86],
  [0x2021, 0x87],
  [0x02c6, 0x88],
  [0x2030, 0x89],
  [0x0160, 0x8a],
  [0x2039, 0x8b],
  [0x0152, 0x8c],
  [0x017d, 0x8e],
  [0x2018, 0x91],
  [0x2019, 0x92],
  [0x201c, 0x93],
  [0x201d, 0x94],
  [0x2022, 0x95],
  [0x2013, 0x96],
  [0x2014, 0x97],
  [0x02dc, 0x98],
  [0x2122, 0x99],
  [0x0161, 0x9a],
  [0x203a, 0x9b],
  [0x0153, 0x9c],
  [0x017e, 0x9e],
  [0x0178, 0x9f],
]);

/** The WinAnsi code of a character: any white space is a space, anything unknown `?`. */
function winAnsiCode(character: string): number {
  const codePoint = character.codePointAt(0) ?? 0x3f;
  if (/^\s$/u.test(character)) return 0x20;
  if ((codePoint >= 0x20 && codePoint <= 0x7e) || (codePoint >= 0xa0 && codePoint <= 0xff)) {
    return codePoint;
  }
  return WIN_ANSI_EXTRAS.get(codePoint) ?? 0x3f;
}

/**
 * A PDF literal string of `text` in WinAnsi: `\`, `(` and `)` escaped and
 * every code above 0x7E written in octal, so the file itself stays ASCII.
 */
export function pdfString(text: string): string {
  let literal = '(';
  for (const character of text) {
    const code = winAnsiCode(character);
    if (code === 0x5c || code === 0x28 || code === 0x29) {
      literal += `\\${String.fromCharCode(code)}`;
    } else if (code > 0x7e) {
      literal += `\\${code.toString(8).padStart(3, '0')}`;
    } else {
      literal += String.fromCharCode(code);
    }
  }
  return `${literal})`;
}

/** A number as PDF writes it: at most two decimals, never an exponent. */
function num(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return Object.is(rounded, -0) ? '0' : rounded.toFixed(2).replace(/\.?0+$/, '');
}

function contentOf(page: PdfPage): string {
  const operators: string[] = [];
  for (const mark of page.marks) {
    if (mark.kind === 'text') {
      operators.push(
        `BT /${FONT_RESOURCES[mark.font].name} ${num(mark.size)} Tf ${num(mark.gray ?? 0)} g ${num(mark.x)} ${num(mark.y)} Td ${pdfString(mark.text)} Tj ET`,
      );
    } else {
      operators.push(
        `${num(mark.gray ?? 0)} G ${num(mark.width ?? 1)} w ${num(mark.x1)} ${num(mark.y1)} m ${num(mark.x2)} ${num(mark.y2)} l S`,
      );
    }
  }
  return `${operators.join('\n')}\n`;
}

/** `D:YYYYMMDDHHmmSSZ`, PDF's date string, in UTC. */
function pdfDate(date: Date): string {
  return `D:${date.toISOString().slice(0, 19).replace(/[-:T]/g, '')}Z`;
}

/**
 * The bytes of the document. Object numbers: 1 catalog, 2 page tree, 3-5
 * fonts, 6 document information, then each page followed by its content
 * stream. Every character written is below 256, so one character is one
 * byte (latin1) and string lengths are byte offsets.
 */
export function renderPdf(document: PdfDocument): Buffer {
  if (document.pages.length === 0) throw new Error('a PDF needs at least one page');
  const fonts = Object.values(FONT_RESOURCES);
  const firstPageObject = 3 + fonts.length + 1;
  const pageObjects = document.pages.map((_, index) => firstPageObject + index * 2);
  const objects: string[] = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${pageObjects.map((n) => `${n} 0 R`).join(' ')}] /Count ${document.pages.length} >>`,
    ...fonts.map(
      (font) =>
        `<< /Type /Font /Subtype /Type1 /BaseFont /${font.baseFont} /Encoding /WinAnsiEncoding >>`,
    ),
    `<< /Title ${pdfString(document.title)} /Producer ${pdfString('Stripe sandbox')} /CreationDate ${pdfString(pdfDate(document.created))} >>`,
  ];
  const fontResources = fonts.map((font, index) => `/${font.name} ${3 + index} 0 R`).join(' ');
  document.pages.forEach((page, index) => {
    const pageObject = pageObjects[index] ?? 0;
    const content = contentOf(page);
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${LETTER.width} ${LETTER.height}] /Resources << /Font << ${fontResources} >> >> /Contents ${pageObject + 1} 0 R >>`,
      `<< /Length ${content.length} >>\nstream\n${content}endstream`,
    );
  });
  const infoObject = 3 + fonts.length;

  // The comment of bytes above 127 tells transfer tools the file is binary (PDF 32000-1, 7.5.2).
  let file = '%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n';
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(file.length);
    file += `${index + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xrefOffset = file.length;
  file += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) file += `${String(offset).padStart(10, '0')} 00000 n \n`;
  file += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info ${infoObject} 0 R >>\nstartxref\n${xrefOffset}\n%%EOF\n`;
  return Buffer.from(file, 'latin1');
}
