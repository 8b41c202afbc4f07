import { describe, expect, it } from '@jest/globals';
import { monoWidth, pdfString, renderPdf, type PdfDocument } from './pdf.js';

const DOCUMENT: PdfDocument = {
  title: 'Invoice (test)',
  created: new Date(Date.UTC(2026, 0, 31, 12, 0, 5)),
  pages: [
    {
      marks: [
        { kind: 'text', x: 54, y: 700, size: 24, font: 'bold', text: 'Invoice' },
        { kind: 'rule', x1: 54, y1: 690, x2: 558, y2: 690, width: 0.5, gray: 0.8 },
        { kind: 'text', x: 54, y: 670, size: 10, font: 'mono', text: '€1,234.50', gray: 0.4 },
      ],
    },
    { marks: [{ kind: 'text', x: 54, y: 700, size: 10, font: 'regular', text: 'Page 2' }] },
  ],
};

/** The cross-reference table: each object number's byte offset. */
function xrefOf(file: string): { offsets: number[]; size: number } {
  const startxref = /startxref\n(\d+)\n%%EOF\n$/.exec(file);
  if (startxref === null) throw new Error('no startxref at the end');
  const xrefAt = Number(startxref[1]);
  expect(file.slice(xrefAt, xrefAt + 5)).toBe('xref\n');
  const [, first, count] = /^xref\n(\d+) (\d+)\n/.exec(file.slice(xrefAt)) ?? [];
  expect(first).toBe('0');
  const entriesAt = xrefAt + `xref\n0 ${count}\n`.length;
  const offsets: number[] = [];
  for (let index = 0; index < Number(count); index += 1) {
    const entry = file.slice(entriesAt + index * 20, entriesAt + (index + 1) * 20);
    expect(entry).toMatch(index === 0 ? /^0{10} 65535 f \n$/ : /^\d{10} 00000 n \n$/);
    if (index > 0) offsets.push(Number(entry.slice(0, 10)));
  }
  const size = /trailer\n<< \/Size (\d+) /.exec(file)?.[1];
  return { offsets, size: Number(size) };
}

describe('renderPdf', () => {
  const file = renderPdf(DOCUMENT).toString('latin1');

  it('writes a PDF 1.4 header with the binary-marker comment and ends with %%EOF', () => {
    expect(file.startsWith('%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n')).toBe(true);
    expect(file.endsWith('%%EOF\n')).toBe(true);
  });

  it('points every cross-reference entry at the start of its own object', () => {
    const { offsets, size } = xrefOf(file);
    expect(size).toBe(offsets.length + 1);
    offsets.forEach((offset, index) => {
      expect(file.slice(offset, offset + `${index + 1} 0 obj\n`.length)).toBe(
        `${index + 1} 0 obj\n`,
      );
    });
  });

  it('gives each content stream its exact length', () => {
    const streams = [...file.matchAll(/<< \/Length (\d+) >>\nstream\n/g)];
    expect(streams.length).toBe(2);
    for (const stream of streams) {
      const start = stream.index + stream[0].length;
      expect(file.slice(start + Number(stream[1]), start + Number(stream[1]) + 10)).toBe(
        'endstream\n',
      );
    }
  });

  it('has a page tree of both pages with the three standard fonts', () => {
    expect(file).toContain('/Type /Pages /Kids [7 0 R 9 0 R] /Count 2');
    expect(file).toContain('/BaseFont /Helvetica /Encoding /WinAnsiEncoding');
    expect(file).toContain('/BaseFont /Helvetica-Bold ');
    expect(file).toContain('/BaseFont /Courier ');
    expect(file).toContain('/CreationDate (D:20260131120005Z)');
  });

  it('draws text and rules with their fonts, positions and grey levels', () => {
    expect(file).toContain('BT /F2 24 Tf 0 g 54 700 Td (Invoice) Tj ET');
    expect(file).toContain('0.8 G 0.5 w 54 690 m 558 690 l S');
    expect(file).toContain('BT /F3 10 Tf 0.4 g 54 670 Td (\\2001,234.50) Tj ET');
  });

  it('refuses a document without pages', () => {
    expect(() => renderPdf({ ...DOCUMENT, pages: [] })).toThrow(/at least one page/);
  });
});

describe('pdfString', () => {
  it('escapes backslashes and parentheses', () => {
    expect(pdfString('a (b) \\ c')).toBe('(a \\(b\\) \\\\ c)');
  });

  it('writes Latin-1 and WinAnsi characters in octal, and ? for any other', () => {
    expect(pdfString('Zoë – €5 李')).toBe('(Zo\\353 \\226 \\2005 ?)');
  });

  it('turns line breaks and other white space into spaces', () => {
    expect(pdfString('a\nb\tc\u00a0d')).toBe('(a b c d)');
  });
});

describe('monoWidth', () => {
  it('is 0.6 of the size per character, counting characters not UTF-16 units', () => {
    expect(monoWidth('12.50', 10)).toBe(30);
    expect(monoWidth('😀', 10)).toBe(6);
  });
});
