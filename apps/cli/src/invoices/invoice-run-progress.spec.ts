import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import type { InvoiceRunResourceV1 } from '@aegis/contracts';
import {
  formatRunProgress,
  invoiceRunProgressOf,
  type ProgressStream,
} from './invoice-run-progress.js';

function runAt(total: number | null, done: number, failed = 0): InvoiceRunResourceV1 {
  return {
    id: 'run_1',
    object: 'invoice_run',
    billing_period: '2026-03',
    status: 'running',
    progress: { total, done, failed },
    failures: [],
    created_at: '2026-04-01T00:00:00.000Z',
    completed_at: null,
  };
}

/** A terminal 80 columns wide that keeps what was written to it. */
function terminal(): { stream: ProgressStream; written: () => string } {
  let text = '';
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        text += chunk.toString();
        callback();
      },
    }),
    { isTTY: true, columns: 80 },
  );
  return { stream, written: () => text };
}

describe(formatRunProgress.name, () => {
  it('draws the customers handled, invoiced or failed, against the total', () => {
    expect(formatRunProgress(runAt(10, 4, 1))).toBe(
      `invoicing 2026-03 [${'#'.repeat(12)}${'-'.repeat(12)}]  50% 5/10 customers, 1 failed`,
    );
    expect(formatRunProgress(runAt(0, 0))).toBe(
      `invoicing 2026-03 [${'#'.repeat(24)}] 100% 0/0 customers, 0 failed`,
    );
  });

  it('says the customers are still being listed while the total is unknown', () => {
    expect(formatRunProgress(runAt(null, 3, 1))).toBe(
      'invoicing 2026-03: listing customers… 3 invoiced, 1 failed',
    );
  });
});

describe(invoiceRunProgressOf.name, () => {
  it('redraws one cli-progress bar in place on a terminal, and ends it on a new line', () => {
    const { stream, written } = terminal();
    const lines: string[] = [];
    const progress = invoiceRunProgressOf(stream, (line) => lines.push(line));
    progress.show(runAt(null, 0));
    progress.show(runAt(4, 2));
    progress.show(runAt(4, 4));
    progress.stop();
    expect(lines).toEqual([]);
    const text = written();
    expect(text).toContain('listing customers… 0 invoiced, 0 failed');
    expect(text).toContain('2/4 customers, 0 failed');
    // Every state fits an 80-column terminal whole: nothing was cut.
    for (const state of text.split('\x1b[1G').slice(1))
      expect(state.replace(/\x1b\[0K.*$/s, '').length).toBeLessThanOrEqual(80);
    expect(text).toContain(`[${'#'.repeat(24)}] 100% 4/4 customers, 0 failed`);
    // Redrawn in place: back to the start of the line, never a line per state.
    expect(text).toContain('\x1b[1G');
    expect(text.trimEnd().split('\n')).toHaveLength(1);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('writes a line per change elsewhere (a pipe), nothing for a state seen already', () => {
    const lines: string[] = [];
    const progress = invoiceRunProgressOf(undefined, (line) => lines.push(line));
    progress.show(runAt(2, 0));
    progress.show(runAt(2, 0));
    progress.show(runAt(2, 1));
    progress.stop();
    expect(lines).toEqual([
      `invoicing 2026-03 [${'-'.repeat(24)}]   0% 0/2 customers, 0 failed`,
      `invoicing 2026-03 [${'#'.repeat(12)}${'-'.repeat(12)}]  50% 1/2 customers, 0 failed`,
    ]);
  });
});
