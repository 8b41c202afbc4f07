import {
  AGGREGATIONS_WITH_FIELD,
  METADATA_LIMITS,
  type Aggregation,
  type PricingModelV1,
  type PricingType,
} from '@aegis/contracts';
import { AEGIS_PRODUCT_ID_KEY } from '@aegis/stripe';
import type { FieldFault } from '../billing.exception.js';
import { validateDiscount, validatePricingModel } from '../pricing/pricing-engine.js';
import type { Discount, PricingModel } from '../pricing/pricing-model.js';

/**
 * The catalogue's rules on what a caller sends, beyond the contract's own
 * validation: pure functions naming each field at fault as the public API
 * names it (`aggregation_field`, `pricing.tiers[1].up_to`).
 */

/** A value the rules accepted, or every fault they found. */
export type Checked<T> = { readonly value: T } | { readonly faults: readonly FieldFault[] };

/** How long ago an `effectiveFrom` may be and still count as now: the callers' clocks drift. */
export const CLOCK_SKEW_MS = 60_000;

/**
 * The `effective_from` of a product's first pricing version: the Unix epoch,
 * "the beginning of time" for the catalogue, so the price a product is
 * created with prices any period a quote or an invoice can ask about (a quote
 * `at` an earlier time finds no pricing and is refused, naming `at`).
 */
export const BEGINNING_OF_TIME = new Date(0);

export interface ProductMetering {
  readonly aggregation: Aggregation | null;
  readonly aggregationField: string | null;
}

/**
 * How a product is metered: a usage product's aggregation (default `sum`),
 * with the metadata field that `unique_count` reads and no other
 * aggregation takes; an outcome product is not metered at all.
 */
export function productMeteringOf(request: {
  readonly pricingType: PricingType;
  readonly aggregation?: Aggregation | undefined;
  readonly aggregationField?: string | undefined;
}): Checked<ProductMetering> {
  const { pricingType, aggregationField } = request;
  if (pricingType === 'outcome') {
    const faults: FieldFault[] = [];
    if (request.aggregation !== undefined)
      faults.push({
        field: 'aggregation',
        message:
          'an outcome product is charged per deliverable, not metered: only usage products aggregate',
      });
    if (aggregationField !== undefined)
      faults.push({ field: 'aggregation_field', message: 'only usage products aggregate' });
    return faults.length > 0
      ? { faults }
      : { value: { aggregation: null, aggregationField: null } };
  }
  const aggregation = request.aggregation ?? 'sum';
  const needsField = AGGREGATIONS_WITH_FIELD.includes(aggregation);
  if (needsField && aggregationField === undefined)
    return {
      faults: [
        {
          field: 'aggregation_field',
          message: `aggregation ${aggregation} counts the values of a usage event's metadata field: name it`,
        },
      ],
    };
  if (!needsField && aggregationField !== undefined)
    return {
      faults: [
        {
          field: 'aggregation_field',
          message: `aggregation ${aggregation} reads each usage event's quantity, not a field`,
        },
      ],
    };
  return { value: { aggregation, aggregationField: aggregationField ?? null } };
}

/**
 * The operator's metadata as it can go to Stripe: Aegis adds
 * `aegis_product_id` (so that key is ours, and one of Stripe's 50 entries),
 * and Stripe reads an empty value as "remove this key".
 */
export function productMetadataFaults(metadata: Readonly<Record<string, string>>): FieldFault[] {
  const faults: FieldFault[] = [];
  const keys = Object.keys(metadata);
  if (keys.length > METADATA_LIMITS.entries - 1)
    faults.push({
      field: 'metadata',
      message: `at most ${METADATA_LIMITS.entries - 1} keys: Stripe keeps ${METADATA_LIMITS.entries}, and Aegis adds ${AEGIS_PRODUCT_ID_KEY}`,
    });
  if (keys.includes(AEGIS_PRODUCT_ID_KEY))
    faults.push({
      field: `metadata.${AEGIS_PRODUCT_ID_KEY}`,
      message: 'is set by Aegis to the product id',
    });
  for (const key of keys.filter((name) => metadata[name] === ''))
    faults.push({ field: `metadata.${key}`, message: 'must not be empty' });
  return faults;
}

/** '' for an optional text is "none". */
export function textOrNull(text: string | undefined): string | null {
  return text === undefined || text === '' ? null : text;
}

function hasPackage(pricing: PricingModelV1): boolean {
  return (
    pricing.packageSize !== undefined ||
    pricing.packageAmount !== undefined ||
    pricing.round !== undefined
  );
}

/** The fields a model does not take, when the caller sent them anyway. */
function extraneousFaults(pricing: PricingModelV1): FieldFault[] {
  const { model } = pricing;
  const faults: FieldFault[] = [];
  const source =
    model === 'package' ? 'package' : model === 'per_unit' ? 'its unit price' : 'tiers';
  if (model !== 'per_unit' && pricing.unitAmountDecimal !== undefined)
    faults.push({
      field: 'unit_amount_decimal',
      message: `model ${model} takes its prices from ${source}`,
    });
  if (model !== 'graduated' && model !== 'volume' && pricing.tiers !== undefined)
    faults.push({ field: 'tiers', message: `model ${model} takes no tiers` });
  if (model !== 'package' && hasPackage(pricing))
    faults.push({ field: 'package', message: `model ${model} takes no package` });
  return faults;
}

/** The contract's model as the engine's tagged union (fields the model does not take left out). */
function engineModelOf(pricing: PricingModelV1): PricingModel {
  switch (pricing.model) {
    case 'per_unit':
      return { model: 'per_unit', unitAmountDecimal: pricing.unitAmountDecimal ?? '' };
    case 'graduated':
    case 'volume':
      return {
        model: pricing.model,
        tiers: (pricing.tiers ?? []).map((tier) => ({
          upTo: tier.upTo,
          unitAmountDecimal: tier.unitAmountDecimal,
          flatAmount: tier.flatAmount,
        })),
      };
    case 'package':
      // The contract requires all three; NaN is refused by the engine like any non-integer.
      return {
        model: 'package',
        packageSize: pricing.packageSize ?? Number.NaN,
        packageAmount: pricing.packageAmount ?? Number.NaN,
        round: pricing.round ?? 'up',
      };
  }
}

/**
 * A pricing model as billing stores and prices it, checked by the engine's
 * `validatePricingModel` (tiers ascending, the last open-ended, prices within
 * Stripe's 12 decimal places, …) and refusing fields the model does not take.
 * `under` names the request field holding the model (`pricing`), or '' when
 * its fields stand at the top level.
 */
export function pricingModelOf(pricing: PricingModelV1, under: string): Checked<PricingModel> {
  const model = engineModelOf(pricing);
  const faults = [...extraneousFaults(pricing), ...validatePricingModel(model)].map(
    ({ field, message }) => ({ field: under === '' ? field : `${under}.${field}`, message }),
  );
  return faults.length > 0 ? { faults } : { value: model };
}

/** The engine's model in the contract's shape. */
export function pricingModelV1Of(model: PricingModel): PricingModelV1 {
  switch (model.model) {
    case 'per_unit':
      return { model: 'per_unit', unitAmountDecimal: model.unitAmountDecimal };
    case 'graduated':
    case 'volume':
      return { model: model.model, tiers: model.tiers.map((tier) => ({ ...tier })) };
    case 'package':
      return {
        model: 'package',
        packageSize: model.packageSize,
        packageAmount: model.packageAmount,
        round: model.round,
      };
  }
}

export interface DiscountTerms {
  readonly discount: Discount;
  readonly startsAt: Date | null;
  readonly endsAt: Date | null;
}

/** A discount's terms: exactly one of a percentage (above 0, at most 100) and an amount, ending after it starts. */
export function discountTermsOf(request: {
  readonly percentOff?: string | undefined;
  readonly amountOff?: number | undefined;
  readonly startsAt?: string | undefined;
  readonly endsAt?: string | undefined;
}): Checked<DiscountTerms> {
  const discount: Discount = {
    ...(request.percentOff === undefined ? {} : { percentOff: request.percentOff }),
    ...(request.amountOff === undefined ? {} : { amountOff: request.amountOff }),
  };
  const startsAt = request.startsAt === undefined ? null : new Date(request.startsAt);
  const endsAt = request.endsAt === undefined ? null : new Date(request.endsAt);
  const faults: FieldFault[] = [...validateDiscount(discount)];
  if (startsAt !== null && endsAt !== null && endsAt.getTime() <= startsAt.getTime())
    faults.push({ field: 'ends_at', message: 'must be after starts_at' });
  return faults.length > 0 ? { faults } : { value: { discount, startsAt, endsAt } };
}

/** Whether a discount running from `startsAt` (inclusive) to `endsAt` (exclusive) is in force at `at`. */
export function isInForce(
  period: { readonly startsAt: Date | null; readonly endsAt: Date | null },
  at: Date,
): boolean {
  return (
    (period.startsAt === null || period.startsAt.getTime() <= at.getTime()) &&
    (period.endsAt === null || at.getTime() < period.endsAt.getTime())
  );
}

/**
 * The time of a product's next change: now, or a millisecond after the
 * previous one when the clock has not moved past it, so that a product's
 * `updated_at` strictly increases and its events never tie.
 */
export function nextChangeTime(previous: Date, now: Date = new Date()): Date {
  return new Date(Math.max(now.getTime(), previous.getTime() + 1));
}
