import { InvalidArgumentError, Option, type Command } from 'commander';
import { EXIT_OK } from '../cli-error.js';
import type { CommandContext } from '../command-context.js';
import type { CliEnvironment } from '../environment.js';
import { jsonOption, type JsonOption } from '../options/option-parsers.js';
import { resolveStripeSettings, stripeClientOf } from './sandbox-stripe.js';
import { formatSeedResult } from './seed-output.js';
import { SEED_SCALES, isSeedName, seedPlanOf, type SeedScale } from './seed-plan.js';
import type { SeedProgress } from './seed-progress.js';
import { SeedRunner } from './seed-runner.js';

export interface SeedCommand {
  readonly kind: 'seed';
  readonly name: string;
  readonly scale: SeedScale;
  readonly json: boolean;
}

interface SeedOptions extends JsonOption {
  readonly name: string;
  readonly scale: SeedScale;
}

function seedName(value: string): string {
  if (!isSeedName(value))
    throw new InvalidArgumentError(
      'must be lower-case letters and digits, a letter first, at most 20',
    );
  return value;
}

/** `aegis seed [--name <seed>] [--scale small|full]`. */
export function defineSeedCommand(program: Command, parsed: (command: SeedCommand) => void): void {
  program
    .command('seed')
    .summary('fake but realistic data, through the API and the Stripe sandbox; idempotent')
    .description(
      'customers with API keys and cards, three months of metered usage, invoices of the ended months, a subscription on every plan, checkouts paid, declined, refunded, disputed (won and lost) and flagged by an early fraud warning; a second run adds nothing. Cards and payments go to Stripe (STRIPE_API_URL, default the sandbox at http://127.0.0.1:12111; STRIPE_SECRET_KEY, a test-mode key), everything else to the gateway',
    )
    .option(
      '--name <seed>',
      'the seed’s name: every id and idempotency key derives from it',
      seedName,
      'demo',
    )
    .addOption(
      new Option('--scale <scale>', 'full: three months of usage; small: two days of it')
        .choices(SEED_SCALES)
        .default('full'),
    )
    .addOption(jsonOption())
    .action((options: SeedOptions) => {
      parsed({
        kind: 'seed',
        name: options.name,
        scale: options.scale,
        json: options.json === true,
      });
    });
}

/** What the seed needs beside the gateway. */
export interface SeedEnvironment {
  readonly variables: CliEnvironment['variables'];
  readonly fetch: CliEnvironment['fetch'];
  readonly progress: SeedProgress;
  readonly now: () => Date;
}

export async function runSeedCommand(
  command: SeedCommand,
  { client, printer, sleep, pollIntervalMs }: CommandContext,
  { variables, fetch, progress, now }: SeedEnvironment,
): Promise<number> {
  const stripe = stripeClientOf(resolveStripeSettings(variables));
  const plan = seedPlanOf(command.name, command.scale, now());
  const result = await new SeedRunner(plan, {
    client,
    stripe,
    fetch,
    sleep,
    pollIntervalMs,
    progress,
  }).run();
  printer.answer(result, formatSeedResult(result));
  return EXIT_OK;
}
