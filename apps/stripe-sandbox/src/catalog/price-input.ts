import Stripe from 'stripe';
import type { Params } from '../core/params.js';
import { invalidRequest, parameterInvalid, parameterMissing } from '../core/stripe-error.js';
import { newId } from '../store/ids.js';

export const TAX_BEHAVIORS = ['exclusive', 'inclusive', 'unspecified'] as const;
export const INTERVALS = ['day', 'week', 'month', 'year'] as const;
export type Interval = (typeof INTERVALS)[number];
export type TaxBehavior = (typeof TAX_BEHAVIORS)[number];

/** Stripe bills at most every three years. */
const MAX_INTERVAL_COUNT: Record<Interval, number> = { day: 1095, week: 156, month: 36, year: 3 };
const MAX_LOOKUP_KEY_LENGTH = 200;

export type RecurringRule = 'required' | 'forbidden' | 'optional';

/** An amount as Stripe keeps it: the decimal form always, the integer form only when whole. */
export interface Amount {
  readonly integer: number | null;
  readonly decimal: Stripe.Decimal;
}

/** What a price costs and how often: the part every way of making a price shares. */
export interface Pricing {
  readonly currency: string;
  readonly billingScheme: 'per_unit' | 'tiered';
  readonly unitAmount: Amount | undefined;
  readonly tiers: Stripe.Price.Tier[] | undefined;
  readonly tiersMode: 'graduated' | 'volume' | undefined;
  readonly recurring: Stripe.Price.Recurring | null;
  readonly transformQuantity: Stripe.Price.TransformQuantity | null;
  readonly taxBehavior: TaxBehavior;
}

/** Everything a new price is made of, checked. */
export interface PriceDraft extends Pricing {
  readonly active: boolean;
  readonly nickname: string | null;
  readonly lookupKey: string | null;
  readonly metadata: Stripe.Metadata;
}

export function readCurrency(params: Params): string {
  const currency = params.requiredString('currency').toLowerCase();
  if (!/^[a-z]{3}$/.test(currency)) {
    throw invalidRequest(
      `Invalid currency: ${currency}. Use a three-letter ISO currency code in lowercase.`,
      params.path('currency'),
    );
  }
  return currency;
}

/** Reads a pair such as `unit_amount` / `unit_amount_decimal`, of which at most one may be set. */
export function readAmount(
  params: Params,
  integerName: string,
  decimalName: string,
): Amount | undefined {
  const integer = params.integer(integerName, { min: 0 });
  const decimalText = params.decimal(decimalName);
  if (integer !== undefined && decimalText !== undefined) {
    throw invalidRequest(
      `You may only specify one of these parameters: ${integerName}, ${decimalName}.`,
      params.path(integerName),
    );
  }
  if (integer !== undefined) return { integer, decimal: Stripe.Decimal.from(integer) };
  if (decimalText === undefined) return undefined;
  const decimal = Stripe.Decimal.from(decimalText);
  if (decimal.isNegative()) {
    throw parameterInvalid(
      params.path(decimalName),
      'This value must be greater than or equal to 0.',
      'parameter_invalid_decimal',
    );
  }
  return { integer: wholeNumberOf(decimal), decimal };
}

/** The decimal as an integer when it is a whole number (Stripe then sets the integer field too). */
function wholeNumberOf(decimal: Stripe.Decimal): number | null {
  const text = decimal.toString();
  return /^\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : null;
}

/**
 * Reads `recurring`: `interval` and `interval_count` everywhere; with
 * `usage`, also `usage_type`, `meter` and `trial_period_days` (the create
 * price API has them, inline `price_data` does not).
 */
export function readRecurring(params: Params, usage: boolean): Stripe.Price.Recurring {
  const interval = params.oneOf('interval', INTERVALS);
  const intervalCount = params.integer('interval_count', { min: 1 }) ?? 1;
  const usageType = usage
    ? params.oneOf('usage_type', ['licensed', 'metered'] as const)
    : undefined;
  const meter = usage ? params.string('meter') : undefined;
  const trialPeriodDays = usage
    ? params.integer('trial_period_days', { min: 1, max: 730 })
    : undefined;
  if (interval === undefined) throw parameterMissing(params.path('interval'));
  if (intervalCount > MAX_INTERVAL_COUNT[interval]) {
    throw invalidRequest(
      'Invalid recurring interval: the maximum billing period is three years (3 years, 36 months, 156 weeks or 1095 days).',
      params.path('interval_count'),
    );
  }
  return {
    interval,
    interval_count: intervalCount,
    meter: meter ?? null,
    trial_period_days: trialPeriodDays ?? null,
    usage_type: usageType ?? 'licensed',
  };
}

function readUpTo(tier: Params): number | null {
  const text = tier.string('up_to');
  if (text === undefined) throw parameterMissing(tier.path('up_to'));
  return text === 'inf' ? null : tier.requiredInteger('up_to', { min: 1 });
}

/** Reads `tiers[]`: each with `up_to` (a count or `inf`) and a unit and/or flat amount. */
export function readTiers(params: Params): Stripe.Price.Tier[] | undefined {
  return params.objects('tiers')?.map((tier, index) => {
    const upTo = readUpTo(tier);
    const unit = readAmount(tier, 'unit_amount', 'unit_amount_decimal');
    const flat = readAmount(tier, 'flat_amount', 'flat_amount_decimal');
    if (unit === undefined && flat === undefined) {
      throw invalidRequest(
        'An entry in the tiers array is missing an amount.',
        `${params.path('tiers')}[${index}]`,
      );
    }
    return {
      flat_amount: flat?.integer ?? null,
      flat_amount_decimal: flat?.decimal ?? null,
      unit_amount: unit?.integer ?? null,
      unit_amount_decimal: unit?.decimal ?? null,
      up_to: upTo,
    };
  });
}

export function readTransformQuantity(params: Params): Stripe.Price.TransformQuantity | undefined {
  const transform = params.object('transform_quantity');
  if (transform === undefined) return undefined;
  const divideBy = transform.requiredInteger('divide_by', { min: 1 });
  const round = transform.oneOf('round', ['up', 'down'] as const);
  if (round === undefined) throw parameterMissing(transform.path('round'));
  return { divide_by: divideBy, round };
}

/** `lookup_key`: up to 200 characters; `''` (null) unsets it on update. */
export function readLookupKey(params: Params): string | null | undefined {
  const lookupKey = params.nullableString('lookup_key');
  if (lookupKey !== undefined && lookupKey !== null && lookupKey.length > MAX_LOOKUP_KEY_LENGTH) {
    throw parameterInvalid(
      params.path('lookup_key'),
      `Invalid lookup_key: must be at most ${MAX_LOOKUP_KEY_LENGTH} characters`,
    );
  }
  return lookupKey;
}

function checkTiers(tiers: readonly Stripe.Price.Tier[], params: Params): void {
  const path = params.path('tiers');
  if (tiers.length < 2) {
    throw invalidRequest('Tiered prices must have at least two tiers.', path);
  }
  let previous = 0;
  for (const [index, tier] of tiers.entries()) {
    const isLast = index === tiers.length - 1;
    if (isLast && tier.up_to !== null) {
      throw invalidRequest(
        'The last tier must have `up_to=inf`, so that every quantity falls in a tier.',
        `${path}[${index}][up_to]`,
      );
    }
    if (isLast || tier.up_to === null) {
      if (!isLast) {
        throw invalidRequest(
          'Only the last tier can have `up_to=inf`.',
          `${path}[${index}][up_to]`,
        );
      }
      continue;
    }
    if (tier.up_to <= previous) {
      throw invalidRequest(
        'The tiers must be sorted by `up_to` in strictly increasing order.',
        `${path}[${index}][up_to]`,
      );
    }
    previous = tier.up_to;
  }
}

/**
 * Stripe's rules between the pricing parameters: the amount a per-unit price
 * needs, what a tiered price needs (recurring, `tiers_mode`, ordered tiers
 * ending with `inf`, no `transform_quantity`), and meters for metered prices.
 */
export function checkPricing(pricing: Pricing, params: Params): void {
  const recurring = pricing.recurring;
  if (recurring?.usage_type === 'metered' && recurring.meter === null) {
    throw invalidRequest(
      'Starting with Stripe version `2025-03-31.basil`, metered prices must be backed by meters.',
    );
  }
  if (recurring !== null && recurring.meter !== null && recurring.usage_type !== 'metered') {
    throw invalidRequest(
      'A meter can only be set on a price with `recurring[usage_type]=metered`.',
      `${params.path('recurring')}[meter]`,
    );
  }
  if (pricing.billingScheme === 'per_unit') {
    if (pricing.tiers !== undefined || pricing.tiersMode !== undefined) {
      throw invalidRequest(
        '`tiers` and `tiers_mode` can only be set on a price with `billing_scheme=tiered`.',
        params.path(pricing.tiers === undefined ? 'tiers_mode' : 'tiers'),
      );
    }
    if (pricing.unitAmount === undefined) {
      throw invalidRequest(
        'Prices require an `unit_amount` or `unit_amount_decimal` parameter to be set.',
      );
    }
    return;
  }
  if (recurring === null) {
    throw invalidRequest(
      'Prices with `type=one_time` are not supported with tiered billing.',
      'interval',
    );
  }
  if (pricing.unitAmount !== undefined) {
    throw invalidRequest(
      'A price with `billing_scheme=tiered` takes its amounts from `tiers`, not from `unit_amount` or `unit_amount_decimal`.',
      params.path('unit_amount'),
    );
  }
  if (pricing.tiersMode === undefined) throw parameterMissing(params.path('tiers_mode'));
  if (pricing.tiers === undefined) throw parameterMissing(params.path('tiers'));
  if (pricing.transformQuantity !== null) {
    throw invalidRequest(
      'You may only specify one of these parameters: tiers, transform_quantity.',
      params.path('tiers'),
    );
  }
  checkTiers(pricing.tiers, params);
}

/**
 * Reads an inline price hash (`price_data`, `default_price_data`): currency,
 * `unit_amount` or `unit_amount_decimal`, `recurring[interval,
 * interval_count]` as `recurring` allows, and `tax_behavior`. Always per
 * unit, as Stripe's inline prices are.
 */
export function readInlinePricing(params: Params, recurring: RecurringRule): Pricing {
  const currency = readCurrency(params);
  const unitAmount = readAmount(params, 'unit_amount', 'unit_amount_decimal');
  const recurringParams = recurring === 'forbidden' ? undefined : params.object('recurring');
  const taxBehavior = params.oneOf('tax_behavior', TAX_BEHAVIORS) ?? 'unspecified';
  if (recurring === 'required' && recurringParams === undefined) {
    throw parameterMissing(params.path('recurring'));
  }
  if (unitAmount === undefined) {
    throw invalidRequest(
      'Prices require an `unit_amount` or `unit_amount_decimal` parameter to be set.',
      params.path('unit_amount'),
    );
  }
  const pricing: Pricing = {
    currency,
    billingScheme: 'per_unit',
    unitAmount,
    tiers: undefined,
    tiersMode: undefined,
    recurring: recurringParams === undefined ? null : readRecurring(recurringParams, false),
    transformQuantity: null,
    taxBehavior,
  };
  checkPricing(pricing, params);
  return pricing;
}

/** A new price object of `product` from a checked draft. */
export function buildPrice(draft: PriceDraft, product: string, created: number): Stripe.Price {
  const price: Stripe.Price = {
    id: newId('price'),
    object: 'price',
    active: draft.active,
    billing_scheme: draft.billingScheme,
    created,
    currency: draft.currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: draft.lookupKey,
    metadata: draft.metadata,
    nickname: draft.nickname,
    product,
    recurring: draft.recurring,
    tax_behavior: draft.taxBehavior,
    tiers_mode: draft.tiersMode ?? null,
    transform_quantity: draft.transformQuantity,
    type: draft.recurring === null ? 'one_time' : 'recurring',
    unit_amount: draft.unitAmount?.integer ?? null,
    unit_amount_decimal: draft.unitAmount?.decimal ?? null,
  };
  // Stripe returns `tiers` only when expanded; the sandbox always includes them.
  if (draft.tiers !== undefined) price.tiers = draft.tiers;
  return price;
}
