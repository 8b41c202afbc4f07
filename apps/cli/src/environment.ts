export interface Terminal {
  out(line: string): void;
  err(line: string): void;
}

/** Everything the CLI takes from its process, so that tests can give their own. */
export interface CliEnvironment {
  readonly terminal: Terminal;
  /** Environment variables (`AEGIS_URL`, `AEGIS_API_KEY`). */
  readonly variables: Readonly<Record<string, string | undefined>>;
  /** Where the development key file is looked for. */
  readonly cwd: string;
  /** A file's text, or undefined when there is no such file. */
  readonly readFile: (path: string) => string | undefined;
  readonly fetch: typeof globalThis.fetch;
  /** A fresh `Idempotency-Key` for a POST that was given none. */
  readonly newIdempotencyKey: () => string;
  readonly sleep: (milliseconds: number) => Promise<void>;
}
