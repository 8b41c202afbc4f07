import type {
  ListV1,
  PricingTierResourceV1,
  PricingVersionResourceV1,
  ProductResourceV1,
} from '@aegis/contracts';
import { formatFields, formatTable } from '../output/table.js';

/** `1-1000 at 10, 1001-10000 at 8, 10001+ at 5` (a tier's flat amount after its price). */
export function describeTiers(tiers: readonly PricingTierResourceV1[]): string {
  let from = 1;
  return tiers
    .map((tier) => {
      const range = tier.up_to === null ? `${from}+` : `${from}-${tier.up_to}`;
      if (tier.up_to !== null) from = tier.up_to + 1;
      const flat = tier.flat_amount_cents === 0 ? '' : ` + ${tier.flat_amount_cents} flat`;
      return `${range} at ${tier.unit_amount_decimal}${flat}`;
    })
    .join(', ');
}

/** What a version charges, in minor units: `10 per unit`, its tiers, or its package. */
export function describePrices(version: PricingVersionResourceV1): string {
  switch (version.model) {
    case 'per_unit':
      return `${version.unit_amount_decimal ?? '?'} per unit`;
    case 'graduated':
    case 'volume':
      return describeTiers(version.tiers ?? []);
    case 'package': {
      const {
        size,
        price_cents: price,
        round,
      } = version.package ?? {
        size: 1,
        price_cents: 0,
        round: 'up',
      };
      return `${price} per ${size} ${size === 1 ? 'unit' : 'units'}, rounded ${round}`;
    }
  }
}

/** The model and what it charges, short enough for a table's cell. */
export function summarizePricing(version: PricingVersionResourceV1): string {
  switch (version.model) {
    case 'per_unit':
    case 'package':
      return describePrices(version);
    case 'graduated':
    case 'volume': {
      const count = version.tiers?.length ?? 0;
      return `${version.model}, ${count} ${count === 1 ? 'tier' : 'tiers'}`;
    }
  }
}

function modelOf(version: PricingVersionResourceV1): string {
  switch (version.model) {
    case 'per_unit':
      return 'per_unit';
    case 'graduated':
      return 'graduated (each tier’s units at its price)';
    case 'volume':
      return 'volume (every unit at the tier the total falls in)';
    case 'package':
      return 'package';
  }
}

function versionFields(version: PricingVersionResourceV1): (readonly [string, string])[] {
  return [
    ['version', `${version.version} (${version.id})`],
    ['model', modelOf(version)],
    ['prices', describePrices(version)],
    ['effective from', version.effective_from],
    ['stripe price', version.stripe_price_id ?? '-'],
    ['created', version.created_at],
  ];
}

/** `aegis pricing set`: the new version. */
export function formatNewPricingVersion(
  productId: string,
  version: PricingVersionResourceV1,
): string[] {
  return [
    `new pricing version ${version.version} of ${productId}, in force from ${version.effective_from}`,
    ...formatFields(versionFields(version)),
  ];
}

/** in force, scheduled (after the one in force) or superseded (before it). */
export function statusOfVersion(
  version: PricingVersionResourceV1,
  inForce: PricingVersionResourceV1,
): string {
  if (version.id === inForce.id) return 'in force';
  return Date.parse(version.effective_from) > Date.parse(inForce.effective_from)
    ? 'scheduled'
    : 'superseded';
}

/** `aegis pricing show`: every version, oldest first, the one in force marked. */
export function formatPricingVersions(
  product: ProductResourceV1,
  versions: ListV1<PricingVersionResourceV1>,
): string[] {
  return [
    `pricing of ${product.id}, in ${product.currency} minor units (cents), oldest first:`,
    ...formatTable(
      ['VERSION', 'ID', 'MODEL', 'PRICES', 'EFFECTIVE FROM', 'STATUS', 'STRIPE PRICE'],
      versions.data.map((version) => [
        String(version.version),
        version.id,
        version.model,
        describePrices(version),
        version.effective_from,
        statusOfVersion(version, product.pricing),
        version.stripe_price_id ?? '-',
      ]),
    ),
  ];
}
