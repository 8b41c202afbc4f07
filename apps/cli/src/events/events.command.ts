import {
  PUBLIC_API_PATHS,
  type BackfillRunResourceV1,
  type ReplayResultResourceV1,
  type ReplayStripeEventsBodyV1,
  type StripeEventResourceV1,
} from '@aegis/contracts';
import type { Command } from 'commander';
import { EXIT_OK, EXIT_REFUSED, EXIT_USAGE } from '../cli-error.js';
import type { CommandContext } from '../command-context.js';
import { GatewayRefusal } from '../gateway/gateway.client.js';
import {
  idempotencyKeyOption,
  idempotencyOf,
  jsonOption,
  repeated,
  type IdempotencyKeyOption,
  type JsonOption,
} from '../options/option-parsers.js';
import {
  formatBackfill,
  formatBackfillStart,
  formatReplay,
  formatStripeEvent,
} from './events-output.js';

/** A replay of a whole type may put many thousands of events back in the outbox. */
const REPLAY_TIMEOUT_MS = 10 * 60_000;

export type EventsCommand =
  | { readonly kind: 'events.show'; readonly eventId: string; readonly json: boolean }
  | {
      readonly kind: 'events.replay';
      readonly body: ReplayStripeEventsBodyV1;
      readonly idempotencyKey?: string;
      readonly json: boolean;
    }
  | {
      readonly kind: 'events.backfill';
      readonly since?: string;
      readonly idempotencyKey?: string;
      readonly json: boolean;
    }
  | {
      readonly kind: 'events.backfill-status';
      readonly runId: string;
      readonly wait: boolean;
      readonly json: boolean;
    };

interface ReplayOptions extends JsonOption, IdempotencyKeyOption {
  readonly id?: readonly string[];
  readonly type?: string;
  readonly from?: string;
  readonly to?: string;
  readonly force?: true;
}

/** `aegis events show|replay|backfill|backfill-status`; each command line read goes to `parsed`. */
export function defineEventsCommands(
  program: Command,
  parsed: (command: EventsCommand) => void,
): void {
  const events = program
    .command('events')
    .description('the Stripe events Aegis received: receipts, replay, backfill');

  events
    .command('show')
    .summary('what happened to a Stripe event')
    .description('what happened to a Stripe event: received, published, applied by which services')
    .argument('<event_id>')
    .addOption(jsonOption())
    .action((eventId: string, options: JsonOption) => {
      parsed({ kind: 'events.show', eventId, json: options.json === true });
    });

  events
    .command('replay')
    .summary('publish stored events again')
    .description(
      'publish stored events again; consumers skip what they applied unless --force (times are RFC 3339, compared with Stripe’s `created`: from inclusive, to exclusive)',
    )
    .option('--id <event_id>', 'an event to replay (repeat for more)', repeated)
    .option('--type <type>', 'every stored event of this type')
    .option('--from <time>', 'events created at or after this time')
    .option('--to <time>', 'events created before this time')
    .option('--force', 'under new message ids, so that consumers apply them again')
    .addOption(idempotencyKeyOption())
    .addOption(jsonOption())
    .action(function (this: Command, options: ReplayOptions) {
      const { id, type, from, to } = options;
      const filtered = type !== undefined || from !== undefined || to !== undefined;
      if (id !== undefined && filtered)
        this.error('error: --id cannot be combined with --type, --from or --to', {
          exitCode: EXIT_USAGE,
        });
      if (id === undefined && !filtered)
        this.error('error: events replay needs --id, or --type and/or --from/--to', {
          exitCode: EXIT_USAGE,
        });
      parsed({
        kind: 'events.replay',
        body: {
          ...(id === undefined ? {} : { event_ids: id }),
          ...(type === undefined ? {} : { type }),
          ...(from === undefined ? {} : { from }),
          ...(to === undefined ? {} : { to }),
          ...(options.force === true ? { force: true } : {}),
        },
        ...idempotencyOf(options),
        json: options.json === true,
      });
    });

  events
    .command('backfill')
    .summary('ingest the events whose webhooks never arrived')
    .description(
      'ingest the events Stripe has whose webhooks never arrived, showing progress until done',
    )
    .option('--since <time>', 'Stripe’s events created at or after this time (RFC 3339)')
    .addOption(idempotencyKeyOption())
    .addOption(jsonOption())
    .action((options: { readonly since?: string } & JsonOption & IdempotencyKeyOption) => {
      parsed({
        kind: 'events.backfill',
        ...(options.since === undefined ? {} : { since: options.since }),
        ...idempotencyOf(options),
        json: options.json === true,
      });
    });

  events
    .command('backfill-status')
    .description('how far a backfill got')
    .argument('<run_id>')
    .option('--wait', 'show progress until it ends')
    .addOption(jsonOption())
    .action((runId: string, options: { readonly wait?: true } & JsonOption) => {
      parsed({
        kind: 'events.backfill-status',
        runId,
        wait: options.wait === true,
        json: options.json === true,
      });
    });
}

async function showStripeEvent(
  eventId: string,
  { client, printer }: CommandContext,
): Promise<number> {
  let event: StripeEventResourceV1;
  try {
    ({ body: event } = await client.get<StripeEventResourceV1>(
      PUBLIC_API_PATHS.stripeEvent(eventId),
    ));
  } catch (error) {
    if (error instanceof GatewayRefusal && error.status === 404)
      throw new GatewayRefusal(error.status, error.body, [
        `${eventId}: webhook-ingest never received this event`,
        error.message,
        ...error.details,
      ]);
    throw error;
  }
  printer.answer(event, formatStripeEvent(event));
  return EXIT_OK;
}

/** Asks for the run's progress until it ends, printing each change; returns the last answer. */
async function watchBackfill(
  started: BackfillRunResourceV1,
  { client, printer, sleep, pollIntervalMs }: CommandContext,
): Promise<BackfillRunResourceV1> {
  let run = started;
  let shown = formatBackfill(run);
  while (run.status === 'running') {
    await sleep(pollIntervalMs);
    ({ body: run } = await client.get<BackfillRunResourceV1>(PUBLIC_API_PATHS.backfill(run.id)));
    const line = formatBackfill(run);
    if (line !== shown && run.status === 'running') printer.note(line);
    shown = line;
  }
  return run;
}

function exitCodeOf(run: BackfillRunResourceV1): number {
  return run.status === 'failed' ? EXIT_REFUSED : EXIT_OK;
}

export async function runEventsCommand(
  command: EventsCommand,
  context: CommandContext,
): Promise<number> {
  const { client, printer } = context;
  switch (command.kind) {
    case 'events.show':
      return showStripeEvent(command.eventId, context);
    case 'events.replay': {
      const { body } = await client.post<ReplayResultResourceV1>(
        PUBLIC_API_PATHS.replayStripeEvents,
        command.body,
        { ...idempotencyOf(command), timeoutMs: REPLAY_TIMEOUT_MS },
      );
      printer.answer(body, formatReplay(body));
      return body.not_found.length > 0 ? EXIT_REFUSED : EXIT_OK;
    }
    case 'events.backfill': {
      const { body: started } = await client.post<BackfillRunResourceV1>(
        PUBLIC_API_PATHS.backfills,
        command.since === undefined ? {} : { since: command.since },
        idempotencyOf(command),
      );
      printer.note(formatBackfillStart(started));
      const run = await watchBackfill(started, context);
      printer.answer(run, [formatBackfill(run)]);
      return exitCodeOf(run);
    }
    case 'events.backfill-status': {
      const { body: current } = await client.get<BackfillRunResourceV1>(
        PUBLIC_API_PATHS.backfill(command.runId),
      );
      if (command.wait && current.status === 'running') printer.note(formatBackfill(current));
      const run = command.wait ? await watchBackfill(current, context) : current;
      printer.answer(run, [formatBackfill(run)]);
      return exitCodeOf(run);
    }
  }
}
