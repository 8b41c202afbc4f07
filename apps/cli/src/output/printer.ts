import type { Terminal } from '../environment.js';

/** Prints either the gateway's JSON answer (`--json`) or readable lines. */
export class Printer {
  constructor(
    private readonly terminal: Terminal,
    readonly json: boolean,
  ) {}

  answer(body: unknown, lines: readonly string[]): void {
    if (this.json) this.printJson(body);
    else this.lines(lines);
  }

  /** Progress and other text that only a reader wants: nothing under `--json`. */
  note(line: string): void {
    if (!this.json) this.terminal.out(line);
  }

  printJson(body: unknown): void {
    this.terminal.out(JSON.stringify(body, null, 2));
  }

  private lines(lines: readonly string[]): void {
    for (const line of lines) this.terminal.out(line);
  }
}
