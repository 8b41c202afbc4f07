import {
  BILLING_PERIOD_PATTERN,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_EVERY_EVENT,
  type ListQueryV1,
  type RateLimitV1,
} from '@aegis/contracts';
import { InvalidArgumentError, Option, type Command } from 'commander';

/** A whole number of at least `minimum`. */
export function wholeNumber(minimum: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < minimum)
      throw new InvalidArgumentError(`must be a whole number of at least ${minimum}`);
    return number;
  };
}

/** A billing period, `YYYY-MM` (a calendar month, UTC). */
export function billingPeriod(value: string): string {
  if (!BILLING_PERIOD_PATTERN.test(value))
    throw new InvalidArgumentError('must be a billing period, YYYY-MM');
  return value;
}

/** A repeatable option's values, in order. */
export function repeated(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `key=value` pairs (the value may hold `=`); a key given twice is a mistake. */
export function keyValuePairs(
  value: string,
  previous: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  const separator = value.indexOf('=');
  if (separator < 1) throw new InvalidArgumentError('must be key=value');
  const key = value.slice(0, separator);
  if (previous !== undefined && key in previous)
    throw new InvalidArgumentError(`${key} is given twice`);
  return { ...previous, [key]: value.slice(separator + 1) };
}

/** `<requests>/<seconds>`, e.g. `100/60`: 100 requests per 60 seconds. */
export function rateLimit(value: string): RateLimitV1 {
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const requests = Number(match?.[1]);
  const perSeconds = Number(match?.[2]);
  if (match === null || requests < 1 || perSeconds < 1)
    throw new InvalidArgumentError('must be <requests>/<seconds>, e.g. 100/60');
  return { requests, per_seconds: perSeconds };
}

export interface JsonOption {
  readonly json?: true;
}

/** Every command has it. */
export function jsonOption(): Option {
  return new Option('--json', 'print the gateway’s JSON answer as it is');
}

export interface IdempotencyKeyOption {
  readonly idempotencyKey?: string;
}

/** Every POST has it. */
export function idempotencyKeyOption(): Option {
  return new Option(
    '--idempotency-key <key>',
    'the Idempotency-Key to send (default: a new uuid each time)',
  );
}

/** `{idempotencyKey}` when one was given. */
export function idempotencyOf(options: IdempotencyKeyOption): { idempotencyKey?: string } {
  return options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey };
}

export interface ListOptions {
  readonly limit?: number;
  readonly startingAfter?: string;
  readonly endingBefore?: string;
}

/** `--limit`, `--starting-after`, `--ending-before`, for a list command. */
export function withListOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--limit <count>', 'how many to show, 1 to 100 (default 10)').argParser(
        wholeNumber(1),
      ),
    )
    .addOption(
      new Option(
        '--starting-after <id>',
        'the page after this id (lists are newest first)',
      ).conflicts('endingBefore'),
    )
    .addOption(new Option('--ending-before <id>', 'the page before this id'));
}

export function listQueryOf(options: ListOptions): ListQueryV1 {
  return {
    ...(options.limit === undefined ? {} : { limit: options.limit }),
    ...(options.startingAfter === undefined ? {} : { starting_after: options.startingAfter }),
    ...(options.endingBefore === undefined ? {} : { ending_before: options.endingBefore }),
  };
}

const SUBSCRIBABLE_EVENTS = new Set<string>([WEBHOOK_EVERY_EVENT, ...WEBHOOK_EVENT_TYPES]);

/** `--events a,b` of an outbound webhook endpoint: each an event type or `*`, once each. */
export function webhookEventList(value: string): string[] {
  const events = value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (events.length === 0) throw new InvalidArgumentError('name at least one event type, or *');
  const unknown = events.filter((event) => !SUBSCRIBABLE_EVENTS.has(event));
  if (unknown.length > 0)
    throw new InvalidArgumentError(
      `unknown event type ${unknown.join(', ')}; one of * ${WEBHOOK_EVENT_TYPES.join(' ')}`,
    );
  return [...new Set(events)];
}
