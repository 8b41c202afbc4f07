import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { formatBackfill, formatReceipt, formatReplay } from './events-output.js';
import type { BackfillRunV1, ReplayRequestV1 } from '@aegis/contracts';
import {
  CliError,
  EXIT_FAILURE,
  EXIT_USAGE,
  type IngestAdminClient,
} from './ingest-admin.client.js';

export const EVENTS_USAGE = [
  'aegis events show <event id> [--json]',
  '    what webhook-ingest did with a Stripe event: received, published, applied by which services',
  'aegis events replay (--id <event id>... | [--type <type>] [--from <time>] [--to <time>]) [--force] [--json]',
  '    publish stored events again; consumers skip what they applied unless --force',
  '    (times are ISO 8601, compared with Stripe’s `created`: from inclusive, to exclusive)',
  'aegis events backfill [--since <time>] [--json]',
  '    ingest the events Stripe has whose webhooks never arrived, showing progress until done',
];

export type EventsCommand =
  | { readonly kind: 'show'; readonly eventId: string; readonly json: boolean }
  | { readonly kind: 'replay'; readonly request: ReplayRequestV1; readonly json: boolean }
  | { readonly kind: 'backfill'; readonly since: string | undefined; readonly json: boolean };

export interface Terminal {
  out(line: string): void;
  err(line: string): void;
}

function usageError(message: string): CliError {
  return new CliError(message, EXIT_USAGE);
}

/** Runs node's parseArgs, turning its complaints into usage errors. */
function parsed<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw usageError(error instanceof Error ? error.message : String(error));
  }
}

/** Reads `events <subcommand> …`; throws a usage CliError naming what is wrong. */
export function parseEventsCommand(args: string[]): EventsCommand {
  const [subcommand, ...rest] = args;
  switch (subcommand) {
    case 'show': {
      const { values, positionals } = parsed(() =>
        parseArgs({
          args: rest,
          options: { json: { type: 'boolean' } },
          allowPositionals: true,
          strict: true,
        }),
      );
      const [eventId, ...extra] = positionals;
      if (eventId === undefined || extra.length > 0)
        throw usageError('events show takes exactly one event id');
      return { kind: 'show', eventId, json: values.json === true };
    }
    case 'replay': {
      const { values, positionals } = parsed(() =>
        parseArgs({
          args: rest,
          options: {
            id: { type: 'string', multiple: true },
            type: { type: 'string' },
            from: { type: 'string' },
            to: { type: 'string' },
            force: { type: 'boolean' },
            json: { type: 'boolean' },
          },
          allowPositionals: true,
          strict: true,
        }),
      );
      if (positionals.length > 0)
        throw usageError(`events replay takes options only, not ${positionals.join(' ')}`);
      const { id, type, from, to } = values;
      const filtered = type !== undefined || from !== undefined || to !== undefined;
      if (id !== undefined && filtered)
        throw usageError('--id cannot be combined with --type, --from or --to');
      if (id === undefined && !filtered)
        throw usageError('events replay needs --id, or --type and/or --from/--to');
      const request: ReplayRequestV1 = {
        ...(id === undefined ? {} : { eventIds: id }),
        ...(type === undefined ? {} : { type }),
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
        ...(values.force === true ? { force: true } : {}),
      };
      return { kind: 'replay', request, json: values.json === true };
    }
    case 'backfill': {
      const { values, positionals } = parsed(() =>
        parseArgs({
          args: rest,
          options: { since: { type: 'string' }, json: { type: 'boolean' } },
          allowPositionals: true,
          strict: true,
        }),
      );
      if (positionals.length > 0)
        throw usageError(`events backfill takes options only, not ${positionals.join(' ')}`);
      return { kind: 'backfill', since: values.since, json: values.json === true };
    }
    case undefined:
      throw usageError('events needs a command: show, replay or backfill');
    default:
      throw usageError(`unknown command: events ${subcommand}`);
  }
}

export interface RunOptions {
  /** How often backfill progress is asked for. */
  readonly pollIntervalMs: number;
}

/** Runs a parsed command; returns the exit code, or throws a CliError. */
export async function runEventsCommand(
  command: EventsCommand,
  client: IngestAdminClient,
  terminal: Terminal,
  options: RunOptions = { pollIntervalMs: 500 },
): Promise<number> {
  const print = (value: unknown, lines: string[]): void => {
    if (command.json) terminal.out(JSON.stringify(value, null, 2));
    else for (const line of lines) terminal.out(line);
  };
  switch (command.kind) {
    case 'show': {
      const receipt = await client.receipt(command.eventId);
      if (receipt === null)
        throw new CliError(
          `${command.eventId}: webhook-ingest never received this event`,
          EXIT_FAILURE,
        );
      print(receipt, formatReceipt(receipt));
      return 0;
    }
    case 'replay': {
      const result = await client.replay(command.request);
      print(result, formatReplay(result));
      return result.notFound.length > 0 ? EXIT_FAILURE : 0;
    }
    case 'backfill': {
      let run: BackfillRunV1 = await client.startBackfill(command.since);
      if (!command.json) {
        if (run.pages > 0)
          terminal.out(`carrying on with backfill ${run.id} after page ${run.pages}`);
        else
          terminal.out(
            `backfill ${run.id} started${run.since === null ? '' : `, listing events since ${run.since}`}`,
          );
      }
      let shown = '';
      while (run.status === 'running') {
        await sleep(options.pollIntervalMs);
        run = await client.backfill(run.id);
        const line = formatBackfill(run);
        if (line !== shown && run.status === 'running' && !command.json) terminal.out(line);
        shown = line;
      }
      print(run, [formatBackfill(run)]);
      return run.status === 'done' ? 0 : EXIT_FAILURE;
    }
  }
}
