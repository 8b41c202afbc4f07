import type { InvoiceRunResourceV1 } from '@aegis/contracts';
import cliProgress from 'cli-progress';

/** Where a progress bar can be drawn: a terminal (`isTTY`) redraws it in place. */
export type ProgressStream = NodeJS.WritableStream & {
  readonly isTTY?: boolean;
  readonly columns?: number;
};

/** How far a watched invoice run got, shown while it runs. */
export interface InvoiceRunProgress {
  /** The run's latest state: a redrawn bar on a terminal, else a line when it changed. */
  show(run: InvoiceRunResourceV1): void;
  /** The run ended (or the watch failed): the bar's last state stays, the cursor on a new line. */
  stop(): void;
}

/** Short enough for the whole line to fit 80 columns. */
const BAR_SIZE = 24;
const BAR_OPTIONS = {
  barsize: BAR_SIZE,
  barCompleteString: '#'.repeat(BAR_SIZE),
  barIncompleteString: '-'.repeat(BAR_SIZE),
  barGlue: '',
};

/** Customers the run has dealt with, invoiced or failed. */
function handledOf(run: InvoiceRunResourceV1): number {
  return run.progress.done + run.progress.failed;
}

function failedOf(run: InvoiceRunResourceV1): string {
  return `${run.progress.failed} failed`;
}

/**
 * One line of a run's progress, `invoicing 2026-03 [####------]  40% 2/5 customers, 0 failed`, or,
 * before billing has listed the period's customers, how many it has handled.
 */
export function formatRunProgress(run: InvoiceRunResourceV1): string {
  const { total } = run.progress;
  const head = `invoicing ${run.billing_period}`;
  if (total === null)
    return `${head}: listing customers… ${run.progress.done} invoiced, ${failedOf(run)}`;
  const handled = Math.min(handledOf(run), total);
  const fraction = total === 0 ? 1 : handled / total;
  const bar = cliProgress.Format.BarFormat(fraction, BAR_OPTIONS);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `${head} [${bar}] ${percent} ${handled}/${total} customers, ${failedOf(run)}`;
}

/** On a terminal: one cli-progress bar, redrawn in place as the run moves. */
class TerminalProgress implements InvoiceRunProgress {
  private latest: InvoiceRunResourceV1 | undefined;
  private readonly bar: cliProgress.SingleBar;

  constructor(stream: ProgressStream) {
    this.bar = new cliProgress.SingleBar({
      stream,
      format: () => (this.latest === undefined ? '' : formatRunProgress(this.latest)),
      // Nothing of the terminal's settings is changed (the cursor stays visible; line wrapping
      // stays on, each line cut to the terminal's width instead), so a Ctrl-C may end the CLI
      // at once with nothing to restore.
      hideCursor: null,
      linewrap: true,
      gracefulExit: false,
    });
  }

  show(run: InvoiceRunResourceV1): void {
    this.latest = run;
    const total = run.progress.total ?? 0;
    const value = Math.min(handledOf(run), total);
    if (this.bar.isActive) {
      this.bar.setTotal(total);
      this.bar.update(value);
      this.bar.render();
    } else this.bar.start(total, value);
  }

  stop(): void {
    this.bar.stop();
  }
}

/** Elsewhere (a pipe, a log, CI): the same line, written only when it changed. */
class LineProgress implements InvoiceRunProgress {
  private shown: string | undefined;

  constructor(private readonly write: (line: string) => void) {}

  show(run: InvoiceRunResourceV1): void {
    const line = formatRunProgress(run);
    if (line !== this.shown) this.write(line);
    this.shown = line;
  }

  stop(): void {
    this.shown = undefined;
  }
}

/**
 * The progress display of `aegis invoices run`: a bar on `stream` when it is
 * a terminal, else one line per change through `line` (stderr). Either way it
 * is beside the answer, never in it: stdout keeps the run's final state.
 */
export function invoiceRunProgressOf(
  stream: ProgressStream | undefined,
  line: (text: string) => void,
): InvoiceRunProgress {
  return stream?.isTTY === true ? new TerminalProgress(stream) : new LineProgress(line);
}
