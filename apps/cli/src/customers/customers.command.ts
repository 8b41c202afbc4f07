import {
  PUBLIC_API_PATHS,
  type CreateCustomerBodyV1,
  type CustomerResourceV1,
  type ListQueryV1,
  type ListV1,
} from '@aegis/contracts';
import type { Command } from 'commander';
import { EXIT_OK } from '../cli-error.js';
import { nextPageHint, type CommandContext } from '../command-context.js';
import {
  idempotencyKeyOption,
  idempotencyOf,
  jsonOption,
  keyValuePairs,
  listQueryOf,
  withListOptions,
  type IdempotencyKeyOption,
  type JsonOption,
  type ListOptions,
} from '../options/option-parsers.js';
import { formatCreatedCustomer, formatCustomer, formatCustomerList } from './customers-output.js';

export type CustomersCommand =
  | {
      readonly kind: 'customers.create';
      readonly body: CreateCustomerBodyV1;
      readonly idempotencyKey?: string;
      readonly json: boolean;
    }
  | { readonly kind: 'customers.list'; readonly query: ListQueryV1; readonly json: boolean }
  | { readonly kind: 'customers.show'; readonly customerId: string; readonly json: boolean };

interface CreateOptions extends JsonOption, IdempotencyKeyOption {
  readonly email: string;
  readonly name?: string;
  readonly id?: string;
  readonly metadata?: Record<string, string>;
}

/** `aegis customers create|list|show`; each command line read goes to `parsed`. */
export function defineCustomersCommands(
  program: Command,
  parsed: (command: CustomersCommand) => void,
): void {
  const customers = program.command('customers').description('the operator’s customers');

  customers
    .command('create')
    .summary('get or create a customer')
    .description('get or create a customer by id (its Stripe customer is made once)')
    .requiredOption('--email <email>', 'the customer’s email')
    .option('--name <name>', 'the customer’s name')
    .option('--id <customer_id>', 'your own id for the customer (default: one is generated)')
    .option('--metadata <key=value...>', 'metadata to keep with it', keyValuePairs)
    .addOption(idempotencyKeyOption())
    .addOption(jsonOption())
    .action((options: CreateOptions) => {
      parsed({
        kind: 'customers.create',
        body: {
          email: options.email,
          ...(options.id === undefined ? {} : { id: options.id }),
          ...(options.name === undefined ? {} : { name: options.name }),
          ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
        },
        ...idempotencyOf(options),
        json: options.json === true,
      });
    });

  withListOptions(customers.command('list').description('the customers, newest first'))
    .addOption(jsonOption())
    .action((options: ListOptions & JsonOption) => {
      parsed({ kind: 'customers.list', query: listQueryOf(options), json: options.json === true });
    });

  customers
    .command('show')
    .description('one customer')
    .argument('<customer_id>')
    .addOption(jsonOption())
    .action((customerId: string, options: JsonOption) => {
      parsed({ kind: 'customers.show', customerId, json: options.json === true });
    });
}

export async function runCustomersCommand(
  command: CustomersCommand,
  { client, printer }: CommandContext,
): Promise<number> {
  switch (command.kind) {
    case 'customers.create': {
      const answer = await client.post<CustomerResourceV1>(
        PUBLIC_API_PATHS.customers,
        command.body,
        idempotencyOf(command),
      );
      printer.answer(answer.body, formatCreatedCustomer(answer.body, answer.status));
      return EXIT_OK;
    }
    case 'customers.list': {
      const { body } = await client.get<ListV1<CustomerResourceV1>>(
        PUBLIC_API_PATHS.customers,
        command.query,
      );
      printer.answer(body, [
        ...formatCustomerList(body),
        ...nextPageHint('aegis customers list', command.query, body),
      ]);
      return EXIT_OK;
    }
    case 'customers.show': {
      const { body } = await client.get<CustomerResourceV1>(
        PUBLIC_API_PATHS.customer(command.customerId),
      );
      printer.answer(body, formatCustomer(body));
      return EXIT_OK;
    }
  }
}
