import { PUBLIC_API_PATHS, type PaymentStatusResourceV1 } from '@aegis/contracts';
import type { Command } from 'commander';
import { EXIT_OK, EXIT_REFUSED } from '../cli-error.js';
import type { CommandContext } from '../command-context.js';
import { jsonOption, type JsonOption } from '../options/option-parsers.js';
import { formatStatus, isHealthy } from './status-output.js';

export interface StatusCommand {
  readonly kind: 'status';
  readonly json: boolean;
}

/** `aegis status` (the seed's `payment status`); the command line read goes to `parsed`. */
export function defineStatusCommand(
  program: Command,
  parsed: (command: StatusCommand) => void,
): void {
  program
    .command('status')
    .summary('the payment provider’s health and the ledger at a glance')
    .description(
      'the payment provider’s health (reachable, latency, mode sandbox|test|live, the breaker in front of Stripe writes), transaction counts, revenue per currency and active subscriptions; exits 1 when Stripe is unreachable or its breaker is not closed',
    )
    .addOption(jsonOption())
    .action((options: JsonOption) => {
      parsed({ kind: 'status', json: options.json === true });
    });
}

export async function runStatusCommand(
  _command: StatusCommand,
  { client, printer }: CommandContext,
): Promise<number> {
  const { body } = await client.get<PaymentStatusResourceV1>(PUBLIC_API_PATHS.paymentStatus);
  printer.answer(body, formatStatus(body));
  return isHealthy(body) ? EXIT_OK : EXIT_REFUSED;
}
