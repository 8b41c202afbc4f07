import type {
  PricingVersionResourceV1,
  ProductResourceV1,
  QuoteResourceV1,
} from '@aegis/contracts';

/** The seed's api_call at 10 cents a call, as the gateway answers it. */
export const perUnitVersion: PricingVersionResourceV1 = {
  id: 'pv_1',
  version: 1,
  model: 'per_unit',
  unit_amount_decimal: '10',
  tiers: null,
  package: null,
  effective_from: '2026-11-01T10:00:00.000Z',
  stripe_price_id: 'price_1',
  created_at: '2026-11-01T10:00:00.000Z',
};

/** The seed's graduated tiers: up to 1000 at 10, up to 10000 at 8, then 5. */
export const graduatedVersion: PricingVersionResourceV1 = {
  id: 'pv_2',
  version: 2,
  model: 'graduated',
  unit_amount_decimal: null,
  tiers: [
    { up_to: 1000, unit_amount_decimal: '10', flat_amount_cents: 0 },
    { up_to: 10000, unit_amount_decimal: '8', flat_amount_cents: 0 },
    { up_to: null, unit_amount_decimal: '5', flat_amount_cents: 0 },
  ],
  package: null,
  effective_from: '2026-11-02T00:00:00.000Z',
  stripe_price_id: 'price_2',
  created_at: '2026-11-01T12:00:00.000Z',
};

export const apiCall: ProductResourceV1 = {
  id: 'api_call',
  name: 'API call',
  description: null,
  pricing_type: 'usage',
  currency: 'usd',
  unit_label: 'call',
  aggregation: 'sum',
  aggregation_field: null,
  metadata: {},
  stripe_product_id: 'prod_1',
  archived: false,
  archived_at: null,
  created_at: '2026-11-01T10:00:00.000Z',
  updated_at: '2026-11-01T10:00:00.000Z',
  pricing: perUnitVersion,
};

export const geointReport: ProductResourceV1 = {
  ...apiCall,
  id: 'geoint_report',
  name: 'GEOINT report',
  description: 'one analysed area',
  pricing_type: 'outcome',
  unit_label: null,
  aggregation: null,
  metadata: { delivery_time: '48h', format: 'pdf' },
  stripe_product_id: 'prod_2',
  pricing: { ...perUnitVersion, id: 'pv_9', unit_amount_decimal: '99900' },
};

/** The seed's 5000 calls on the graduated tiers: 42000. */
export const graduatedQuote: QuoteResourceV1 = {
  product_id: 'api_call',
  amount_cents: 42000,
  quantity: 5000,
  unit_price: '8.4',
  subtotal_cents: 42000,
  discount_applied: 0,
  currency: 'usd',
  tiers: [
    { up_to: 1000, quantity: 1000, amount_cents: 10000 },
    { up_to: 10000, quantity: 4000, amount_cents: 32000 },
    { up_to: null, quantity: 0, amount_cents: 0 },
  ],
  pricing_version_id: 'pv_2',
};
