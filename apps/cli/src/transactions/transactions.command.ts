import {
  DATE_PATTERN,
  PUBLIC_API_PATHS,
  TRANSACTION_STATUSES,
  type ListV1,
  type RecordTransactionBodyV1,
  type TransactionListQueryV1,
  type TransactionResourceV1,
} from '@aegis/contracts';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { EXIT_OK } from '../cli-error.js';
import { nextPageHint, type CommandContext } from '../command-context.js';
import {
  idempotencyKeyOption,
  idempotencyOf,
  jsonOption,
  keyValuePairs,
  listQueryOf,
  wholeNumber,
  withListOptions,
  type IdempotencyKeyOption,
  type JsonOption,
  type ListOptions,
} from '../options/option-parsers.js';
import {
  formatRecordedTransaction,
  formatTransaction,
  formatTransactionList,
} from './transactions-output.js';

export type TransactionsCommand =
  | { readonly kind: 'transactions.show'; readonly transactionId: string; readonly json: boolean }
  | {
      readonly kind: 'transactions.list';
      readonly query: TransactionListQueryV1;
      readonly json: boolean;
    }
  | {
      readonly kind: 'transactions.record';
      readonly body: RecordTransactionBodyV1;
      readonly idempotencyKey?: string;
      readonly json: boolean;
    };

interface ListTransactionsOptions extends ListOptions, JsonOption {
  readonly customer?: string;
  readonly status?: TransactionListQueryV1['status'];
  readonly from?: string;
  readonly to?: string;
}

interface RecordOptions extends JsonOption, IdempotencyKeyOption {
  readonly stripeInvoice?: string;
  readonly metadata?: Record<string, string>;
}

function date(value: string): string {
  if (!DATE_PATTERN.test(value)) throw new InvalidArgumentError('must be a date, YYYY-MM-DD');
  return value;
}

function currency(value: string): string {
  if (!/^[a-zA-Z]{3}$/.test(value))
    throw new InvalidArgumentError('must be a three-letter ISO currency code');
  return value.toLowerCase();
}

/** The command that lists the same transactions again (for the next page). */
function listCommandOf(query: TransactionListQueryV1): string {
  return [
    'aegis transactions list',
    ...(query.customer_id === undefined ? [] : [`--customer ${query.customer_id}`]),
    ...(query.status === undefined ? [] : [`--status ${query.status}`]),
    ...(query.start_date === undefined ? [] : [`--from ${query.start_date}`]),
    ...(query.end_date === undefined ? [] : [`--to ${query.end_date}`]),
  ].join(' ');
}

/** `aegis transactions list|show|record`; each command line read goes to `parsed`. */
export function defineTransactionsCommands(
  program: Command,
  parsed: (command: TransactionsCommand) => void,
): void {
  const transactions = program
    .command('transactions')
    .description('the ledger: every payment, with what it paid for and its refunds');

  withListOptions(
    transactions
      .command('list')
      .description('the ledger, newest first (a customer key: its own customer’s)'),
  )
    .option('--customer <customer_id>', 'only this customer’s')
    .addOption(
      new Option('--status <status>', 'only transactions in this status').choices(
        TRANSACTION_STATUSES,
      ),
    )
    .addOption(new Option('--from <YYYY-MM-DD>', 'made on or after this day (UTC)').argParser(date))
    .addOption(new Option('--to <YYYY-MM-DD>', 'made on or before this day (UTC)').argParser(date))
    .addOption(jsonOption())
    .action((options: ListTransactionsOptions) => {
      parsed({
        kind: 'transactions.list',
        query: {
          ...(options.customer === undefined ? {} : { customer_id: options.customer }),
          ...(options.status === undefined ? {} : { status: options.status }),
          ...(options.from === undefined ? {} : { start_date: options.from }),
          ...(options.to === undefined ? {} : { end_date: options.to }),
          ...listQueryOf(options),
        },
        json: options.json === true,
      });
    });

  transactions
    .command('show')
    .description('one transaction, with its refunds')
    .argument('<transaction_id>')
    .addOption(jsonOption())
    .action((transactionId: string, options: JsonOption) => {
      parsed({ kind: 'transactions.show', transactionId, json: options.json === true });
    });

  transactions
    .command('record')
    .summary('record money taken outside Stripe')
    .description(
      'record money taken outside Stripe (a wire transfer, cash): a succeeded transaction of source manual, which cannot be refunded through Stripe',
    )
    .argument('<customer_id>')
    .argument('<amount_cents>', 'minor units (cents)', wholeNumber(1))
    .argument('<currency>', 'ISO code, e.g. usd', currency)
    .argument('<description>')
    .option('--stripe-invoice <in_id>', 'the Stripe invoice it settles')
    .option('--metadata <key=value...>', 'metadata to keep with it', keyValuePairs)
    .addOption(idempotencyKeyOption())
    .addOption(jsonOption())
    .action(
      (
        customerId: string,
        amount: number,
        currencyCode: string,
        description: string,
        options: RecordOptions,
      ) => {
        parsed({
          kind: 'transactions.record',
          body: {
            customer_id: customerId,
            amount_cents: amount,
            currency: currencyCode,
            description,
            ...(options.stripeInvoice === undefined
              ? {}
              : { stripe_invoice_id: options.stripeInvoice }),
            ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
          },
          ...idempotencyOf(options),
          json: options.json === true,
        });
      },
    );
}

export async function runTransactionsCommand(
  command: TransactionsCommand,
  { client, printer }: CommandContext,
): Promise<number> {
  switch (command.kind) {
    case 'transactions.list': {
      const { body } = await client.get<ListV1<TransactionResourceV1>>(
        PUBLIC_API_PATHS.transactions,
        command.query,
      );
      printer.answer(body, [
        ...formatTransactionList(body),
        ...nextPageHint(listCommandOf(command.query), command.query, body),
      ]);
      return EXIT_OK;
    }
    case 'transactions.show': {
      const { body } = await client.get<TransactionResourceV1>(
        PUBLIC_API_PATHS.transaction(command.transactionId),
      );
      printer.answer(body, formatTransaction(body));
      return EXIT_OK;
    }
    case 'transactions.record': {
      const { body } = await client.post<TransactionResourceV1>(
        PUBLIC_API_PATHS.transactions,
        command.body,
        idempotencyOf(command),
      );
      printer.answer(body, formatRecordedTransaction(body));
      return EXIT_OK;
    }
  }
}
