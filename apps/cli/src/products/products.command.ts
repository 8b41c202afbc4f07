import {
  AGGREGATIONS,
  CURRENCY_PATTERN,
  PRICING_TYPES,
  PUBLIC_API_PATHS,
  type AggregationV1,
  type CreateProductBodyV1,
  type ListQueryV1,
  type ListV1,
  type PricingTypeV1,
  type ProductResourceV1,
} from '@aegis/contracts';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { EXIT_OK, EXIT_USAGE } from '../cli-error.js';
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
import { withPriceOptions, type PriceOptions } from '../pricing/pricing-options.js';
import {
  formatArchivedProduct,
  formatCreatedProduct,
  formatProduct,
  formatProductList,
} from './products-output.js';

/** `GET /api/v1/products`'s filters beside the page. */
export interface ProductListQuery extends ListQueryV1 {
  readonly pricing_type?: PricingTypeV1;
  readonly include_archived?: 'true';
}

interface Post {
  readonly idempotencyKey?: string;
  readonly json: boolean;
}

export type ProductsCommand =
  | (Post & { readonly kind: 'products.create'; readonly body: CreateProductBodyV1 })
  | { readonly kind: 'products.list'; readonly query: ProductListQuery; readonly json: boolean }
  | { readonly kind: 'products.show'; readonly productId: string; readonly json: boolean }
  | (Post & { readonly kind: 'products.archive'; readonly productId: string });

interface CreateOptions extends PriceOptions, JsonOption, IdempotencyKeyOption {
  readonly id: string;
  readonly name: string;
  readonly type: PricingTypeV1;
  readonly currency: string;
  readonly unitLabel?: string;
  readonly aggregation?: AggregationV1;
  readonly aggregationField?: string;
  readonly description?: string;
  readonly metadata?: Record<string, string>;
}

interface ListProductsOptions extends ListOptions, JsonOption {
  readonly type?: PricingTypeV1;
  readonly includeArchived?: true;
}

/** ISO 4217, written as Stripe writes it (`USD` is taken as `usd`). */
function currency(value: string): string {
  const code = value.toLowerCase();
  if (!CURRENCY_PATTERN.test(code))
    throw new InvalidArgumentError('must be an ISO 4217 currency code, e.g. usd');
  return code;
}

/** The body of `POST /api/v1/products` from `aegis products create`'s options, or what is wrong. */
export function createProductBodyOf(options: CreateOptions): CreateProductBodyV1 | string {
  if (options.priceCents === undefined && options.unitAmountDecimal === undefined)
    return 'products create needs --price-cents or --unit-amount-decimal';
  if (
    options.type !== 'usage' &&
    (options.aggregation !== undefined || options.aggregationField !== undefined)
  )
    return '--aggregation and --aggregation-field are for --type usage';
  return {
    id: options.id,
    name: options.name,
    pricing_type: options.type,
    currency: options.currency,
    ...(options.priceCents === undefined ? {} : { base_price_cents: options.priceCents }),
    ...(options.unitAmountDecimal === undefined
      ? {}
      : { unit_amount_decimal: options.unitAmountDecimal }),
    ...(options.description === undefined ? {} : { description: options.description }),
    ...(options.unitLabel === undefined ? {} : { unit_label: options.unitLabel }),
    ...(options.aggregation === undefined ? {} : { aggregation: options.aggregation }),
    ...(options.aggregationField === undefined
      ? {}
      : { aggregation_field: options.aggregationField }),
    ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
  };
}

/** The command that lists the same products again (for the next page). */
function listCommandOf(query: ProductListQuery): string {
  return [
    'aegis products list',
    ...(query.pricing_type === undefined ? [] : [`--type ${query.pricing_type}`]),
    ...(query.include_archived === undefined ? [] : ['--include-archived']),
  ].join(' ');
}

/** `aegis products create|list|show|archive`; each command line read goes to `parsed`. */
export function defineProductsCommands(
  program: Command,
  parsed: (command: ProductsCommand) => void,
): void {
  const products = program
    .command('products')
    .description('the catalogue: what customers buy (outcome) or use (usage)');

  withPriceOptions(
    products
      .command('create')
      .summary('a new product')
      .description(
        'a new product with its first pricing version (per_unit; change it with aegis pricing set), made in Stripe too',
      )
      .requiredOption('--id <product_id>', 'your own id for it, e.g. api_call')
      .requiredOption('--name <name>', 'what customers see')
      .addOption(
        new Option(
          '--type <type>',
          'outcome: a one-time charge per deliverable; usage: priced per unit of metered usage',
        )
          .choices(PRICING_TYPES)
          .makeOptionMandatory(),
      ),
    'the price of one unit',
  )
    .addOption(
      new Option('--currency <code>', 'ISO 4217, e.g. usd')
        .argParser(currency)
        .makeOptionMandatory(),
    )
    .option('--unit-label <label>', 'what one unit is called, e.g. call')
    .addOption(
      new Option(
        '--aggregation <aggregation>',
        'usage: how a period’s usage is counted (default sum)',
      ).choices(AGGREGATIONS),
    )
    .option('--aggregation-field <field>', 'usage: the metadata key unique_count counts values of')
    .option('--description <text>', 'what it is')
    .option('--metadata <key=value...>', 'metadata to keep with it', keyValuePairs)
    .addOption(idempotencyKeyOption())
    .addOption(jsonOption())
    .action(function (this: Command, options: CreateOptions) {
      const body = createProductBodyOf(options);
      if (typeof body === 'string') this.error(`error: ${body}`, { exitCode: EXIT_USAGE });
      parsed({
        kind: 'products.create',
        body,
        ...idempotencyOf(options),
        json: options.json === true,
      });
    });

  withListOptions(products.command('list').description('the products, newest first'))
    .addOption(
      new Option('--type <type>', 'only outcome or only usage products').choices(PRICING_TYPES),
    )
    .option('--include-archived', 'archived products too')
    .addOption(jsonOption())
    .action((options: ListProductsOptions) => {
      parsed({
        kind: 'products.list',
        query: {
          ...listQueryOf(options),
          ...(options.type === undefined ? {} : { pricing_type: options.type }),
          ...(options.includeArchived === true ? { include_archived: 'true' } : {}),
        },
        json: options.json === true,
      });
    });

  products
    .command('show')
    .description('one product, with the pricing in force')
    .argument('<product_id>')
    .addOption(jsonOption())
    .action((productId: string, options: JsonOption) => {
      parsed({ kind: 'products.show', productId, json: options.json === true });
    });

  products
    .command('archive')
    .summary('stop selling a product')
    .description('stop selling a product: no new quotes, checkouts or invoice lines')
    .argument('<product_id>')
    .addOption(idempotencyKeyOption())
    .addOption(jsonOption())
    .action((productId: string, options: JsonOption & IdempotencyKeyOption) => {
      parsed({
        kind: 'products.archive',
        productId,
        ...idempotencyOf(options),
        json: options.json === true,
      });
    });
}

export async function runProductsCommand(
  command: ProductsCommand,
  { client, printer }: CommandContext,
): Promise<number> {
  switch (command.kind) {
    case 'products.create': {
      const { body } = await client.post<ProductResourceV1>(
        PUBLIC_API_PATHS.products,
        command.body,
        idempotencyOf(command),
      );
      printer.answer(body, formatCreatedProduct(body));
      return EXIT_OK;
    }
    case 'products.list': {
      const { body } = await client.get<ListV1<ProductResourceV1>>(
        PUBLIC_API_PATHS.products,
        command.query,
      );
      printer.answer(body, [
        ...formatProductList(body),
        ...nextPageHint(listCommandOf(command.query), command.query, body),
      ]);
      return EXIT_OK;
    }
    case 'products.show': {
      const { body } = await client.get<ProductResourceV1>(
        PUBLIC_API_PATHS.product(command.productId),
      );
      printer.answer(body, formatProduct(body));
      return EXIT_OK;
    }
    case 'products.archive': {
      const { body } = await client.post<ProductResourceV1>(
        PUBLIC_API_PATHS.archiveProduct(command.productId),
        undefined,
        idempotencyOf(command),
      );
      printer.answer(body, formatArchivedProduct(body));
      return EXIT_OK;
    }
  }
}
