import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  IDEMPOTENT_REPLAYED_HEADER,
  PUBLIC_API_PATHS,
  type AuditLogEntryV1,
  type DiscountResourceV1,
  type ListV1,
  type PricingVersionResourceV1,
  type ProblemV1,
  type ProductResourceV1,
  type QuoteResourceV1,
} from '@aegis/contracts';
import { GatewayHarness } from './gateway-harness.js';

let harness: GatewayHarness;
const run = Date.now().toString(36);
const apiCall = `api_call_${run}`;
const report = `geoint_report_${run}`;

beforeAll(async () => {
  harness = await GatewayHarness.start({ replicas: 1 });
});

afterAll(async () => {
  await harness.stop();
});

const quote = (body: Record<string, unknown>, key?: string) =>
  harness.request<QuoteResourceV1>('POST', PUBLIC_API_PATHS.quote, {
    body,
    ...(key === undefined ? {} : { key }),
  });

describe('the catalogue through the gateway', () => {
  it('creates the seed’s products, in Stripe too, and lists them', async () => {
    const usage = await harness.request<ProductResourceV1>('POST', PUBLIC_API_PATHS.products, {
      body: {
        id: apiCall,
        name: 'API call',
        pricing_type: 'usage',
        base_price_cents: 10,
        currency: 'usd',
        unit_label: 'call',
      },
    });
    expect(usage.status).toBe(201);
    expect(usage.body).toMatchObject({
      id: apiCall,
      pricing_type: 'usage',
      aggregation: 'sum',
      archived: false,
      pricing: { model: 'per_unit', unit_amount_decimal: '10' },
    });
    expect(usage.body.stripe_product_id).toMatch(/^prod_/);
    expect(usage.body.pricing.stripe_price_id).toMatch(/^price_/);
    const outcome = await harness.request<ProductResourceV1>('POST', PUBLIC_API_PATHS.products, {
      body: {
        id: report,
        name: 'GEOINT report',
        pricing_type: 'outcome',
        base_price_cents: 99_900,
        currency: 'usd',
        metadata: { delivery_time: '24h', format: 'pdf' },
      },
    });
    expect(outcome.status).toBe(201);
    expect(outcome.body.metadata).toEqual({ delivery_time: '24h', format: 'pdf' });
    const stripeProduct = await harness.stripe.products.retrieve(
      outcome.body.stripe_product_id ?? '',
    );
    expect(stripeProduct.metadata.aegis_product_id).toBe(report);
    const listed = await harness.request<ListV1<ProductResourceV1>>(
      'GET',
      `${PUBLIC_API_PATHS.products}?limit=100`,
    );
    expect(listed.body.data.map((product) => product.id)).toEqual(
      expect.arrayContaining([apiCall, report]),
    );
    const again = await harness.request<ProblemV1>('POST', PUBLIC_API_PATHS.products, {
      body: {
        id: apiCall,
        name: 'Again',
        pricing_type: 'usage',
        base_price_cents: 1,
        currency: 'usd',
      },
    });
    expect(again.status).toBe(409);
  });

  it('refuses bad products and pricing naming each field, and writes nothing', async () => {
    const both = await harness.request<ProblemV1>('POST', PUBLIC_API_PATHS.products, {
      body: {
        id: `both_${run}`,
        name: 'x',
        pricing_type: 'usage',
        base_price_cents: 1,
        unit_amount_decimal: '1',
        currency: 'usd',
      },
    });
    expect(both.status).toBe(400);
    expect(both.body.errors?.map((error) => error.field)).toEqual(['base_price_cents']);
    const bad = await harness.request<ProblemV1>('POST', PUBLIC_API_PATHS.products, {
      body: {
        id: 'has space',
        name: '',
        pricing_type: 'rental',
        unit_amount_decimal: '-1',
        currency: 'USD',
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.map((error) => error.field).sort()).toEqual(
      ['currency', 'id', 'name', 'pricing_type', 'unit_amount_decimal'].sort(),
    );
    const missing = await harness.request('GET', PUBLIC_API_PATHS.product(`both_${run}`));
    expect(missing.status).toBe(404);
    const descending = await harness.request<ProblemV1>(
      'PUT',
      PUBLIC_API_PATHS.productPricing(apiCall),
      {
        body: {
          model: 'graduated',
          tiers: [
            { up_to: 1000, price_cents: 10 },
            { up_to: 500, price_cents: 8 },
            { up_to: null, price_cents: 5 },
          ],
        },
      },
    );
    expect(descending.status).toBe(400);
    expect(descending.body.errors?.map((error) => error.field)).toContain('tiers[1].up_to');
    const unknownModel = await harness.request<ProblemV1>(
      'PUT',
      PUBLIC_API_PATHS.productPricing(apiCall),
      {
        body: { model: 'auction' },
      },
    );
    expect(unknownModel.status).toBe(400);
    expect(unknownModel.body.errors?.map((error) => error.field)).toEqual(['model']);
    const versions = await harness.request<ListV1<PricingVersionResourceV1>>(
      'GET',
      PUBLIC_API_PATHS.productPricing(apiCall),
    );
    expect(versions.body.data).toHaveLength(1);
  });

  it('answers the seed’s three examples exactly', async () => {
    const perUnit = await quote({ product_id: apiCall, quantity: 1000 });
    expect(perUnit.status).toBe(200);
    expect(perUnit.body).toMatchObject({
      amount_cents: 10_000,
      subtotal_cents: 10_000,
      discount_applied: 0,
      currency: 'usd',
    });

    const customer = await harness.createCustomer();
    const discount = await harness.request<DiscountResourceV1>(
      'PUT',
      PUBLIC_API_PATHS.customerDiscount(customer.id),
      {
        body: { percent_off: 20 },
      },
    );
    expect(discount.status).toBe(200);
    expect(discount.body).toMatchObject({
      customer_id: customer.id,
      percent_off: '20',
      product_id: null,
    });
    const discounted = await quote({
      product_id: apiCall,
      quantity: 1000,
      customer_id: customer.id,
    });
    expect(discounted.body).toMatchObject({
      amount_cents: 8_000,
      subtotal_cents: 10_000,
      discount_applied: 2_000,
    });

    const tiered = await harness.request<PricingVersionResourceV1>(
      'PUT',
      PUBLIC_API_PATHS.productPricing(apiCall),
      {
        body: {
          model: 'graduated',
          tiers: [
            { up_to: 1000, price_cents: 10 },
            { up_to: 10_000, price_cents: 8 },
            { up_to: null, price_cents: 5 },
          ],
        },
      },
    );
    expect(tiered.status).toBe(201);
    expect(tiered.body).toMatchObject({ version: 2, model: 'graduated' });
    const graduated = await quote({ product_id: apiCall, quantity: 5000 });
    expect(graduated.body).toMatchObject({ amount_cents: 42_000, quantity: 5000 });
    expect(graduated.body.tiers).toEqual([
      { up_to: 1000, quantity: 1000, amount_cents: 10_000 },
      { up_to: 10_000, quantity: 4000, amount_cents: 32_000 },
    ]);
    const earlier = await quote({
      product_id: apiCall,
      quantity: 5000,
      at: new Date(Date.now() - 60 * 60_000).toISOString(),
    });
    expect(earlier.body.amount_cents).toBe(50_000);

    const cleared = await harness.request<{ cleared: boolean }>(
      'DELETE',
      PUBLIC_API_PATHS.customerDiscount(customer.id),
    );
    expect(cleared.body).toEqual({ cleared: true });
    expect(
      (await quote({ product_id: apiCall, quantity: 1000, customer_id: customer.id })).body
        .discount_applied,
    ).toBe(0);
  });

  it('makes one pricing version of a PUT sent twice under one Idempotency-Key', async () => {
    const before = await harness.request<ListV1<PricingVersionResourceV1>>(
      'GET',
      PUBLIC_API_PATHS.productPricing(apiCall),
    );
    const put = () =>
      harness.request<PricingVersionResourceV1>('PUT', PUBLIC_API_PATHS.productPricing(apiCall), {
        body: { model: 'per_unit', price_cents: 9 },
        headers: { 'idempotency-key': `pricing-${run}` },
      });
    const first = await put();
    const again = await put();
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get(IDEMPOTENT_REPLAYED_HEADER)).toBe('true');
    expect(again.body).toEqual(first.body);
    const after = await harness.request<ListV1<PricingVersionResourceV1>>(
      'GET',
      PUBLIC_API_PATHS.productPricing(apiCall),
    );
    expect(after.body.data).toHaveLength(before.body.data.length + 1);
    expect((await quote({ product_id: apiCall, quantity: 1000 })).body.amount_cents).toBe(9_000);
  });

  it('lets a customer key read and quote for its own customer only', async () => {
    const customer = await harness.createCustomer();
    const other = await harness.createCustomer();
    const key = await harness.createKey(customer.id);
    expect(
      (await harness.request('GET', PUBLIC_API_PATHS.product(apiCall), { key: key.key })).status,
    ).toBe(200);
    expect((await quote({ product_id: apiCall, quantity: 10 }, key.key)).status).toBe(200);
    expect(
      (await quote({ product_id: apiCall, quantity: 10, customer_id: other.id }, key.key)).status,
    ).toBe(404);
    const create = await harness.request('POST', PUBLIC_API_PATHS.products, {
      key: key.key,
      body: {
        id: `mine_${run}`,
        name: 'x',
        pricing_type: 'usage',
        base_price_cents: 1,
        currency: 'usd',
      },
    });
    expect(create.status).toBe(403);
  });

  it('archives: no more quotes; unknown products are 404; every change is in the audit log', async () => {
    const archived = await harness.request<ProductResourceV1>(
      'POST',
      PUBLIC_API_PATHS.archiveProduct(report),
    );
    expect(archived.status).toBe(200);
    expect(archived.body.archived).toBe(true);
    expect((await quote({ product_id: report, quantity: 1 })).status).toBe(409);
    expect((await quote({ product_id: `never_${run}`, quantity: 1 })).status).toBe(404);
    const log = await harness.request<ListV1<AuditLogEntryV1>>(
      'GET',
      `${PUBLIC_API_PATHS.auditLog}?limit=100`,
    );
    const actions = log.body.data.map((entry) => entry.action);
    for (const action of [
      'product.create',
      'pricing.set',
      'discount.set',
      'discount.clear',
      'product.archive',
    ])
      expect(actions).toContain(action);
  });
});
