import {
  PRICING_MODELS,
  PUBLIC_API_PATHS,
  type ListV1,
  type PackageBodyV1,
  type PricingModelNameV1,
  type PricingTierBodyV1,
  type PricingVersionResourceV1,
  type ProductResourceV1,
  type SetPricingBodyV1,
} from '@aegis/contracts';
import { Option, type Command } from 'commander';
import { EXIT_OK, EXIT_USAGE } from '../cli-error.js';
import type { CommandContext } from '../command-context.js';
import {
  idempotencyKeyOption,
  idempotencyOf,
  jsonOption,
  type IdempotencyKeyOption,
  type JsonOption,
} from '../options/option-parsers.js';
import { packageOf, tier, withPriceOptions, type PriceOptions } from './pricing-options.js';
import { formatNewPricingVersion, formatPricingVersions } from './pricing-output.js';

export type PricingCommand =
  | {
      readonly kind: 'pricing.set';
      readonly productId: string;
      readonly body: SetPricingBodyV1;
      readonly idempotencyKey?: string;
      readonly json: boolean;
    }
  | { readonly kind: 'pricing.show'; readonly productId: string; readonly json: boolean };

export interface SetPricingOptions extends PriceOptions {
  readonly model: PricingModelNameV1;
  readonly tier?: readonly PricingTierBodyV1[];
  readonly package?: PackageBodyV1;
  readonly effectiveFrom?: string;
}

/** What each model takes, and from which options. */
function pricingOf(
  options: SetPricingOptions,
): (Pick<SetPricingBodyV1, 'model'> & Partial<SetPricingBodyV1>) | string {
  const { model, tier: tiers, package: pack } = options;
  const hasPrice = options.priceCents !== undefined || options.unitAmountDecimal !== undefined;
  switch (model) {
    case 'per_unit':
      if (tiers !== undefined || pack !== undefined)
        return '--model per_unit takes --price-cents or --unit-amount-decimal, not --tier or --package';
      if (options.priceCents !== undefined) return { model, price_cents: options.priceCents };
      if (options.unitAmountDecimal !== undefined)
        return { model, unit_amount_decimal: options.unitAmountDecimal };
      return '--model per_unit needs --price-cents or --unit-amount-decimal';
    case 'graduated':
    case 'volume':
      if (hasPrice || pack !== undefined)
        return `--model ${model} takes its prices from --tier, not --price-cents, --unit-amount-decimal or --package`;
      if (tiers === undefined)
        return `--model ${model} needs --tier, once per tier, e.g. --tier 1000:10 --tier inf:8`;
      if (tiers.at(-1)?.up_to !== null)
        return 'the last --tier must be open-ended: inf:<price>[:<flat_cents>]';
      return { model, tiers };
    case 'package':
      if (hasPrice || tiers !== undefined)
        return '--model package takes its price from --package, not --price-cents, --unit-amount-decimal or --tier';
      if (pack === undefined)
        return '--model package needs --package <size>:<price_cents>:<up|down>';
      return { model, package: pack };
  }
}

/**
 * The body of `PUT …/pricing` from `aegis pricing set`'s options, or what is
 * wrong with them.
 */
export function setPricingBodyOf(options: SetPricingOptions): SetPricingBodyV1 | string {
  const pricing = pricingOf(options);
  if (typeof pricing === 'string') return pricing;
  return {
    ...pricing,
    ...(options.effectiveFrom === undefined ? {} : { effective_from: options.effectiveFrom }),
  };
}

/** `aegis pricing set|show`; each command line read goes to `parsed`. */
export function definePricingCommands(
  program: Command,
  parsed: (command: PricingCommand) => void,
): void {
  const pricing = program
    .command('pricing')
    .description('products’ pricing versions: per_unit, graduated, volume, package');

  withPriceOptions(
    pricing
      .command('set')
      .summary('a new pricing version of a product')
      .description(
        'a new pricing version of a product, in force from --effective-from (default now); earlier versions keep pricing their periods. Prices are in minor units (cents): a whole number, or a decimal for fractions of one',
      )
      .argument('<product_id>')
      .addOption(
        new Option('--model <model>', 'how the quantity is priced')
          .choices(PRICING_MODELS)
          .makeOptionMandatory(),
      ),
    'per_unit: the price of one unit',
  )
    .option(
      '--tier <tier>',
      'graduated, volume: <up_to|inf>:<price>[:<flat_cents>], the units up to up_to (inf: the last, open-ended tier) at price each, plus a flat amount for the tier; repeat it, ascending, e.g. --tier 1000:10 --tier 10000:8 --tier inf:5',
      tier,
    )
    .option(
      '--package <package>',
      'package: <size>:<price_cents>:<up|down>, the price of each package of size units, a partial package rounded up or down, e.g. 1000:500:up',
      packageOf,
    )
    .option('--effective-from <time>', 'when the version comes in force (RFC 3339; default now)')
    .addOption(idempotencyKeyOption())
    .addOption(jsonOption())
    .action(function (
      this: Command,
      productId: string,
      options: SetPricingOptions & JsonOption & IdempotencyKeyOption,
    ) {
      const body = setPricingBodyOf(options);
      if (typeof body === 'string') this.error(`error: ${body}`, { exitCode: EXIT_USAGE });
      parsed({
        kind: 'pricing.set',
        productId,
        body,
        ...idempotencyOf(options),
        json: options.json === true,
      });
    });

  pricing
    .command('show')
    .description('every pricing version of a product, oldest first, the one in force marked')
    .argument('<product_id>')
    .addOption(jsonOption())
    .action((productId: string, options: JsonOption) => {
      parsed({ kind: 'pricing.show', productId, json: options.json === true });
    });
}

export async function runPricingCommand(
  command: PricingCommand,
  { client, printer }: CommandContext,
): Promise<number> {
  switch (command.kind) {
    case 'pricing.set': {
      const { body } = await client.put<PricingVersionResourceV1>(
        PUBLIC_API_PATHS.productPricing(command.productId),
        command.body,
        idempotencyOf(command),
      );
      printer.answer(body, formatNewPricingVersion(command.productId, body));
      return EXIT_OK;
    }
    case 'pricing.show': {
      // The product says which version is in force: billing's clock, not ours.
      const [{ body: versions }, { body: product }] = await Promise.all([
        client.get<ListV1<PricingVersionResourceV1>>(
          PUBLIC_API_PATHS.productPricing(command.productId),
        ),
        client.get<ProductResourceV1>(PUBLIC_API_PATHS.product(command.productId)),
      ]);
      printer.answer(versions, formatPricingVersions(product, versions));
      return EXIT_OK;
    }
  }
}
