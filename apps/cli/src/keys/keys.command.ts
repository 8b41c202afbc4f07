import {
  PUBLIC_API_PATHS,
  type ApiKeyResourceV1,
  type CreateApiKeyBodyV1,
  type CreatedApiKeyV1,
  type ListQueryV1,
  type ListV1,
  type RateLimitV1,
  type RollApiKeyBodyV1,
  type VerifyApiKeyBodyV1,
  type VerifyResultV1,
} from '@aegis/contracts';
import { Option, type Command } from 'commander';
import { EXIT_OK, EXIT_REFUSED, EXIT_USAGE } from '../cli-error.js';
import { nextPageHint, type CommandContext } from '../command-context.js';
import {
  idempotencyKeyOption,
  idempotencyOf,
  jsonOption,
  listQueryOf,
  rateLimit,
  repeated,
  wholeNumber,
  withListOptions,
  type IdempotencyKeyOption,
  type JsonOption,
  type ListOptions,
} from '../options/option-parsers.js';
import {
  formatCreatedKey,
  formatKeyList,
  formatRevokedKey,
  formatRolledKey,
  formatVerifyResult,
} from './keys-output.js';

interface Post {
  readonly idempotencyKey?: string;
  readonly json: boolean;
}

export type KeysCommand =
  | (Post & {
      readonly kind: 'keys.create';
      readonly customerId: string;
      readonly body: CreateApiKeyBodyV1;
    })
  | {
      readonly kind: 'keys.list';
      readonly customerId: string;
      readonly query: ListQueryV1;
      readonly json: boolean;
    }
  | (Post & { readonly kind: 'keys.revoke'; readonly keyId: string })
  | (Post & { readonly kind: 'keys.roll'; readonly keyId: string; readonly body: RollApiKeyBodyV1 })
  | (Post & { readonly kind: 'keys.verify'; readonly body: VerifyApiKeyBodyV1 });

interface CreateOptions extends JsonOption, IdempotencyKeyOption {
  readonly name: string;
  readonly scope?: readonly string[];
  readonly expiresAt?: string;
  readonly rateLimit?: RateLimitV1;
}

interface RollOptions extends JsonOption, IdempotencyKeyOption {
  readonly grace?: number;
}

interface VerifyOptions extends JsonOption, IdempotencyKeyOption {
  readonly scope?: string;
  readonly usageProduct?: string;
  readonly usageQuantity?: number;
}

/** `aegis keys create|list|revoke|roll|verify`; each command line read goes to `parsed`. */
export function defineKeysCommands(program: Command, parsed: (command: KeysCommand) => void): void {
  const keys = program.command('keys').description('customers’ API keys');

  keys
    .command('create')
    .summary('a new API key for a customer')
    .description('a new API key for a customer (the key is shown once)')
    .argument('<customer_id>')
    .requiredOption('--name <name>', 'what the key is for')
    .option('--scope <scope>', 'a scope the key carries (repeat for more)', repeated)
    .option('--expires-at <time>', 'when the key stops working (RFC 3339)')
    .option(
      '--rate-limit <requests>/<seconds>',
      'e.g. 100/60 (default: the gateway’s configured limit)',
      rateLimit,
    )
    .addOption(idempotencyKeyOption())
    .addOption(jsonOption())
    .action((customerId: string, options: CreateOptions) => {
      parsed({
        kind: 'keys.create',
        customerId,
        body: {
          name: options.name,
          scopes: options.scope ?? [],
          ...(options.expiresAt === undefined ? {} : { expires_at: options.expiresAt }),
          ...(options.rateLimit === undefined ? {} : { rate_limit: options.rateLimit }),
        },
        ...idempotencyOf(options),
        json: options.json === true,
      });
    });

  withListOptions(
    keys
      .command('list')
      .description('a customer’s keys, without their secrets')
      .argument('<customer_id>'),
  )
    .addOption(jsonOption())
    .action((customerId: string, options: ListOptions & JsonOption) => {
      parsed({
        kind: 'keys.list',
        customerId,
        query: listQueryOf(options),
        json: options.json === true,
      });
    });

  keys
    .command('revoke')
    .summary('stop a key working')
    .description('stop a key working, on every gateway replica within a second')
    .argument('<key_id>')
    .addOption(idempotencyKeyOption())
    .addOption(jsonOption())
    .action((keyId: string, options: JsonOption & IdempotencyKeyOption) => {
      parsed({
        kind: 'keys.revoke',
        keyId,
        ...idempotencyOf(options),
        json: options.json === true,
      });
    });

  keys
    .command('roll')
    .summary('a new key in place of this one')
    .description(
      'a new key in place of this one (shown once); the old one works for a grace period',
    )
    .argument('<key_id>')
    .addOption(
      new Option(
        '--grace <seconds>',
        'how long the old key keeps working (default: the gateway’s, 24 h; 0: not at all)',
      ).argParser(wholeNumber(0)),
    )
    .addOption(idempotencyKeyOption())
    .addOption(jsonOption())
    .action((keyId: string, options: RollOptions) => {
      parsed({
        kind: 'keys.roll',
        keyId,
        body: options.grace === undefined ? {} : { expires_in_seconds: options.grace },
        ...idempotencyOf(options),
        json: options.json === true,
      });
    });

  keys
    .command('verify')
    .summary('check a key your API received')
    .description(
      'check a key your API received: valid or why not, its rate limit; with usage, meter the call (exit 1 when not valid)',
    )
    .argument('<key>')
    .option('--scope <scope>', 'the scope the call needs')
    .option('--usage-product <product_id>', 'meter the call as usage of this product')
    .addOption(
      new Option('--usage-quantity <quantity>', 'how much usage (default 1)').argParser(
        wholeNumber(1),
      ),
    )
    .addOption(idempotencyKeyOption())
    .addOption(jsonOption())
    .action(function (this: Command, key: string, options: VerifyOptions) {
      if (options.usageQuantity !== undefined && options.usageProduct === undefined)
        this.error('error: --usage-quantity needs --usage-product', { exitCode: EXIT_USAGE });
      parsed({
        kind: 'keys.verify',
        body: {
          key,
          ...(options.scope === undefined ? {} : { scope: options.scope }),
          ...(options.usageProduct === undefined
            ? {}
            : {
                usage: { product_id: options.usageProduct, quantity: options.usageQuantity ?? 1 },
              }),
        },
        ...idempotencyOf(options),
        json: options.json === true,
      });
    });
}

export async function runKeysCommand(
  command: KeysCommand,
  { client, printer }: CommandContext,
): Promise<number> {
  switch (command.kind) {
    case 'keys.create': {
      const { body } = await client.post<CreatedApiKeyV1>(
        PUBLIC_API_PATHS.customerApiKeys(command.customerId),
        command.body,
        idempotencyOf(command),
      );
      printer.answer(body, formatCreatedKey(body));
      return EXIT_OK;
    }
    case 'keys.list': {
      const { body } = await client.get<ListV1<ApiKeyResourceV1>>(
        PUBLIC_API_PATHS.customerApiKeys(command.customerId),
        command.query,
      );
      printer.answer(body, [
        ...formatKeyList(body, new Date()),
        ...nextPageHint(`aegis keys list ${command.customerId}`, command.query, body),
      ]);
      return EXIT_OK;
    }
    case 'keys.revoke': {
      const { body } = await client.post<ApiKeyResourceV1>(
        PUBLIC_API_PATHS.revokeApiKey(command.keyId),
        undefined,
        idempotencyOf(command),
      );
      printer.answer(body, formatRevokedKey(body));
      return EXIT_OK;
    }
    case 'keys.roll': {
      const { body } = await client.post<CreatedApiKeyV1>(
        PUBLIC_API_PATHS.rollApiKey(command.keyId),
        command.body,
        idempotencyOf(command),
      );
      printer.answer(body, formatRolledKey(body, command.keyId, command.body.expires_in_seconds));
      return EXIT_OK;
    }
    case 'keys.verify': {
      const { body } = await client.post<VerifyResultV1>(
        PUBLIC_API_PATHS.verifyApiKey,
        command.body,
        idempotencyOf(command),
      );
      printer.answer(body, formatVerifyResult(body));
      return body.valid ? EXIT_OK : EXIT_REFUSED;
    }
  }
}
