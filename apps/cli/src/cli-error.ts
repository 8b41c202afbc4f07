/** The process's exit codes. */
export const EXIT_OK = 0;
/** The gateway refused (4xx or 5xx), or answered that what was asked for failed. */
export const EXIT_REFUSED = 1;
/** The command line or the settings are wrong. */
export const EXIT_USAGE = 2;
/** The gateway could not be reached, or did not answer in time. */
export const EXIT_UNREACHABLE = 3;

/** A failure to report to the user: a message, lines that explain it, and the exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = 'CliError';
  }
}
