import Stripe from 'stripe';
import type { PricingModel } from '../pricing/pricing-model.js';

/**
 * The catalogue as Stripe objects: a product's Stripe Product and each
 * pricing version's Stripe Price, which bills the same arithmetic as the
 * pricing engine (docs/catalog.md, "In Stripe").
 */

export interface StripeProductFields {
  readonly name: string;
  readonly description: string | null;
  readonly unitLabel: string | null;
  readonly metadata: Readonly<Record<string, string>>;
}

/** A new Stripe Product's parameters (the provider adds `aegis_product_id`). */
export function stripeProductParamsOf(product: StripeProductFields): {
  name: string;
  description?: string;
  unit_label?: string;
  metadata: Record<string, string>;
} {
  return {
    name: product.name,
    ...(product.description === null ? {} : { description: product.description }),
    ...(product.unitLabel === null ? {} : { unit_label: product.unitLabel }),
    metadata: { ...product.metadata },
  };
}

/**
 * What to send Stripe to turn `before` into `after`: the fields that changed,
 * an emptied text as `''` (Stripe's "unset"), and the metadata in full with
 * `''` for each key `after` no longer has, since Stripe merges metadata.
 */
export function stripeProductChangeOf(
  before: StripeProductFields,
  after: StripeProductFields,
): { name?: string; description?: string; unit_label?: string; metadata: Record<string, string> } {
  const removed = Object.keys(before.metadata).filter((key) => !Object.hasOwn(after.metadata, key));
  return {
    ...(after.name === before.name ? {} : { name: after.name }),
    ...(after.description === before.description ? {} : { description: after.description ?? '' }),
    ...(after.unitLabel === before.unitLabel ? {} : { unit_label: after.unitLabel ?? '' }),
    metadata: { ...Object.fromEntries(removed.map((key) => [key, ''])), ...after.metadata },
  };
}

/**
 * The Stripe Price of a pricing version of a product priced in `currency`:
 * per unit at `unit_amount_decimal`; a package as `unit_amount` per package
 * with `transform_quantity` dividing the quantity by the package size and
 * rounding as the package does; graduated and volume tiers as
 * `billing_scheme=tiered` with their `tiers_mode`, each tier's `up_to`
 * (`inf` when open-ended), `unit_amount_decimal` and `flat_amount`.
 *
 * Stripe refuses tiered one-time prices (`Prices with type=one_time are not
 * supported with tiered billing`), so tiered versions are recurring, monthly
 * and licensed (billed on the quantity given, as a quote is); the others are
 * one-time prices.
 */
export function stripePriceParamsOf(
  pricing: PricingModel,
  currency: string,
  stripeProductId: string,
): Omit<Stripe.PriceCreateParams, 'metadata'> {
  const base = { currency, product: stripeProductId };
  switch (pricing.model) {
    case 'per_unit':
      return { ...base, unit_amount_decimal: Stripe.Decimal.from(pricing.unitAmountDecimal) };
    case 'package':
      return {
        ...base,
        unit_amount: pricing.packageAmount,
        transform_quantity: { divide_by: pricing.packageSize, round: pricing.round },
      };
    case 'graduated':
    case 'volume':
      return {
        ...base,
        billing_scheme: 'tiered',
        tiers_mode: pricing.model,
        recurring: { interval: 'month', usage_type: 'licensed' },
        tiers: pricing.tiers.map((tier) => ({
          up_to: tier.upTo ?? 'inf',
          unit_amount_decimal: Stripe.Decimal.from(tier.unitAmountDecimal),
          flat_amount: tier.flatAmount,
        })),
      };
  }
}
