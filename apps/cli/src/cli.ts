import { resolve } from 'node:path';
import { runAlertsCommand } from './alerts/alerts.command.js';
import { runCheckoutCommand } from './checkout/checkout.command.js';
import { CliError } from './cli-error.js';
import type { CommandContext } from './command-context.js';
import { parseCommandLine, type AegisCommand } from './command-line.js';
import { runCustomersCommand } from './customers/customers.command.js';
import { runDiscountsCommand } from './discounts/discounts.command.js';
import { runDisputesCommand } from './disputes/disputes.command.js';
import type { CliEnvironment } from './environment.js';
import { runEventsCommand } from './events/events.command.js';
import { GatewayClient, GatewayRefusal } from './gateway/gateway.client.js';
import {
  invoiceRunProgressOf,
  type InvoiceRunProgress,
  type ProgressStream,
} from './invoices/invoice-run-progress.js';
import { runInvoicesCommand } from './invoices/invoices.command.js';
import { runKeysCommand } from './keys/keys.command.js';
import { processInterruption, runListenCommand } from './listen/listen.command.js';
import { Printer } from './output/printer.js';
import { runPricingCommand } from './pricing/pricing.command.js';
import { runProductsCommand } from './products/products.command.js';
import { runQuoteCommand } from './quote/quote.command.js';
import { runRefundsCommand } from './refunds/refunds.command.js';
import { runSeedCommand } from './seed/seed.command.js';
import { seedProgressOf } from './seed/seed-progress.js';
import { resolveGatewaySettings } from './settings/gateway-settings.js';
import { runRevenueCommand } from './revenue/revenue.command.js';
import { runStatusCommand } from './status/status.command.js';
import { runSubscriptionsCommand } from './subscriptions/subscriptions.command.js';
import { runTransactionsCommand } from './transactions/transactions.command.js';
import { runTriggerCommand } from './trigger/trigger.command.js';
import { runUsageCommand } from './usage/usage.command.js';
import { runWebhooksCommand } from './webhooks/webhooks.command.js';

export interface RunOptions {
  /** How often a watched backfill's or invoice run's progress is asked for. */
  readonly pollIntervalMs?: number;
  /**
   * Where `invoices run` draws its progress bar when it is a terminal (the
   * process's stderr); otherwise, or without it, progress is a line per change on stderr.
   */
  readonly progressStream?: ProgressStream;
  /** When `aegis listen` stops; default the process's first SIGINT or SIGTERM. */
  readonly interrupted?: () => Promise<string>;
}

function run(
  command: AegisCommand,
  context: CommandContext,
  progress: () => InvoiceRunProgress,
  environment: CliEnvironment,
  options: RunOptions,
): Promise<number> {
  switch (command.kind) {
    case 'customers.create':
    case 'customers.list':
    case 'customers.show':
      return runCustomersCommand(command, context);
    case 'keys.create':
    case 'keys.list':
    case 'keys.revoke':
    case 'keys.roll':
    case 'keys.verify':
      return runKeysCommand(command, context);
    case 'events.show':
    case 'events.replay':
    case 'events.backfill':
    case 'events.backfill-status':
      return runEventsCommand(command, context);
    case 'products.create':
    case 'products.list':
    case 'products.show':
    case 'products.archive':
      return runProductsCommand(command, context);
    case 'pricing.set':
    case 'pricing.show':
      return runPricingCommand(command, context);
    case 'discounts.set':
    case 'discounts.clear':
      return runDiscountsCommand(command, context);
    case 'quote':
      return runQuoteCommand(command, context);
    case 'usage.record':
    case 'usage.record-file':
    case 'usage.show':
    case 'usage.summary':
      return runUsageCommand(command, context);
    case 'invoices.create':
    case 'invoices.show':
    case 'invoices.list':
    case 'invoices.finalize':
    case 'invoices.void':
    case 'invoices.run':
      return runInvoicesCommand(command, context, progress());
    case 'checkout.create':
    case 'checkout.show':
      return runCheckoutCommand(command, context);
    case 'transactions.list':
    case 'transactions.show':
    case 'transactions.record':
      return runTransactionsCommand(command, context);
    case 'refunds.create':
    case 'refunds.list':
      return runRefundsCommand(command, context);
    case 'plans':
    case 'subscriptions.create':
    case 'subscriptions.show':
    case 'subscriptions.change':
    case 'subscriptions.cancel':
    case 'subscriptions.pause':
    case 'subscriptions.resume':
    case 'entitlements':
      return runSubscriptionsCommand(command, context);
    case 'disputes.list':
    case 'disputes.show':
    case 'disputes.evidence':
    case 'disputes.accept':
    case 'fraud-warnings.list':
      return runDisputesCommand(command, context);
    case 'alerts':
      return runAlertsCommand(command, context);
    case 'webhooks.endpoints.create':
    case 'webhooks.endpoints.list':
    case 'webhooks.endpoints.delete':
    case 'webhooks.deliveries':
      return runWebhooksCommand(command, context);
    case 'revenue':
    case 'metrics':
      return runRevenueCommand(command, context);
    case 'status':
      return runStatusCommand(command, context);
    case 'seed':
      return runSeedCommand(command, context, {
        variables: environment.variables,
        fetch: environment.fetch,
        progress: seedProgressOf(options.progressStream, (line) => environment.terminal.err(line)),
        now: () => new Date(),
      });
    case 'trigger':
      return runTriggerCommand(command, context, { variables: environment.variables });
    case 'listen':
      return runListenCommand(command, context, {
        fetch: environment.fetch,
        terminal: environment.terminal,
        interrupted: options.interrupted ?? processInterruption,
      });
  }
}

/** `aegis <command>`: returns the process's exit code. */
export async function runCli(
  args: readonly string[],
  environment: CliEnvironment,
  options: RunOptions = {},
): Promise<number> {
  const { pollIntervalMs = 500, progressStream } = options;
  const { terminal } = environment;
  const commandLine = parseCommandLine(args, terminal);
  if (commandLine.kind === 'done') return commandLine.exitCode;
  const { command, flags } = commandLine;
  const printer = new Printer(terminal, command.json);
  try {
    const client = new GatewayClient(resolveGatewaySettings(flags, environment), environment);
    return await run(
      command,
      {
        client,
        printer,
        sleep: environment.sleep,
        pollIntervalMs,
        readFile: (path) => environment.readFile(resolve(environment.cwd, path)),
        newId: environment.newIdempotencyKey,
      },
      () => invoiceRunProgressOf(progressStream, (line) => terminal.err(line)),
      environment,
      options,
    );
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    // The gateway's answer is what --json promises, a refusal's included.
    if (error instanceof GatewayRefusal && command.json && error.body !== undefined)
      printer.printJson(error.body);
    terminal.err(`aegis: ${error.message}`);
    for (const line of error.details) terminal.err(line);
    return error.exitCode;
  }
}
