import {
  UNIT_AMOUNT_DECIMAL_PATTERN,
  type PackageBodyV1,
  type PricingTierBodyV1,
} from '@aegis/contracts';
import { InvalidArgumentError, Option, type Command } from 'commander';

/** A price in minor units: whole (`price_cents`) or with decimals (`unit_amount_decimal`). */
export type PriceV1 = { readonly price_cents: number } | { readonly unit_amount_decimal: string };

const WHOLE = /^\d+$/;

/** `10` is 10 cents (`price_cents`); `0.125` an eighth of one (`unit_amount_decimal`). */
export function priceOf(value: string): PriceV1 | undefined {
  if (WHOLE.test(value)) {
    const cents = Number(value);
    return Number.isSafeInteger(cents) ? { price_cents: cents } : undefined;
  }
  return UNIT_AMOUNT_DECIMAL_PATTERN.test(value) ? { unit_amount_decimal: value } : undefined;
}

function wholeAtLeast(value: string, minimum: number): number | undefined {
  const number = Number(value);
  return WHOLE.test(value) && Number.isSafeInteger(number) && number >= minimum
    ? number
    : undefined;
}

/** `--unit-amount-decimal`: minor units with at most 12 decimal places. */
export function unitAmountDecimal(value: string): string {
  if (!UNIT_AMOUNT_DECIMAL_PATTERN.test(value))
    throw new InvalidArgumentError(
      'must be an amount of minor units with at most 12 decimal places, e.g. 0.125',
    );
  return value;
}

const TIER_SYNTAX =
  'must be <up_to|inf>:<price>[:<flat_cents>], e.g. 1000:10, inf:0.5 or 100:8:500';

/**
 * One `--tier <up_to|inf>:<price>[:<flat_cents>]`, appended to the earlier
 * ones: `up_to` ascends, and only the last tier is open-ended (`inf`).
 */
export function tier(
  value: string,
  previous: readonly PricingTierBodyV1[] | undefined,
): PricingTierBodyV1[] {
  const parts = value.split(':');
  const [upToText = '', priceText = '', flatText] = parts;
  const upTo = upToText === 'inf' ? null : wholeAtLeast(upToText, 1);
  const price = priceOf(priceText);
  const flat = flatText === undefined ? 0 : wholeAtLeast(flatText, 0);
  if (parts.length < 2 || parts.length > 3 || upTo === undefined || price === undefined)
    throw new InvalidArgumentError(TIER_SYNTAX);
  if (flat === undefined)
    throw new InvalidArgumentError('its flat_cents must be a whole number of at least 0');
  const tiers = previous ?? [];
  const last = tiers.at(-1);
  if (last?.up_to === null)
    throw new InvalidArgumentError('comes after the open-ended tier (inf), which must be the last');
  if (last !== undefined && upTo !== null && upTo <= last.up_to)
    throw new InvalidArgumentError(`up_to must be above the previous tier's ${last.up_to}`);
  return [
    ...tiers,
    { up_to: upTo, ...price, ...(flatText === undefined ? {} : { flat_amount_cents: flat }) },
  ];
}

/** `--package <size>:<price_cents>:<up|down>`: e.g. 1000:500:up, 5 dollars a thousand started. */
export function packageOf(value: string): PackageBodyV1 {
  const parts = value.split(':');
  const [sizeText = '', priceText = '', round] = parts;
  const size = wholeAtLeast(sizeText, 1);
  const price = wholeAtLeast(priceText, 0);
  if (
    parts.length !== 3 ||
    size === undefined ||
    price === undefined ||
    (round !== 'up' && round !== 'down')
  )
    throw new InvalidArgumentError('must be <size>:<price_cents>:<up|down>, e.g. 1000:500:up');
  return { size, price_cents: price, round };
}

export interface PriceOptions {
  readonly priceCents?: number;
  readonly unitAmountDecimal?: string;
}

/** `--price-cents` or `--unit-amount-decimal` (not both), for the price of `what`. */
export function withPriceOptions(command: Command, what: string): Command {
  return command
    .addOption(
      new Option('--price-cents <cents>', `${what}, in whole minor units (cents)`)
        .argParser((value: string) => {
          const cents = wholeAtLeast(value, 0);
          if (cents === undefined)
            throw new InvalidArgumentError('must be a whole number of at least 0');
          return cents;
        })
        .conflicts('unitAmountDecimal'),
    )
    .addOption(
      new Option(
        '--unit-amount-decimal <amount>',
        `${what}, in minor units with up to 12 decimal places (e.g. 0.125)`,
      ).argParser(unitAmountDecimal),
    );
}
