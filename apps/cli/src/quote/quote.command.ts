import { PUBLIC_API_PATHS, type QuoteBodyV1, type QuoteResourceV1 } from '@aegis/contracts';
import type { Command } from 'commander';
import { EXIT_OK } from '../cli-error.js';
import type { CommandContext } from '../command-context.js';
import {
  idempotencyKeyOption,
  idempotencyOf,
  jsonOption,
  wholeNumber,
  type IdempotencyKeyOption,
  type JsonOption,
} from '../options/option-parsers.js';
import { formatQuote } from './quote-output.js';

export interface QuoteCommand {
  readonly kind: 'quote';
  readonly body: QuoteBodyV1;
  readonly idempotencyKey?: string;
  readonly json: boolean;
}

interface QuoteOptions extends JsonOption, IdempotencyKeyOption {
  readonly customer?: string;
  readonly at?: string;
}

/** `aegis quote <product_id> <quantity>`; the command line read goes to `parsed`. */
export function defineQuoteCommand(
  program: Command,
  parsed: (command: QuoteCommand) => void,
): void {
  program
    .command('quote')
    .summary('what a quantity of a product costs')
    .description(
      'what a quantity of a product costs: the amount, the subtotal, the customer’s discount, the unit price and each tier’s share (amounts in minor units, cents)',
    )
    .argument('<product_id>')
    .argument('<quantity>', 'how many units', wholeNumber(0))
    .option('--customer <customer_id>', 'with this customer’s discount')
    .option('--at <time>', 'with the pricing and discount in force then (RFC 3339; default now)')
    .addOption(idempotencyKeyOption())
    .addOption(jsonOption())
    .action((productId: string, quantity: number, options: QuoteOptions) => {
      parsed({
        kind: 'quote',
        body: {
          product_id: productId,
          quantity,
          ...(options.customer === undefined ? {} : { customer_id: options.customer }),
          ...(options.at === undefined ? {} : { at: options.at }),
        },
        ...idempotencyOf(options),
        json: options.json === true,
      });
    });
}

export async function runQuoteCommand(
  command: QuoteCommand,
  { client, printer }: CommandContext,
): Promise<number> {
  const { body } = await client.post<QuoteResourceV1>(
    PUBLIC_API_PATHS.quote,
    command.body,
    idempotencyOf(command),
  );
  printer.answer(body, formatQuote(command.body, body));
  return EXIT_OK;
}
