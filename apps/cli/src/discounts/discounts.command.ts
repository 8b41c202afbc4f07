import {
  PUBLIC_API_PATHS,
  type DiscountResourceV1,
  type SetDiscountBodyV1,
} from '@aegis/contracts';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { EXIT_OK, EXIT_USAGE } from '../cli-error.js';
import type { CommandContext } from '../command-context.js';
import {
  idempotencyKeyOption,
  idempotencyOf,
  jsonOption,
  wholeNumber,
  type IdempotencyKeyOption,
  type JsonOption,
} from '../options/option-parsers.js';
import { formatClearedDiscount, formatDiscount } from './discounts-output.js';

export type DiscountsCommand =
  | {
      readonly kind: 'discounts.set';
      readonly customerId: string;
      readonly body: SetDiscountBodyV1;
      readonly idempotencyKey?: string;
      readonly json: boolean;
    }
  | {
      readonly kind: 'discounts.clear';
      readonly customerId: string;
      readonly productId?: string;
      readonly json: boolean;
    };

interface SetOptions extends JsonOption, IdempotencyKeyOption {
  readonly percentOff?: string;
  readonly amountOffCents?: number;
  readonly product?: string;
  readonly startsAt?: string;
  readonly endsAt?: string;
}

/** A percentage from 0 to 100, kept as written (sent as a string: no float in between). */
export function percent(value: string): string {
  if (!/^\d{1,3}(\.\d{1,6})?$/.test(value) || Number(value) > 100)
    throw new InvalidArgumentError('must be a number from 0 to 100, e.g. 20 or 12.5');
  return value;
}

/** `aegis discounts set|clear`; each command line read goes to `parsed`. */
export function defineDiscountsCommands(
  program: Command,
  parsed: (command: DiscountsCommand) => void,
): void {
  const discounts = program
    .command('discounts')
    .description('customers’ discounts, applied to quotes and invoices after tiering');

  discounts
    .command('set')
    .summary('set a customer’s discount')
    .description(
      'set a customer’s discount, on every product or on one, from --starts-at until --ends-at (RFC 3339); it replaces the customer’s discount on the same product (or on every product). A product’s own discount wins over the every-product one',
    )
    .argument('<customer_id>')
    .addOption(
      new Option('--percent-off <percent>', 'this much off, e.g. 20')
        .argParser(percent)
        .conflicts('amountOffCents'),
    )
    .addOption(
      new Option('--amount-off-cents <cents>', 'this many cents off').argParser(wholeNumber(1)),
    )
    .option('--product <product_id>', 'only this product (default: every product)')
    .option('--starts-at <time>', 'when it starts (default: at once)')
    .option('--ends-at <time>', 'when it ends (default: never)')
    .addOption(idempotencyKeyOption())
    .addOption(jsonOption())
    .action(function (this: Command, customerId: string, options: SetOptions) {
      if (options.percentOff === undefined && options.amountOffCents === undefined)
        this.error('error: discounts set needs --percent-off or --amount-off-cents', {
          exitCode: EXIT_USAGE,
        });
      parsed({
        kind: 'discounts.set',
        customerId,
        body: {
          ...(options.percentOff === undefined ? {} : { percent_off: options.percentOff }),
          ...(options.amountOffCents === undefined
            ? {}
            : { amount_off_cents: options.amountOffCents }),
          ...(options.product === undefined ? {} : { product_id: options.product }),
          ...(options.startsAt === undefined ? {} : { starts_at: options.startsAt }),
          ...(options.endsAt === undefined ? {} : { ends_at: options.endsAt }),
        },
        ...idempotencyOf(options),
        json: options.json === true,
      });
    });

  discounts
    .command('clear')
    .description(
      'clear a customer’s every-product discount, or with --product its discount on that product',
    )
    .argument('<customer_id>')
    .option(
      '--product <product_id>',
      'the discount on this product (default: the every-product one)',
    )
    .addOption(jsonOption())
    .action((customerId: string, options: { readonly product?: string } & JsonOption) => {
      parsed({
        kind: 'discounts.clear',
        customerId,
        ...(options.product === undefined ? {} : { productId: options.product }),
        json: options.json === true,
      });
    });
}

export async function runDiscountsCommand(
  command: DiscountsCommand,
  { client, printer }: CommandContext,
): Promise<number> {
  switch (command.kind) {
    case 'discounts.set': {
      const { body } = await client.put<DiscountResourceV1>(
        PUBLIC_API_PATHS.customerDiscount(command.customerId),
        command.body,
        idempotencyOf(command),
      );
      printer.answer(body, formatDiscount(body));
      return EXIT_OK;
    }
    case 'discounts.clear': {
      const { body } = await client.delete<{ readonly cleared: boolean }>(
        PUBLIC_API_PATHS.customerDiscount(command.customerId),
        { product_id: command.productId },
      );
      printer.answer(body, [
        formatClearedDiscount(command.customerId, command.productId, body.cleared),
      ]);
      return EXIT_OK;
    }
  }
}
