import {
  CHECKOUT_MODES,
  MAX_CHECKOUT_QUANTITY,
  PUBLIC_API_PATHS,
  type CheckoutSessionResourceV1,
  type CreateCheckoutBodyV1,
} from '@aegis/contracts';
import { InvalidArgumentError, type Command } from 'commander';
import { EXIT_OK, EXIT_REFUSED, EXIT_USAGE } from '../cli-error.js';
import type { CommandContext } from '../command-context.js';
import {
  idempotencyKeyOption,
  idempotencyOf,
  jsonOption,
  type IdempotencyKeyOption,
  type JsonOption,
} from '../options/option-parsers.js';
import { formatCheckout, formatCreatedCheckout, isSettled } from './checkout-output.js';

/** Making the session waits on billing's call to Stripe; the gateway allows it 15 s. */
const CHECKOUT_TIMEOUT_MS = 30_000;

export type CheckoutCommand =
  | {
      readonly kind: 'checkout.create';
      readonly body: CreateCheckoutBodyV1;
      readonly idempotencyKey?: string;
      readonly json: boolean;
    }
  | {
      readonly kind: 'checkout.show';
      readonly checkoutId: string;
      /** Asks again until the checkout is paid, failed or expired, at most this many ms. */
      readonly waitMs: number | null;
      readonly json: boolean;
    };

interface CreateOptions extends JsonOption, IdempotencyKeyOption {
  readonly product?: string;
  readonly plan?: string;
  readonly quantity?: number;
  readonly successUrl?: string;
  readonly cancelUrl?: string;
}

interface ShowOptions extends JsonOption {
  readonly wait?: number;
}

function quantity(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_CHECKOUT_QUANTITY)
    throw new InvalidArgumentError(`must be a whole number from 1 to ${MAX_CHECKOUT_QUANTITY}`);
  return Number(value);
}

function seconds(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError('must be a whole number of seconds, at least 1');
  return Number(value);
}

/** `aegis checkout create|show`; each command line read goes to `parsed`. */
export function defineCheckoutCommands(
  program: Command,
  parsed: (command: CheckoutCommand) => void,
): void {
  const checkout = program
    .command('checkout')
    .description('checkouts: Stripe’s hosted payment page for an outcome product or a plan');

  const create = checkout
    .command('create')
    .summary('start a checkout and print the page to pay it on')
    .description(
      `start a checkout for a customer: --product (mode ${CHECKOUT_MODES[0]}, with --quantity) or --plan (mode ${CHECKOUT_MODES[1]}); prints Stripe’s hosted page to send the buyer to. Redirect URLs default to the gateway’s settings (else its bundled pages) and must be on an allowed host`,
    )
    .argument('<customer_id>')
    .option('--product <product_id>', 'an outcome product, bought once')
    .option('--plan <plan_id>', 'a plan (until plans exist: a recurring price of the catalogue)')
    .option('--quantity <n>', 'how many (default 1)', quantity)
    .option(
      '--success-url <url>',
      'where the buyer lands after paying ({CHECKOUT_SESSION_ID} allowed)',
    )
    .option('--cancel-url <url>', 'where the hosted page’s “back” leads')
    .addOption(idempotencyKeyOption())
    .addOption(jsonOption())
    .action((customerId: string, options: CreateOptions) => {
      if ((options.product === undefined) === (options.plan === undefined))
        create.error('error: give either --product or --plan', { exitCode: EXIT_USAGE });
      parsed({
        kind: 'checkout.create',
        body: {
          customer_id: customerId,
          ...(options.product === undefined
            ? { mode: 'subscription' as const, plan_id: options.plan }
            : { mode: 'payment' as const, product_id: options.product }),
          ...(options.quantity === undefined ? {} : { quantity: options.quantity }),
          ...(options.successUrl === undefined ? {} : { success_url: options.successUrl }),
          ...(options.cancelUrl === undefined ? {} : { cancel_url: options.cancelUrl }),
        },
        ...idempotencyOf(options),
        json: options.json === true,
      });
    });

  checkout
    .command('show')
    .description(
      'one checkout: what it sells, its status and its ledger transaction; --wait asks again until it is paid, failed or expired (exit 1 unless paid)',
    )
    .argument('<checkout_id>')
    .option('--wait <seconds>', 'wait up to this long for the checkout to settle', seconds)
    .addOption(jsonOption())
    .action((checkoutId: string, options: ShowOptions) => {
      parsed({
        kind: 'checkout.show',
        checkoutId,
        waitMs: options.wait === undefined ? null : options.wait * 1000,
        json: options.json === true,
      });
    });
}

export async function runCheckoutCommand(
  command: CheckoutCommand,
  { client, printer, sleep, pollIntervalMs }: CommandContext,
): Promise<number> {
  switch (command.kind) {
    case 'checkout.create': {
      const { body } = await client.post<CheckoutSessionResourceV1>(
        PUBLIC_API_PATHS.checkout,
        command.body,
        { ...idempotencyOf(command), timeoutMs: CHECKOUT_TIMEOUT_MS },
      );
      printer.answer(body, formatCreatedCheckout(body));
      return EXIT_OK;
    }
    case 'checkout.show': {
      const path = PUBLIC_API_PATHS.checkoutSession(command.checkoutId);
      let { body } = await client.get<CheckoutSessionResourceV1>(path);
      if (command.waitMs === null) {
        printer.answer(body, formatCheckout(body));
        return EXIT_OK;
      }
      let waited = 0;
      while (!isSettled(body) && waited < command.waitMs) {
        printer.note(`checkout ${body.id} is ${body.status}; waiting…`);
        await sleep(pollIntervalMs);
        waited += pollIntervalMs;
        ({ body } = await client.get<CheckoutSessionResourceV1>(path));
      }
      printer.answer(body, formatCheckout(body));
      return body.status === 'paid' ? EXIT_OK : EXIT_REFUSED;
    }
  }
}
