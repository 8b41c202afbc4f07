import cliProgress from 'cli-progress';
import type { ProgressStream } from '../invoices/invoice-run-progress.js';

/** How far `aegis seed` got, shown beside its answer (stderr), never in it. */
export interface SeedProgress {
  start(total: number): void;
  /** A step of `phase` was taken (made or found). */
  step(phase: string): void;
  stop(): void;
}

const BAR_SIZE = 24;

/** On a terminal: one cli-progress bar with the phase, redrawn in place. */
class TerminalSeedProgress implements SeedProgress {
  private readonly bar: cliProgress.SingleBar;

  constructor(stream: ProgressStream) {
    this.bar = new cliProgress.SingleBar({
      stream,
      format: 'seeding [{bar}] {percentage}% {value}/{total} {phase}',
      barsize: BAR_SIZE,
      barCompleteChar: '#',
      barIncompleteChar: '-',
      // As the invoice run's bar: nothing of the terminal's settings changes, so Ctrl-C is safe.
      hideCursor: null,
      linewrap: true,
      gracefulExit: false,
    });
  }

  start(total: number): void {
    this.bar.start(total, 0, { phase: '' });
  }

  step(phase: string): void {
    this.bar.increment(1, { phase });
  }

  stop(): void {
    this.bar.stop();
  }
}

/** Elsewhere (a pipe, a log, CI): a line when a new phase begins. */
class LineSeedProgress implements SeedProgress {
  private phase: string | undefined;

  constructor(private readonly write: (line: string) => void) {}

  start(): void {
    this.phase = undefined;
  }

  step(phase: string): void {
    if (phase !== this.phase) this.write(`seeding ${phase}`);
    this.phase = phase;
  }

  stop(): void {
    this.phase = undefined;
  }
}

/** A bar on `stream` when it is a terminal, else a line per phase through `line` (stderr). */
export function seedProgressOf(
  stream: ProgressStream | undefined,
  line: (text: string) => void,
): SeedProgress {
  return stream?.isTTY === true ? new TerminalSeedProgress(stream) : new LineSeedProgress(line);
}
