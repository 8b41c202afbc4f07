import { inflateSync } from 'node:zlib';

/** What a test reads of a PDF: enough to check what the invoice PDF says, with no PDF tool. */
export interface PdfReading {
  /** The text of each text object (`BT … ET`), page by page, in the order drawn. */
  readonly pages: readonly (readonly string[])[];
  /** Every page's texts, in one list. */
  readonly texts: readonly string[];
  /** The page tree's `/Count`. */
  readonly pageCount: number;
  /** A document information entry (`Title`, `Creator`, `CreationDate`…), if there. */
  readonly info: (key: string) => string | undefined;
}

interface PdfObject {
  /** The object's body, or a stream's dictionary. */
  readonly body: string;
  /** A stream's data, inflated when it is `/FlateDecode`. */
  readonly stream: Buffer | null;
}

/**
 * The objects of a PDF as pdfkit writes it (a classic cross-reference
 * table, direct stream lengths), each found through its xref entry: a test
 * of ours reading a file of the library's, not a general PDF parser.
 */
function objectsOf(file: Buffer): { objects: Map<number, PdfObject>; trailer: string } {
  const raw = file.toString('latin1');
  const startxref = /startxref\n(\d+)\n%%EOF\n$/.exec(raw);
  if (startxref === null) throw new Error('no startxref at the end of the PDF');
  const xrefAt = Number(startxref[1]);
  const xref = /^xref\n0 (\d+)\n/.exec(raw.slice(xrefAt));
  if (xref === null) throw new Error(`no cross-reference table at ${xrefAt}`);
  const count = Number(xref[1]);
  const entriesAt = xrefAt + xref[0].length;
  const objects = new Map<number, PdfObject>();
  for (let number = 1; number < count; number += 1) {
    const offset = Number(raw.slice(entriesAt + number * 20, entriesAt + number * 20 + 10));
    const head = `${number} 0 obj\n`;
    if (raw.slice(offset, offset + head.length) !== head) {
      throw new Error(`the xref entry of object ${number} does not point at it`);
    }
    const start = offset + head.length;
    // A dictionary holds neither keyword, so whichever comes first says which kind of object this is.
    const streamAt = raw.indexOf('\nstream\n', start);
    const endAt = raw.indexOf('\nendobj', start);
    if (streamAt === -1 || endAt < streamAt) {
      objects.set(number, { body: raw.slice(start, endAt), stream: null });
      continue;
    }
    const body = raw.slice(start, streamAt);
    const length = Number(/\/Length (\d+)/.exec(body)?.[1]);
    const dataAt = streamAt + '\nstream\n'.length;
    const data = file.subarray(dataAt, dataAt + length);
    objects.set(number, {
      body,
      stream: body.includes('/Filter /FlateDecode') ? inflateSync(data) : Buffer.from(data),
    });
  }
  return { objects, trailer: raw.slice(raw.indexOf('trailer\n', xrefAt)) };
}

function reference(body: string, key: string): number | undefined {
  const match = new RegExp(`/${key} (\\d+) 0 R`).exec(body);
  return match === null ? undefined : Number(match[1]);
}

/** A literal string's value: escapes undone, UTF-16BE when it starts with its byte order mark. */
function literalString(body: string): string {
  const escaped = /^\(([\s\S]*)\)$/.exec(body.trim())?.[1] ?? '';
  const bytes = escaped.replace(/\\([nrtbf()\\])/g, (_, character: string) => {
    const controls: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };
    return controls[character] ?? character;
  });
  return bytes.startsWith('\u00fe\u00ff')
    ? Buffer.from(bytes.slice(2), 'latin1').swap16().toString('utf16le')
    : bytes;
}

/**
 * The text objects of a content stream. pdfkit writes the standard fonts'
 * text as hex strings in `TJ` arrays, one byte a character in WinAnsi;
 * they are read as Latin-1, which is the same but for 0x80–0x9F (WinAnsi's
 * `€`, `…`, `–` and the like come out as C1 controls).
 */
function textsOf(content: string): string[] {
  return [...content.matchAll(/\bBT\b([\s\S]*?)\bET\b/g)].map((textObject) =>
    [...(textObject[1] ?? '').matchAll(/<([0-9a-fA-F]*)>/g)]
      .map((hex) => Buffer.from(hex[1] ?? '', 'hex').toString('latin1'))
      .join(''),
  );
}

/** Reads the pages' texts and the document information of a PDF that pdfkit wrote. */
export function readPdf(file: Buffer): PdfReading {
  const { objects, trailer } = objectsOf(file);
  const body = (number: number | undefined): string =>
    (number === undefined ? undefined : objects.get(number)?.body) ?? '';
  const pageTree = body(reference(body(reference(trailer, 'Root')), 'Pages'));
  const kids = /\/Kids \[([^\]]*)\]/.exec(pageTree)?.[1] ?? '';
  const pages = [...kids.matchAll(/(\d+) 0 R/g)].map((kid) => {
    const contents = reference(body(Number(kid[1])), 'Contents');
    const stream = contents === undefined ? null : (objects.get(contents)?.stream ?? null);
    return stream === null ? [] : textsOf(stream.toString('latin1'));
  });
  const information = body(reference(trailer, 'Info'));
  return {
    pages,
    texts: pages.flat(),
    pageCount: Number(/\/Count (\d+)/.exec(pageTree)?.[1]),
    info: (key) => {
      const entry = reference(information, key);
      return entry === undefined ? undefined : literalString(body(entry));
    },
  };
}
