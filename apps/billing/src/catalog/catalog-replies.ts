import type { CatalogProductV1, DiscountV1, PricingVersionV1, ProductV1 } from '@aegis/contracts';
import { pricingModelV1Of } from './catalog-input.js';
import type { CustomerDiscount } from './entities/customer-discount.entity.js';
import type { PricingVersion } from './entities/pricing-version.entity.js';
import type { Product } from './entities/product.entity.js';

/** The catalogue's rows in the contracts' shapes. */

export function pricingVersionV1Of(row: PricingVersion): PricingVersionV1 {
  return {
    id: row.id,
    version: row.version,
    pricing: pricingModelV1Of(row.pricing),
    effectiveFrom: row.effectiveFrom.toISOString(),
    stripePriceId: row.stripePriceId,
    createdAt: row.createdAt.toISOString(),
  };
}

export function productV1Of(row: Product, currentPricing: PricingVersion): ProductV1 {
  return {
    productId: row.productId,
    name: row.name,
    description: row.description,
    pricingType: row.pricingType,
    currency: row.currency,
    unitLabel: row.unitLabel,
    aggregation: row.aggregation,
    aggregationField: row.aggregationField,
    metadata: { ...row.metadata },
    stripeProductId: row.stripeProductId,
    archivedAt: row.archivedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    currentPricing: pricingVersionV1Of(currentPricing),
  };
}

/** What other services keep of a product (`catalog.product.*.v1`). */
export function catalogProductOf(row: Product): CatalogProductV1 {
  return {
    productId: row.productId,
    pricingType: row.pricingType,
    currency: row.currency,
    unitLabel: row.unitLabel,
    aggregation: row.aggregation,
    aggregationField: row.aggregationField,
    archived: row.archivedAt !== null,
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function discountV1Of(row: CustomerDiscount): DiscountV1 {
  return {
    customerId: row.customerId,
    productId: row.productId,
    percentOff: row.percentOff,
    amountOff: row.amountOff,
    startsAt: row.startsAt?.toISOString() ?? null,
    endsAt: row.endsAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}
