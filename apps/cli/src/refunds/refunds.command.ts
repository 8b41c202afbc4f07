import {
  PUBLIC_API_PATHS,
  REFUND_REASONS,
  REFUND_STATUSES,
  type CreateRefundBodyV1,
  type ListV1,
  type RefundListQueryV1,
  type RefundResourceV1,
} from '@aegis/contracts';
import { Option, type Command } from 'commander';
import { EXIT_OK } from '../cli-error.js';
import { nextPageHint, type CommandContext } from '../command-context.js';
import {
  idempotencyKeyOption,
  idempotencyOf,
  jsonOption,
  listQueryOf,
  wholeNumber,
  withListOptions,
  type IdempotencyKeyOption,
  type JsonOption,
  type ListOptions,
} from '../options/option-parsers.js';
import { formatRefundTable } from '../transactions/transactions-output.js';

/** A refund waits on billing's call to Stripe; the gateway allows it 20 s. */
const REFUND_TIMEOUT_MS = 30_000;

export type RefundsCommand =
  | {
      readonly kind: 'refunds.create';
      readonly body: CreateRefundBodyV1;
      readonly idempotencyKey?: string;
      readonly json: boolean;
    }
  | { readonly kind: 'refunds.list'; readonly query: RefundListQueryV1; readonly json: boolean };

interface CreateOptions extends JsonOption, IdempotencyKeyOption {
  readonly amount?: number;
  readonly reason?: CreateRefundBodyV1['reason'];
}

interface ListRefundsOptions extends ListOptions, JsonOption {
  readonly customer?: string;
  readonly transaction?: string;
  readonly status?: RefundListQueryV1['status'];
}

function listCommandOf(query: RefundListQueryV1): string {
  return [
    'aegis refunds list',
    ...(query.customer_id === undefined ? [] : [`--customer ${query.customer_id}`]),
    ...(query.transaction_id === undefined ? [] : [`--transaction ${query.transaction_id}`]),
    ...(query.status === undefined ? [] : [`--status ${query.status}`]),
  ].join(' ');
}

/** `aegis refunds create|list`; each command line read goes to `parsed`. */
export function defineRefundsCommands(
  program: Command,
  parsed: (command: RefundsCommand) => void,
): void {
  const refunds = program
    .command('refunds')
    .description('refunds of the ledger’s Stripe payments: never more than is left of a charge');

  refunds
    .command('create')
    .summary('refund part or the rest of a payment')
    .description(
      'refund a payment at Stripe: --amount of it, or else all that is left; refused (exit 1) when it would exceed what is left, however many refunds run at once',
    )
    .argument('<transaction_id>')
    .addOption(
      new Option('--amount <cents>', 'minor units (cents); default: the rest').argParser(
        wholeNumber(1),
      ),
    )
    .addOption(new Option('--reason <reason>', 'Stripe’s reason').choices(REFUND_REASONS))
    .addOption(idempotencyKeyOption())
    .addOption(jsonOption())
    .action((transactionId: string, options: CreateOptions) => {
      parsed({
        kind: 'refunds.create',
        body: {
          transaction_id: transactionId,
          ...(options.amount === undefined ? {} : { amount_cents: options.amount }),
          ...(options.reason === undefined ? {} : { reason: options.reason }),
        },
        ...idempotencyOf(options),
        json: options.json === true,
      });
    });

  withListOptions(
    refunds.command('list').description('the refunds, newest first (a customer key: its own)'),
  )
    .option('--customer <customer_id>', 'only this customer’s')
    .option('--transaction <transaction_id>', 'only this transaction’s')
    .addOption(new Option('--status <status>', 'only in this status').choices(REFUND_STATUSES))
    .addOption(jsonOption())
    .action((options: ListRefundsOptions) => {
      parsed({
        kind: 'refunds.list',
        query: {
          ...(options.customer === undefined ? {} : { customer_id: options.customer }),
          ...(options.transaction === undefined ? {} : { transaction_id: options.transaction }),
          ...(options.status === undefined ? {} : { status: options.status }),
          ...listQueryOf(options),
        },
        json: options.json === true,
      });
    });
}

export async function runRefundsCommand(
  command: RefundsCommand,
  { client, printer }: CommandContext,
): Promise<number> {
  switch (command.kind) {
    case 'refunds.create': {
      const { body } = await client.post<RefundResourceV1>(PUBLIC_API_PATHS.refunds, command.body, {
        ...idempotencyOf(command),
        timeoutMs: REFUND_TIMEOUT_MS,
      });
      printer.answer(body, [
        `refund ${body.id} of transaction ${body.transaction_id}: ${body.amount_cents} ${body.currency}, ${body.status}`,
      ]);
      return EXIT_OK;
    }
    case 'refunds.list': {
      const { body } = await client.get<ListV1<RefundResourceV1>>(
        PUBLIC_API_PATHS.refunds,
        command.query,
      );
      printer.answer(body, [
        ...(body.data.length === 0 ? ['no refunds'] : formatRefundTable(body.data)),
        ...nextPageHint(listCommandOf(command.query), command.query, body),
      ]);
      return EXIT_OK;
    }
  }
}
