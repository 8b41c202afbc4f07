import { EnvValidationError, loadEnv } from '@aegis/config';
import { CliEnv } from './config/cli.env.js';
import {
  EVENTS_USAGE,
  parseEventsCommand,
  runEventsCommand,
  type Terminal,
} from './events/events.command.js';
import { CliError, EXIT_USAGE, IngestAdminClient } from './events/ingest-admin.client.js';

const USAGE = [
  'usage:',
  ...EVENTS_USAGE.map((line) => `  ${line}`),
  '',
  'settings (environment):',
  '  INGEST_URL          webhook-ingest’s address (default http://127.0.0.1:3001)',
  '  INGEST_ADMIN_TOKEN  its admin token (webhook-ingest’s INGEST_ADMIN_TOKEN)',
];

/** `aegis <command>`: returns the process exit code. */
export async function runCli(
  args: string[],
  environment: Record<string, string | undefined>,
  terminal: Terminal,
): Promise<number> {
  const [area, ...rest] = args;
  if (area === 'help' || area === '--help' || area === '-h') {
    for (const line of USAGE) terminal.out(line);
    return 0;
  }
  try {
    if (area !== 'events')
      throw new CliError(
        area === undefined ? 'no command given' : `unknown command: ${area}`,
        EXIT_USAGE,
      );
    const command = parseEventsCommand(rest);
    const env = loadEnv(CliEnv, environment);
    if (env.INGEST_ADMIN_TOKEN === undefined)
      throw new CliError(
        'INGEST_ADMIN_TOKEN is not set: give webhook-ingest’s admin token',
        EXIT_USAGE,
      );
    return await runEventsCommand(
      command,
      new IngestAdminClient(env.INGEST_URL, env.INGEST_ADMIN_TOKEN),
      terminal,
    );
  } catch (error) {
    if (error instanceof EnvValidationError) {
      terminal.err(`aegis: ${error.message}`);
      return EXIT_USAGE;
    }
    if (!(error instanceof CliError)) throw error;
    terminal.err(`aegis: ${error.message}`);
    if (error.exitCode === EXIT_USAGE) for (const line of USAGE) terminal.err(line);
    return error.exitCode;
  }
}
