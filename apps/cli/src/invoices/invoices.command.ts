import {
  INVOICE_STATUSES,
  PUBLIC_API_PATHS,
  type CreateInvoiceBodyV1,
  type InvoiceListQueryV1,
  type InvoiceResourceV1,
  type InvoiceRunResourceV1,
  type ListV1,
} from '@aegis/contracts';
import { Argument, Option, type Command } from 'commander';
import { EXIT_OK, EXIT_REFUSED } from '../cli-error.js';
import { nextPageHint, type CommandContext } from '../command-context.js';
import {
  billingPeriod,
  idempotencyKeyOption,
  idempotencyOf,
  jsonOption,
  listQueryOf,
  withListOptions,
  type IdempotencyKeyOption,
  type JsonOption,
  type ListOptions,
} from '../options/option-parsers.js';
import type { InvoiceRunProgress } from './invoice-run-progress.js';
import {
  formatCreatedInvoice,
  formatFinalizedInvoice,
  formatInvoice,
  formatInvoiceList,
  formatRunResult,
  formatRunStart,
  formatVoidedInvoice,
} from './invoices-output.js';

/**
 * Invoicing waits on billing's calls to Stripe (an invoice item per line,
 * the invoice, its finalization and payment); the gateway allows them 20 s.
 */
const INVOICE_TIMEOUT_MS = 60_000;

interface Post {
  readonly idempotencyKey?: string;
  readonly json: boolean;
}

export type InvoicesCommand =
  | (Post & { readonly kind: 'invoices.create'; readonly body: CreateInvoiceBodyV1 })
  | { readonly kind: 'invoices.show'; readonly invoiceId: string; readonly json: boolean }
  | { readonly kind: 'invoices.list'; readonly query: InvoiceListQueryV1; readonly json: boolean }
  | (Post & { readonly kind: 'invoices.finalize'; readonly invoiceId: string })
  | (Post & { readonly kind: 'invoices.void'; readonly invoiceId: string })
  | (Post & { readonly kind: 'invoices.run'; readonly billingPeriod: string });

interface CreateOptions extends JsonOption, IdempotencyKeyOption {
  /** `--no-finalize` sets it false. */
  readonly finalize: boolean;
}

interface ListInvoicesOptions extends ListOptions, JsonOption {
  readonly customer?: string;
  readonly period?: string;
  readonly status?: InvoiceListQueryV1['status'];
}

function periodArgument(): Argument {
  return new Argument('<period>', 'the billing period, YYYY-MM (a calendar month, UTC)').argParser(
    billingPeriod,
  );
}

/** The command that lists the same invoices again (for the next page). */
function listCommandOf(query: InvoiceListQueryV1): string {
  return [
    'aegis invoices list',
    ...(query.customer_id === undefined ? [] : [`--customer ${query.customer_id}`]),
    ...(query.billing_period === undefined ? [] : [`--period ${query.billing_period}`]),
    ...(query.status === undefined ? [] : [`--status ${query.status}`]),
  ].join(' ');
}

/** `aegis invoices create|show|list|finalize|void|run`; each command line read goes to `parsed`. */
export function defineInvoicesCommands(
  program: Command,
  parsed: (command: InvoicesCommand) => void,
): void {
  const invoices = program
    .command('invoices')
    .description('invoices from metered usage: one per customer and billing period, in Stripe');

  invoices
    .command('create')
    .summary('invoice a customer’s usage of a billing period')
    .description(
      'invoice a customer’s metered usage of a billing period (and any late usage of earlier ones): priced, discounted, sent to Stripe, finalized and collected; a period already invoiced answers its invoice, unchanged',
    )
    .argument('<customer_id>')
    .addArgument(periodArgument())
    .option('--no-finalize', 'leave it a draft (at Stripe too) until aegis invoices finalize')
    .addOption(idempotencyKeyOption())
    .addOption(jsonOption())
    .action((customerId: string, period: string, options: CreateOptions) => {
      parsed({
        kind: 'invoices.create',
        body: {
          customer_id: customerId,
          billing_period: period,
          ...(options.finalize ? {} : { auto_finalize: false }),
        },
        ...idempotencyOf(options),
        json: options.json === true,
      });
    });

  invoices
    .command('show')
    .description('one invoice, with the usage each line prices')
    .argument('<invoice_id>')
    .addOption(jsonOption())
    .action((invoiceId: string, options: JsonOption) => {
      parsed({ kind: 'invoices.show', invoiceId, json: options.json === true });
    });

  withListOptions(
    invoices
      .command('list')
      .description('the invoices, newest first (a customer key: its own customer’s)'),
  )
    .option('--customer <customer_id>', 'only this customer’s')
    .addOption(
      new Option('--period <YYYY-MM>', 'only this billing period').argParser(billingPeriod),
    )
    .addOption(
      new Option('--status <status>', 'only invoices in this status').choices(INVOICE_STATUSES),
    )
    .addOption(jsonOption())
    .action((options: ListInvoicesOptions) => {
      parsed({
        kind: 'invoices.list',
        query: {
          ...(options.customer === undefined ? {} : { customer_id: options.customer }),
          ...(options.period === undefined ? {} : { billing_period: options.period }),
          ...(options.status === undefined ? {} : { status: options.status }),
          ...listQueryOf(options),
        },
        json: options.json === true,
      });
    });

  invoices
    .command('finalize')
    .summary('finalize a draft at Stripe and collect it')
    .description(
      'finalize a draft invoice at Stripe and collect it (charged when the customer has a default payment method, else sent); also finishes a Stripe side an outage interrupted',
    )
    .argument('<invoice_id>')
    .addOption(idempotencyKeyOption())
    .addOption(jsonOption())
    .action((invoiceId: string, options: JsonOption & IdempotencyKeyOption) => {
      parsed({
        kind: 'invoices.finalize',
        invoiceId,
        ...idempotencyOf(options),
        json: options.json === true,
      });
    });

  invoices
    .command('void')
    .description('void an invoice (a paid one cannot be)')
    .argument('<invoice_id>')
    .addOption(idempotencyKeyOption())
    .addOption(jsonOption())
    .action((invoiceId: string, options: JsonOption & IdempotencyKeyOption) => {
      parsed({
        kind: 'invoices.void',
        invoiceId,
        ...idempotencyOf(options),
        json: options.json === true,
      });
    });

  invoices
    .command('run')
    .summary('invoice every customer with usage in a billing period')
    .description(
      'invoice every customer with usage in a billing period, showing progress until the run ends, then each customer that failed (exit 1 when any did); run it again to carry on with the period’s run',
    )
    .addArgument(periodArgument())
    .addOption(idempotencyKeyOption())
    .addOption(jsonOption())
    .action((period: string, options: JsonOption & IdempotencyKeyOption) => {
      parsed({
        kind: 'invoices.run',
        billingPeriod: period,
        ...idempotencyOf(options),
        json: options.json === true,
      });
    });
}

/** Asks for the run until it ends, showing each state (never under --json); returns the last. */
async function watchRun(
  started: InvoiceRunResourceV1,
  { client, printer, sleep, pollIntervalMs }: CommandContext,
  progress: InvoiceRunProgress,
): Promise<InvoiceRunResourceV1> {
  let run = started;
  if (!printer.json) progress.show(run);
  try {
    while (run.status === 'running') {
      await sleep(pollIntervalMs);
      ({ body: run } = await client.get<InvoiceRunResourceV1>(PUBLIC_API_PATHS.invoiceRun(run.id)));
      if (!printer.json) progress.show(run);
    }
  } finally {
    if (!printer.json) progress.stop();
  }
  return run;
}

export async function runInvoicesCommand(
  command: InvoicesCommand,
  context: CommandContext,
  progress: InvoiceRunProgress,
): Promise<number> {
  const { client, printer } = context;
  switch (command.kind) {
    case 'invoices.create': {
      const { status, body } = await client.post<InvoiceResourceV1>(
        PUBLIC_API_PATHS.invoices,
        command.body,
        { ...idempotencyOf(command), timeoutMs: INVOICE_TIMEOUT_MS },
      );
      printer.answer(body, formatCreatedInvoice(body, status));
      return EXIT_OK;
    }
    case 'invoices.show': {
      const { body } = await client.get<InvoiceResourceV1>(
        PUBLIC_API_PATHS.invoice(command.invoiceId),
      );
      printer.answer(body, formatInvoice(body));
      return EXIT_OK;
    }
    case 'invoices.list': {
      const { body } = await client.get<ListV1<InvoiceResourceV1>>(
        PUBLIC_API_PATHS.invoices,
        command.query,
      );
      printer.answer(body, [
        ...formatInvoiceList(body),
        ...nextPageHint(listCommandOf(command.query), command.query, body),
      ]);
      return EXIT_OK;
    }
    case 'invoices.finalize': {
      const { body } = await client.post<InvoiceResourceV1>(
        PUBLIC_API_PATHS.finalizeInvoice(command.invoiceId),
        undefined,
        { ...idempotencyOf(command), timeoutMs: INVOICE_TIMEOUT_MS },
      );
      printer.answer(body, formatFinalizedInvoice(body));
      return EXIT_OK;
    }
    case 'invoices.void': {
      const { body } = await client.post<InvoiceResourceV1>(
        PUBLIC_API_PATHS.voidInvoice(command.invoiceId),
        undefined,
        { ...idempotencyOf(command), timeoutMs: INVOICE_TIMEOUT_MS },
      );
      printer.answer(body, formatVoidedInvoice(body));
      return EXIT_OK;
    }
    case 'invoices.run': {
      const { body: started } = await client.post<InvoiceRunResourceV1>(
        PUBLIC_API_PATHS.invoiceRuns,
        { billing_period: command.billingPeriod },
        idempotencyOf(command),
      );
      printer.note(formatRunStart(started));
      const run = await watchRun(started, context, progress);
      printer.answer(run, formatRunResult(run));
      return run.progress.failed > 0 ? EXIT_REFUSED : EXIT_OK;
    }
  }
}
