import {
  PUBLIC_API_PATHS,
  USAGE_QUANTITY_PATTERN,
  type ListQueryV1,
  type ProblemV1,
  type RecordUsageResultV1,
  type UsageEventBodyV1,
  type UsageResourceV1,
  type UsageSummaryV1,
} from '@aegis/contracts';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { CliError, EXIT_OK, EXIT_USAGE } from '../cli-error.js';
import { nextPageHint, type CommandContext } from '../command-context.js';
import { GatewayRefusal } from '../gateway/gateway.client.js';
import {
  billingPeriod,
  jsonOption,
  keyValuePairs,
  listQueryOf,
  withListOptions,
  type JsonOption,
  type ListOptions,
} from '../options/option-parsers.js';
import {
  combinedUsageResult,
  usageBatchesOf,
  usageEventsOfFile,
  withFileIndexes,
} from './usage-file.js';
import {
  formatRecordedBatch,
  formatRecordedEvent,
  formatUsage,
  formatUsageSummary,
} from './usage-output.js';

/** One event from the command line; its idempotency key is a new uuid when none was given. */
export type UsageEventOfCommandLine = Omit<UsageEventBodyV1, 'idempotency_key'> & {
  readonly idempotency_key?: string;
};

/** `GET /api/v1/usage`'s query. */
export interface UsageQuery extends ListQueryV1 {
  readonly customer_id?: string;
  readonly product_id: string;
  readonly start_date: string;
  readonly end_date: string;
}

/** `GET /api/v1/usage/summary`'s query. */
export interface UsageSummaryQuery {
  readonly customer_id?: string;
  readonly billing_period: string;
}

export type UsageCommand =
  | {
      readonly kind: 'usage.record';
      readonly event: UsageEventOfCommandLine;
      readonly json: boolean;
    }
  | { readonly kind: 'usage.record-file'; readonly file: string; readonly json: boolean }
  | { readonly kind: 'usage.show'; readonly query: UsageQuery; readonly json: boolean }
  | { readonly kind: 'usage.summary'; readonly query: UsageSummaryQuery; readonly json: boolean };

interface RecordOptions extends JsonOption {
  readonly customer?: string;
  readonly product?: string;
  readonly quantity?: string;
  readonly timestamp?: string;
  readonly idempotencyKey?: string;
  readonly metadata?: Record<string, string>;
  readonly file?: string;
}

interface ShowOptions extends ListOptions, JsonOption {
  readonly customer?: string;
  readonly product: string;
  readonly from: string;
  readonly to: string;
}

interface SummaryOptions extends JsonOption {
  readonly customer?: string;
  readonly period: string;
}

/** Exact decimal text, sent as it is written (never through a float). */
function quantity(value: string): string {
  if (!USAGE_QUANTITY_PATTERN.test(value))
    throw new InvalidArgumentError(
      'must be a non-negative decimal with at most 12 decimal places, e.g. 1.5',
    );
  return value;
}

function date(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value))
    throw new InvalidArgumentError('must be a date, YYYY-MM-DD (UTC)');
  return value;
}

/** The single event's options, which `--file` replaces. */
const EVENT_OPTIONS = [
  'customer',
  'product',
  'quantity',
  'timestamp',
  'idempotencyKey',
  'metadata',
];

/** `aegis usage record|show|summary`; each command line read goes to `parsed`. */
export function defineUsageCommands(
  program: Command,
  parsed: (command: UsageCommand) => void,
): void {
  const usage = program
    .command('usage')
    .description('metered usage: record it, read a product’s usage, a billing period’s summary');

  usage
    .command('record')
    .summary('record usage: one event, or a file of them')
    .description(
      'record one usage event, or the events of a JSON file (an array, or {"events": [...]}) in batches of at most 1000, each stored all or nothing; every event is counted once per customer and idempotency key, forever',
    )
    .option('--customer <customer_id>', 'whose usage (with a customer key: its own by default)')
    .option('--product <product_id>', 'the usage or outcome product, e.g. api_call')
    .addOption(
      new Option('--quantity <quantity>', 'how much, an exact decimal (default 1)').argParser(
        quantity,
      ),
    )
    .option('--timestamp <time>', 'when it happened (RFC 3339; default now)')
    .option(
      '--idempotency-key <key>',
      'the event’s key: sent again, it is counted once (default: a new uuid, printed)',
    )
    .option('--metadata <key=value...>', 'metadata to keep with the event', keyValuePairs)
    .addOption(
      new Option(
        '--file <path>',
        'record the events of this JSON file instead, each with its own idempotency_key',
      ).conflicts(EVENT_OPTIONS),
    )
    .addOption(jsonOption())
    .action(function (this: Command, options: RecordOptions) {
      const json = options.json === true;
      if (options.file !== undefined) {
        parsed({ kind: 'usage.record-file', file: options.file, json });
        return;
      }
      if (options.product === undefined)
        this.error('error: usage record needs --product (or --file)', { exitCode: EXIT_USAGE });
      parsed({
        kind: 'usage.record',
        event: {
          product_id: options.product,
          ...(options.customer === undefined ? {} : { customer_id: options.customer }),
          ...(options.quantity === undefined ? {} : { quantity: options.quantity }),
          ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
          ...(options.idempotencyKey === undefined
            ? {}
            : { idempotency_key: options.idempotencyKey }),
          ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
        },
        json,
      });
    });

  withListOptions(
    usage
      .command('show')
      .summary('a product’s usage over whole days')
      .description(
        'a product’s usage for a customer over whole UTC days, --to included: its value (by the product’s aggregation), total quantity and event count, and a page of its events, newest first',
      )
      .option('--customer <customer_id>', 'whose usage (with a customer key: its own by default)')
      .requiredOption('--product <product_id>', 'the product')
      .addOption(
        new Option('--from <date>', 'the first day, YYYY-MM-DD (UTC)')
          .argParser(date)
          .makeOptionMandatory(),
      )
      .addOption(
        new Option('--to <date>', 'the last day, included, YYYY-MM-DD (UTC)')
          .argParser(date)
          .makeOptionMandatory(),
      ),
  )
    .addOption(jsonOption())
    .action((options: ShowOptions) => {
      parsed({
        kind: 'usage.show',
        query: {
          ...(options.customer === undefined ? {} : { customer_id: options.customer }),
          product_id: options.product,
          start_date: options.from,
          end_date: options.to,
          ...listQueryOf(options),
        },
        json: options.json === true,
      });
    });

  usage
    .command('summary')
    .summary('every product’s usage in a billing period')
    .description(
      'the value of every product with usage for a customer in a billing period (a calendar month, UTC), and whether billing has closed it',
    )
    .option('--customer <customer_id>', 'whose usage (with a customer key: its own by default)')
    .addOption(
      new Option('--period <YYYY-MM>', 'the billing period')
        .argParser(billingPeriod)
        .makeOptionMandatory(),
    )
    .addOption(jsonOption())
    .action((options: SummaryOptions) => {
      parsed({
        kind: 'usage.summary',
        query: {
          ...(options.customer === undefined ? {} : { customer_id: options.customer }),
          billing_period: options.period,
        },
        json: options.json === true,
      });
    });
}

/** The command that shows the same usage again (for the next page). */
function showCommandOf(query: UsageQuery): string {
  return [
    'aegis usage show',
    ...(query.customer_id === undefined ? [] : [`--customer ${query.customer_id}`]),
    `--product ${query.product_id} --from ${query.start_date} --to ${query.end_date}`,
  ].join(' ');
}

/** A batch's refusal, its fields named by their index in the whole file. */
function refusalInFile(
  refusal: GatewayRefusal,
  offset: number,
  batch: number,
  batches: number,
): GatewayRefusal {
  const problem = refusal.body as ProblemV1 | undefined;
  const body =
    problem?.errors === undefined
      ? refusal.body
      : {
          ...problem,
          ...(problem.detail === undefined
            ? {}
            : { detail: withFileIndexes(problem.detail, offset) }),
          errors: problem.errors.map((error) => ({
            ...error,
            field: withFileIndexes(error.field, offset),
          })),
        };
  const stored =
    offset === 0
      ? 'nothing of it was stored'
      : `nothing of it was stored; the ${offset} events before it were (sending the file again counts them once)`;
  return new GatewayRefusal(refusal.status, body, [
    withFileIndexes(refusal.message, offset),
    ...refusal.details.map((line) => withFileIndexes(line, offset)),
    ...(batches > 1 ? [`batch ${batch} of ${batches} was refused: ${stored}`] : []),
  ]);
}

async function recordFile(
  file: string,
  { client, printer, readFile }: CommandContext,
): Promise<number> {
  const text = readFile(file);
  if (text === undefined) throw new CliError(`cannot read ${file}: no such file`, EXIT_USAGE);
  const events = usageEventsOfFile(text);
  if (typeof events === 'string') throw new CliError(`${file}: ${events}`, EXIT_USAGE);
  const batches = usageBatchesOf(events);
  const answers: { offset: number; result: RecordUsageResultV1 }[] = [];
  for (const [index, batch] of batches.entries()) {
    try {
      const { body } = await client.post<RecordUsageResultV1>(PUBLIC_API_PATHS.usage, {
        events: batch.events,
      });
      answers.push({ offset: batch.offset, result: body });
    } catch (error) {
      if (!(error instanceof GatewayRefusal)) throw error;
      throw refusalInFile(error, batch.offset, index + 1, batches.length);
    }
    if (batches.length > 1)
      printer.note(`batch ${index + 1} of ${batches.length}: ${batch.events.length} events sent`);
  }
  const result = combinedUsageResult(answers);
  printer.answer(result, formatRecordedBatch(result, batches.length));
  return EXIT_OK;
}

export async function runUsageCommand(
  command: UsageCommand,
  context: CommandContext,
): Promise<number> {
  const { client, printer } = context;
  switch (command.kind) {
    case 'usage.record': {
      const event: UsageEventBodyV1 = {
        ...command.event,
        idempotency_key: command.event.idempotency_key ?? context.newId(),
      };
      const { body } = await client.post<RecordUsageResultV1>(PUBLIC_API_PATHS.usage, event);
      printer.answer(body, formatRecordedEvent(event, body));
      return EXIT_OK;
    }
    case 'usage.record-file':
      return recordFile(command.file, context);
    case 'usage.show': {
      const { body } = await client.get<UsageResourceV1>(PUBLIC_API_PATHS.usage, command.query);
      printer.answer(body, [
        ...formatUsage(body),
        ...nextPageHint(showCommandOf(command.query), command.query, body.events),
      ]);
      return EXIT_OK;
    }
    case 'usage.summary': {
      const { customer_id, billing_period } = command.query;
      const { body } = await client.get<UsageSummaryV1>(PUBLIC_API_PATHS.usageSummary, {
        customer_id,
        billing_period,
      });
      printer.answer(body, formatUsageSummary(body));
      return EXIT_OK;
    }
  }
}
