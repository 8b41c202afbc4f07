import {
  MAX_PLAN_PRICE_CENTS,
  MAX_TRIAL_DAYS,
  PLAN_BILLING_INTERVALS,
  PLAN_CHANGE_TIMINGS,
  PLAN_IDS,
  PUBLIC_API_PATHS,
  type ChangeSubscriptionBodyV1,
  type ChangeSubscriptionResultV1,
  type CreateSubscriptionBodyV1,
  type EntitlementsResourceV1,
  type ListV1,
  type PauseSubscriptionBodyV1,
  type PlanBillingIntervalV1,
  type PlanIdV1,
  type PlanResourceV1,
  type SubscriptionResourceV1,
} from '@aegis/contracts';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { EXIT_OK, EXIT_USAGE } from '../cli-error.js';
import type { CommandContext } from '../command-context.js';
import {
  billingPeriod,
  idempotencyKeyOption,
  idempotencyOf,
  jsonOption,
  wholeNumber,
  type IdempotencyKeyOption,
  type JsonOption,
} from '../options/option-parsers.js';
import {
  formatChange,
  formatCreatedSubscription,
  formatEntitlements,
  formatPlanTable,
  formatSubscription,
  formatSubscriptionCommand,
} from './subscriptions-output.js';

/** A command waits on the subscriptions service's calls to Stripe; the gateway allows them 20 s. */
const SUBSCRIPTION_TIMEOUT_MS = 30_000;

interface Posted {
  readonly idempotencyKey?: string;
  readonly json: boolean;
}

export type SubscriptionsCommand =
  | { readonly kind: 'plans'; readonly json: boolean }
  | ({ readonly kind: 'subscriptions.create'; readonly body: CreateSubscriptionBodyV1 } & Posted)
  | {
      readonly kind: 'subscriptions.show';
      /** The customer's live subscription, or one subscription by its id. */
      readonly of: { readonly customerId: string } | { readonly subscriptionId: string };
      readonly json: boolean;
    }
  | ({
      readonly kind: 'subscriptions.change';
      readonly subscriptionId: string;
      readonly body: ChangeSubscriptionBodyV1;
    } & Posted)
  | ({
      readonly kind: 'subscriptions.cancel';
      readonly subscriptionId: string;
      readonly atPeriodEnd: boolean;
    } & Posted)
  | ({
      readonly kind: 'subscriptions.pause';
      readonly subscriptionId: string;
      readonly body: PauseSubscriptionBodyV1;
    } & Posted)
  | ({ readonly kind: 'subscriptions.resume'; readonly subscriptionId: string } & Posted)
  | {
      readonly kind: 'entitlements';
      readonly customerId: string;
      readonly billingPeriod?: string;
      readonly json: boolean;
    };

interface CreateOptions extends JsonOption, IdempotencyKeyOption {
  readonly customer: string;
  readonly plan: PlanIdV1;
  readonly interval: PlanBillingIntervalV1;
  readonly trialDays?: number;
  readonly priceCents?: number;
}

interface ShowOptions extends JsonOption {
  readonly id?: string;
}

interface ChangeOptions extends JsonOption, IdempotencyKeyOption {
  readonly plan: PlanIdV1;
  readonly when: ChangeSubscriptionBodyV1['when'];
  readonly interval?: PlanBillingIntervalV1;
  readonly priceCents?: number;
  readonly preview?: true;
}

interface CancelOptions extends JsonOption, IdempotencyKeyOption {
  readonly now?: true;
}

interface PauseOptions extends JsonOption, IdempotencyKeyOption {
  readonly resumesAt?: string;
}

interface EntitlementsOptions extends JsonOption {
  readonly period?: string;
}

/** An RFC 3339 time with its zone, e.g. 2026-05-01T00:00:00Z. */
function instant(value: string): string {
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ||
    Number.isNaN(Date.parse(value))
  )
    throw new InvalidArgumentError('must be an RFC 3339 time, e.g. 2026-05-01T00:00:00Z');
  return value;
}

function atMost(maximum: number): (value: string) => number {
  const parse = wholeNumber(0);
  return (value) => {
    const number = parse(value);
    if (number > maximum) throw new InvalidArgumentError(`must be at most ${maximum}`);
    return number;
  };
}

function planOption(description: string): Option {
  return new Option('--plan <plan_id>', description).choices(PLAN_IDS).makeOptionMandatory();
}

function priceOption(): Option {
  return new Option(
    '--price-cents <cents>',
    'the principal plan’s price per interval, minor units (admin key only)',
  ).argParser((value) => {
    const cents = wholeNumber(1)(value);
    if (cents > MAX_PLAN_PRICE_CENTS)
      throw new InvalidArgumentError(`must be at most ${MAX_PLAN_PRICE_CENTS}`);
    return cents;
  });
}

function posted(options: JsonOption & IdempotencyKeyOption): Posted {
  return { ...idempotencyOf(options), json: options.json === true };
}

/** `aegis plans`, `aegis subscriptions …` and `aegis entitlements`; each command line read goes to `parsed`. */
export function defineSubscriptionsCommands(
  program: Command,
  parsed: (command: SubscriptionsCommand) => void,
): void {
  program
    .command('plans')
    .description(
      'the plans: price per month and year, hours included per month, the price of an hour above them',
    )
    .addOption(jsonOption())
    .action((options: JsonOption) => {
      parsed({ kind: 'plans', json: options.json === true });
    });

  const subscriptions = program
    .command('subscriptions')
    .description('plan subscriptions at Stripe: one live subscription per customer');

  subscriptions
    .command('create')
    .summary('start a customer’s plan subscription')
    .description(
      'start a plan subscription at Stripe, charged to the customer’s default payment method (or free until a trial ends); refused (exit 1) when the customer already has a live one',
    )
    .requiredOption('--customer <customer_id>', 'the customer')
    .addOption(planOption('the plan'))
    .addOption(
      new Option('--interval <interval>', 'billed monthly or yearly')
        .choices(PLAN_BILLING_INTERVALS)
        .default('monthly'),
    )
    .addOption(
      new Option('--trial-days <n>', `days of free trial, 0 to ${MAX_TRIAL_DAYS}`).argParser(
        atMost(MAX_TRIAL_DAYS),
      ),
    )
    .addOption(priceOption())
    .addOption(idempotencyKeyOption())
    .addOption(jsonOption())
    .action((options: CreateOptions) => {
      parsed({
        kind: 'subscriptions.create',
        body: {
          customer_id: options.customer,
          plan_id: options.plan,
          billing_interval: options.interval,
          ...(options.trialDays === undefined ? {} : { trial_days: options.trialDays }),
          ...(options.priceCents === undefined ? {} : { price_cents: options.priceCents }),
        },
        ...posted(options),
      });
    });

  const show = subscriptions
    .command('show')
    .description('a customer’s live subscription, or one subscription by --id (live or ended)')
    .argument('[customer_id]', 'the customer whose live subscription to show')
    .option('--id <subscription_id>', 'this subscription instead')
    .addOption(jsonOption())
    .action((customerId: string | undefined, options: ShowOptions) => {
      if ((customerId === undefined) === (options.id === undefined))
        show.error('error: give either a customer_id or --id <subscription_id>', {
          exitCode: EXIT_USAGE,
        });
      parsed({
        kind: 'subscriptions.show',
        of:
          options.id === undefined
            ? { customerId: customerId ?? '' }
            : { subscriptionId: options.id },
        json: options.json === true,
      });
    });

  subscriptions
    .command('change')
    .summary('change the plan or interval, now or from the next period')
    .description(
      'change the plan (or its interval): --when now (the default) has Stripe prorate and invoice the difference at once; period_end starts the new price with the next period. --preview prints Stripe’s proration and changes nothing',
    )
    .argument('<subscription_id>')
    .addOption(planOption('the new plan'))
    .addOption(
      new Option('--when <when>', 'now or period_end').choices(PLAN_CHANGE_TIMINGS).default('now'),
    )
    .addOption(
      new Option('--interval <interval>', 'default: the subscription’s own').choices(
        PLAN_BILLING_INTERVALS,
      ),
    )
    .addOption(priceOption())
    .option('--preview', 'only show the proration; change nothing')
    .addOption(idempotencyKeyOption())
    .addOption(jsonOption())
    .action((subscriptionId: string, options: ChangeOptions) => {
      parsed({
        kind: 'subscriptions.change',
        subscriptionId,
        body: {
          plan_id: options.plan,
          when: options.when,
          ...(options.interval === undefined ? {} : { billing_interval: options.interval }),
          ...(options.priceCents === undefined ? {} : { price_cents: options.priceCents }),
          ...(options.preview === undefined ? {} : { preview: true }),
        },
        ...posted(options),
      });
    });

  subscriptions
    .command('cancel')
    .description(
      'cancel at Stripe at the end of the current period (the default), or --now: it ends at once',
    )
    .argument('<subscription_id>')
    .option('--now', 'end it now rather than at the end of the period')
    .addOption(idempotencyKeyOption())
    .addOption(jsonOption())
    .action((subscriptionId: string, options: CancelOptions) => {
      parsed({
        kind: 'subscriptions.cancel',
        subscriptionId,
        atPeriodEnd: options.now !== true,
        ...posted(options),
      });
    });

  subscriptions
    .command('pause')
    .description('pause Stripe’s collection: no invoice is charged until --resumes-at or a resume')
    .argument('<subscription_id>')
    .addOption(
      new Option('--resumes-at <time>', 'when collection resumes by itself (RFC 3339)').argParser(
        instant,
      ),
    )
    .addOption(idempotencyKeyOption())
    .addOption(jsonOption())
    .action((subscriptionId: string, options: PauseOptions) => {
      parsed({
        kind: 'subscriptions.pause',
        subscriptionId,
        body: options.resumesAt === undefined ? {} : { resumes_at: options.resumesAt },
        ...posted(options),
      });
    });

  subscriptions
    .command('resume')
    .description('resume collection of a paused subscription')
    .argument('<subscription_id>')
    .addOption(idempotencyKeyOption())
    .addOption(jsonOption())
    .action((subscriptionId: string, options: JsonOption & IdempotencyKeyOption) => {
      parsed({ kind: 'subscriptions.resume', subscriptionId, ...posted(options) });
    });

  program
    .command('entitlements')
    .description(
      'a customer’s plan hours in a billing period: included, used, remaining and overage (exact decimals)',
    )
    .argument('<customer_id>')
    .addOption(
      new Option('--period <YYYY-MM>', 'the billing period (default: this month, UTC)').argParser(
        billingPeriod,
      ),
    )
    .addOption(jsonOption())
    .action((customerId: string, options: EntitlementsOptions) => {
      parsed({
        kind: 'entitlements',
        customerId,
        ...(options.period === undefined ? {} : { billingPeriod: options.period }),
        json: options.json === true,
      });
    });
}

export async function runSubscriptionsCommand(
  command: SubscriptionsCommand,
  { client, printer }: CommandContext,
): Promise<number> {
  const posting = {
    ...('idempotencyKey' in command ? idempotencyOf(command) : {}),
    timeoutMs: SUBSCRIPTION_TIMEOUT_MS,
  };
  switch (command.kind) {
    case 'plans': {
      const { body } = await client.get<ListV1<PlanResourceV1>>(PUBLIC_API_PATHS.plans);
      printer.answer(body, formatPlanTable(body));
      return EXIT_OK;
    }
    case 'subscriptions.create': {
      const { body } = await client.post<SubscriptionResourceV1>(
        PUBLIC_API_PATHS.subscriptions,
        command.body,
        posting,
      );
      printer.answer(body, formatCreatedSubscription(body));
      return EXIT_OK;
    }
    case 'subscriptions.show': {
      const path =
        'customerId' in command.of
          ? PUBLIC_API_PATHS.customerSubscription(command.of.customerId)
          : PUBLIC_API_PATHS.subscription(command.of.subscriptionId);
      const { body } = await client.get<SubscriptionResourceV1>(path);
      printer.answer(body, formatSubscription(body));
      return EXIT_OK;
    }
    case 'subscriptions.change': {
      const { body } = await client.post<ChangeSubscriptionResultV1>(
        PUBLIC_API_PATHS.changeSubscription(command.subscriptionId),
        command.body,
        posting,
      );
      printer.answer(body, formatChange(body));
      return EXIT_OK;
    }
    case 'subscriptions.cancel': {
      const { body } = await client.post<SubscriptionResourceV1>(
        PUBLIC_API_PATHS.cancelSubscription(command.subscriptionId),
        { at_period_end: command.atPeriodEnd },
        posting,
      );
      printer.answer(body, formatSubscriptionCommand('cancel', body));
      return EXIT_OK;
    }
    case 'subscriptions.pause': {
      const { body } = await client.post<SubscriptionResourceV1>(
        PUBLIC_API_PATHS.pauseSubscription(command.subscriptionId),
        command.body,
        posting,
      );
      printer.answer(body, formatSubscriptionCommand('pause', body));
      return EXIT_OK;
    }
    case 'subscriptions.resume': {
      const { body } = await client.post<SubscriptionResourceV1>(
        PUBLIC_API_PATHS.resumeSubscription(command.subscriptionId),
        undefined,
        posting,
      );
      printer.answer(body, formatSubscriptionCommand('resume', body));
      return EXIT_OK;
    }
    case 'entitlements': {
      const { body } = await client.get<EntitlementsResourceV1>(
        PUBLIC_API_PATHS.customerEntitlements(command.customerId),
        command.billingPeriod === undefined ? {} : { billing_period: command.billingPeriod },
      );
      printer.answer(body, formatEntitlements(body));
      return EXIT_OK;
    }
  }
}
