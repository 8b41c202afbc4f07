import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CliEnvironment } from './environment.js';

function readFileIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The real process: its environment, working directory, files, network and stdout/stderr. */
export function processEnvironment(): CliEnvironment {
  return {
    terminal: {
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
    },
    variables: process.env,
    cwd: process.cwd(),
    readFile: readFileIfPresent,
    fetch: globalThis.fetch,
    newIdempotencyKey: randomUUID,
    sleep: async (milliseconds) => {
      await sleep(milliseconds);
    },
  };
}
