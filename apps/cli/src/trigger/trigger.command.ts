import { InvalidArgumentError, type Command } from 'commander';
import type Stripe from 'stripe';
import { CliError, EXIT_OK, EXIT_REFUSED } from '../cli-error.js';
import type { CommandContext } from '../command-context.js';
import type { CliEnvironment } from '../environment.js';
import { jsonOption, type JsonOption } from '../options/option-parsers.js';
import { atStripe, resolveStripeSettings, stripeClientOf } from '../seed/sandbox-stripe.js';
import {
  TRIGGER_EVENT_TYPES,
  TRIGGER_SCENARIOS,
  eventOf,
  isTriggerEventType,
  type TriggerEventType,
} from './trigger-scenarios.js';

export interface TriggerCommand {
  readonly kind: 'trigger';
  readonly eventType: TriggerEventType;
  readonly json: boolean;
}

/** `aegis trigger --json`. */
export interface TriggerResult {
  readonly type: TriggerEventType;
  readonly event_id: string;
  /** The Stripe objects made to fire it. */
  readonly objects: readonly string[];
}

/** How many times Stripe's events are listed while waiting for the one fired. */
const MAX_POLLS = 60;

function eventType(value: string): TriggerEventType {
  if (!isTriggerEventType(value))
    throw new InvalidArgumentError(
      `unsupported event type ${value}; one of: ${TRIGGER_EVENT_TYPES.join(', ')}`,
    );
  return value;
}

/** `aegis trigger <event type>`. */
export function defineTriggerCommand(
  program: Command,
  parsed: (command: TriggerCommand) => void,
): void {
  program
    .command('trigger')
    .summary('make the Stripe objects that fire a Stripe event, as stripe trigger does')
    .description(
      `makes, at Stripe (STRIPE_API_URL, default the sandbox at http://127.0.0.1:12111; STRIPE_SECRET_KEY, a test-mode key), the objects that fire the event, waits until Stripe has recorded it and prints its id; Stripe then delivers it to its webhook endpoints (webhook-ingest under npm start). Event types: ${TRIGGER_EVENT_TYPES.join(', ')}`,
    )
    .argument('<event_type>', 'a Stripe event type', eventType)
    .addOption(jsonOption())
    .action((type: TriggerEventType, options: JsonOption) => {
      parsed({ kind: 'trigger', eventType: type, json: options.json === true });
    });
}

export interface TriggerEnvironment {
  readonly variables: CliEnvironment['variables'];
}

async function firedEvent(
  stripe: Stripe,
  command: TriggerCommand,
  objects: { readonly ids: readonly string[] },
  since: number,
  { sleep, pollIntervalMs }: Pick<CommandContext, 'sleep' | 'pollIntervalMs'>,
): Promise<Stripe.Event> {
  for (let poll = 0; poll < MAX_POLLS; poll += 1) {
    const events = await atStripe('list its events', () =>
      stripe.events.list({ type: command.eventType, created: { gte: since }, limit: 100 }),
    );
    const event = eventOf(events.data, command.eventType, objects);
    if (event !== undefined) return event;
    await sleep(pollIntervalMs);
  }
  throw new CliError(
    `Stripe recorded no ${command.eventType} for ${objects.ids.join(', ')} after ${MAX_POLLS} polls`,
    EXIT_REFUSED,
  );
}

export async function runTriggerCommand(
  command: TriggerCommand,
  { printer, newId, sleep, pollIntervalMs }: CommandContext,
  { variables }: TriggerEnvironment,
): Promise<number> {
  const stripe = stripeClientOf(resolveStripeSettings(variables));
  const run = newId();
  // Events are matched by the objects they name; the time only narrows the list (a minute's
  // margin for a clock that differs from Stripe's).
  const startedAt = Math.floor(Date.now() / 1000) - 60;
  const objects = await atStripe(`make the objects of ${command.eventType}`, () =>
    TRIGGER_SCENARIOS[command.eventType](stripe, (step) => `trigger:${run}:${step}`),
  );
  const event = await firedEvent(stripe, command, objects, startedAt, { sleep, pollIntervalMs });
  const result: TriggerResult = {
    type: command.eventType,
    event_id: event.id,
    objects: objects.ids,
  };
  printer.answer(result, [
    `triggered ${command.eventType}: event ${event.id}`,
    `made at Stripe: ${objects.ids.join(', ')}`,
  ]);
  return EXIT_OK;
}
