import { Command, CommanderError } from 'commander';
import { defineAlertsCommands, type AlertsCommand } from './alerts/alerts.command.js';
import { EXIT_OK, EXIT_USAGE } from './cli-error.js';
import { defineCheckoutCommands, type CheckoutCommand } from './checkout/checkout.command.js';
import { defineCustomersCommands, type CustomersCommand } from './customers/customers.command.js';
import { defineDiscountsCommands, type DiscountsCommand } from './discounts/discounts.command.js';
import { defineDisputesCommands, type DisputesCommand } from './disputes/disputes.command.js';
import type { Terminal } from './environment.js';
import { defineEventsCommands, type EventsCommand } from './events/events.command.js';
import { defineInvoicesCommands, type InvoicesCommand } from './invoices/invoices.command.js';
import { defineKeysCommands, type KeysCommand } from './keys/keys.command.js';
import { defineListenCommand, type ListenCommand } from './listen/listen.command.js';
import { definePricingCommands, type PricingCommand } from './pricing/pricing.command.js';
import { defineProductsCommands, type ProductsCommand } from './products/products.command.js';
import { defineQuoteCommand, type QuoteCommand } from './quote/quote.command.js';
import { defineRefundsCommands, type RefundsCommand } from './refunds/refunds.command.js';
import { defineSeedCommand, type SeedCommand } from './seed/seed.command.js';
import { defineStatusCommand, type StatusCommand } from './status/status.command.js';
import {
  defineSubscriptionsCommands,
  type SubscriptionsCommand,
} from './subscriptions/subscriptions.command.js';
import type { ConnectionFlags } from './settings/gateway-settings.js';
import {
  defineTransactionsCommands,
  type TransactionsCommand,
} from './transactions/transactions.command.js';
import { defineRevenueCommands, type RevenueCommand } from './revenue/revenue.command.js';
import { defineTriggerCommand, type TriggerCommand } from './trigger/trigger.command.js';
import { defineUsageCommands, type UsageCommand } from './usage/usage.command.js';
import { defineWebhooksCommands, type WebhooksCommand } from './webhooks/webhooks.command.js';

export type AegisCommand =
  | CustomersCommand
  | KeysCommand
  | EventsCommand
  | ProductsCommand
  | PricingCommand
  | DiscountsCommand
  | QuoteCommand
  | UsageCommand
  | InvoicesCommand
  | CheckoutCommand
  | TransactionsCommand
  | RefundsCommand
  | SubscriptionsCommand
  | DisputesCommand
  | AlertsCommand
  | WebhooksCommand
  | RevenueCommand
  | StatusCommand
  | SeedCommand
  | TriggerCommand
  | ListenCommand;

export type CommandLine =
  | { readonly kind: 'command'; readonly command: AegisCommand; readonly flags: ConnectionFlags }
  /** Help was asked for, or the command line was wrong: commander said so, nothing more to do. */
  | { readonly kind: 'done'; readonly exitCode: number };

/** commander writes whole blocks of text; the terminal takes lines. */
function linesTo(write: (line: string) => void): (text: string) => void {
  return (text) => {
    for (const line of text.replace(/\n$/, '').split('\n')) write(line);
  };
}

function program(terminal: Terminal, parsed: (command: AegisCommand) => void): Command {
  // Set before the commands are added: each subcommand inherits them.
  const aegis = new Command('aegis')
    .description('Aegis Payments from the command line: the gateway’s public API')
    .exitOverride()
    .configureOutput({
      writeOut: linesTo((line) => terminal.out(line)),
      writeErr: linesTo((line) => terminal.err(line)),
    })
    .showHelpAfterError(true)
    .option('--url <url>', 'the gateway (else AEGIS_URL, else http://127.0.0.1:3000)')
    .option(
      '--api-key <key>',
      'the key to call it with (else AEGIS_API_KEY, else .aegis/dev-admin-key here)',
    )
    .addHelpText(
      'after',
      [
        '',
        'Every command takes --json: the gateway’s JSON answer as it is, a refusal’s problem included.',
        'Exit codes: 0 done; 1 the gateway refused (4xx, 5xx) or what was asked for failed;',
        '2 a usage or settings error; 3 the gateway could not be reached.',
      ].join('\n'),
    );
  defineCustomersCommands(aegis, parsed);
  defineKeysCommands(aegis, parsed);
  defineEventsCommands(aegis, parsed);
  defineProductsCommands(aegis, parsed);
  definePricingCommands(aegis, parsed);
  defineDiscountsCommands(aegis, parsed);
  defineQuoteCommand(aegis, parsed);
  defineUsageCommands(aegis, parsed);
  defineInvoicesCommands(aegis, parsed);
  defineCheckoutCommands(aegis, parsed);
  defineTransactionsCommands(aegis, parsed);
  defineRefundsCommands(aegis, parsed);
  defineSubscriptionsCommands(aegis, parsed);
  defineDisputesCommands(aegis, parsed);
  defineAlertsCommands(aegis, parsed);
  defineWebhooksCommands(aegis, parsed);
  defineRevenueCommands(aegis, parsed);
  defineStatusCommand(aegis, parsed);
  defineSeedCommand(aegis, parsed);
  defineTriggerCommand(aegis, parsed);
  defineListenCommand(aegis, parsed);
  return aegis;
}

/**
 * Reads `aegis …` (the arguments after the program's name). Help and usage
 * errors are written to the terminal here, by commander.
 */
export function parseCommandLine(args: readonly string[], terminal: Terminal): CommandLine {
  let command: AegisCommand | undefined;
  const aegis = program(terminal, (parsed) => (command = parsed));
  try {
    aegis.parse(args, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return { kind: 'done', exitCode: error.exitCode === 0 ? EXIT_OK : EXIT_USAGE };
  }
  if (command === undefined) throw new Error('commander ran no command and raised no error');
  return { kind: 'command', command, flags: aegis.opts<ConnectionFlags>() };
}
