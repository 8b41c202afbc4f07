import type { ListV1, ProductResourceV1 } from '@aegis/contracts';
import { formatFields, formatTable } from '../output/table.js';
import { describePrices, summarizePricing } from '../pricing/pricing-output.js';

/** Sorted by key: the order of a JSON object's keys is no one's promise (jsonb reorders them). */
function metadataOf(product: ProductResourceV1): string {
  const pairs = Object.entries(product.metadata)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`);
  return pairs.length === 0 ? '-' : pairs.join(', ');
}

function typeOf(product: ProductResourceV1): string {
  return product.pricing_type === 'outcome'
    ? 'outcome (a one-time charge per deliverable)'
    : 'usage (per unit of metered usage)';
}

function aggregationOf(product: ProductResourceV1): string {
  if (product.aggregation === null) return '-';
  return product.aggregation_field === null
    ? product.aggregation
    : `${product.aggregation} of ${product.aggregation_field}`;
}

function statusOf(product: ProductResourceV1): string {
  return product.archived ? 'archived' : 'active';
}

/** What `aegis products show` prints: the product and the pricing in force. */
export function formatProduct(product: ProductResourceV1): string[] {
  const { pricing } = product;
  return formatFields([
    ['id', product.id],
    ['name', product.name],
    ['description', product.description ?? '-'],
    ['type', typeOf(product)],
    ['currency', product.currency],
    ['unit label', product.unit_label ?? '-'],
    ...(product.pricing_type === 'usage' ? [['aggregation', aggregationOf(product)] as const] : []),
    ['metadata', metadataOf(product)],
    ['status', product.archived ? `archived at ${product.archived_at ?? '?'}` : 'active'],
    ['stripe product', product.stripe_product_id ?? '-'],
    ['created', product.created_at],
    ['updated', product.updated_at],
    [
      'pricing',
      `version ${pricing.version}, ${pricing.model}: ${describePrices(pricing)} (in minor units, from ${pricing.effective_from})`,
    ],
  ]);
}

export function formatCreatedProduct(product: ProductResourceV1): string[] {
  return [`created product ${product.id}`, ...formatProduct(product)];
}

export function formatArchivedProduct(product: ProductResourceV1): string[] {
  return [
    `archived product ${product.id} at ${product.archived_at ?? 'now'}: no new quotes, checkouts or invoice lines`,
  ];
}

export function formatProductList(list: ListV1<ProductResourceV1>): string[] {
  if (list.data.length === 0) return ['no products'];
  return formatTable(
    ['ID', 'NAME', 'TYPE', 'CURRENCY', 'PRICING', 'STATUS', 'CREATED'],
    list.data.map((product) => [
      product.id,
      product.name,
      product.pricing_type,
      product.currency,
      summarizePricing(product.pricing),
      statusOf(product),
      product.created_at,
    ]),
  );
}
