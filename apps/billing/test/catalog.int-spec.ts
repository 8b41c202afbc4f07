import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BILLING_CUSTOMER_GET_OR_CREATE_V1,
  BILLING_DISCOUNT_CLEAR_V1,
  BILLING_DISCOUNT_SET_V1,
  BILLING_PRICING_LIST_V1,
  BILLING_PRICING_SET_V1,
  BILLING_PRODUCT_ARCHIVE_V1,
  BILLING_PRODUCT_CREATE_V1,
  BILLING_PRODUCT_GET_V1,
  BILLING_PRODUCT_LIST_V1,
  BILLING_PRODUCT_UPDATE_V1,
  BILLING_QUOTE_V1,
  CATALOG_PRODUCT_CREATED_V1,
  CATALOG_PRODUCT_UPDATED_V1,
  PAGE_CURSOR_ERROR_CODES,
  type CatalogProductV1,
  type CreateProductRequestV1,
  type Envelope,
  type ListProductsRequestV1,
  type PricingModelV1,
  type QuoteRequestV1,
  type SetDiscountRequestV1,
} from '@aegis/contracts';
import { RpcRemoteError, topologyNames } from '@aegis/messaging';
import {
  baseAmqpUrl,
  defined,
  deleteServiceTopologies,
  listenForEvents,
  rejectionOf,
  startServiceProcess,
  waitFor,
  type ServiceProcess,
} from '@aegis/testing';
import { connect, type ChannelModel } from 'amqplib';
import type Stripe from 'stripe';
import { BillingHarness } from './billing-harness.js';

const HOUR_MS = 3_600_000;
const SEED_TIERS: PricingModelV1 = {
  model: 'graduated',
  tiers: [
    { upTo: 1000, unitAmountDecimal: '10', flatAmount: 0 },
    { upTo: 10_000, unitAmountDecimal: '8', flatAmount: 0 },
    { upTo: null, unitAmountDecimal: '5', flatAmount: 0 },
  ],
};

describe('billing’s catalogue: products, pricing versions, discounts and quotes', () => {
  let harness: BillingHarness;
  let stripe: Stripe;
  let metering: ServiceProcess;
  let listener: ChannelModel;
  const catalogEvents: Envelope<string, CatalogProductV1>[] = [];

  const create = (request: Partial<CreateProductRequestV1> & { productId: string }) =>
    harness.rpc.call(BILLING_PRODUCT_CREATE_V1, {
      name: `Product ${request.productId}`,
      pricingType: 'usage',
      currency: 'usd',
      unitAmountDecimal: '10',
      ...request,
    });
  const get = (productId: string) => harness.rpc.call(BILLING_PRODUCT_GET_V1, { productId });
  const list = (request: Partial<ListProductsRequestV1>) =>
    harness.rpc.call(BILLING_PRODUCT_LIST_V1, { limit: 100, ...request });
  const setPricing = (productId: string, pricing: PricingModelV1, effectiveFrom?: Date) =>
    harness.rpc.call(BILLING_PRICING_SET_V1, {
      productId,
      pricing,
      ...(effectiveFrom === undefined ? {} : { effectiveFrom: effectiveFrom.toISOString() }),
    });
  const quote = (request: QuoteRequestV1) => harness.rpc.call(BILLING_QUOTE_V1, request);
  const setDiscount = (request: SetDiscountRequestV1) =>
    harness.rpc.call(BILLING_DISCOUNT_SET_V1, request);
  const registerCustomer = async (customerId: string): Promise<string> =>
    (await harness.rpc.call(BILLING_CUSTOMER_GET_OR_CREATE_V1, { customerId })).customer
      .stripeCustomerId;

  const refusalOf = async (promise: Promise<unknown>) => {
    const error = await rejectionOf(promise, RpcRemoteError);
    return {
      status: error.status,
      code: error.code,
      fields: error.fields.map((fault) => fault.field),
    };
  };

  const eventsOf = (productId: string) =>
    catalogEvents.filter((event) => event.data.productId === productId);

  const meterOf = (productId: string) =>
    harness.dataSource.query<Record<string, unknown>[]>(
      `SELECT "pricing_type", "currency", "unit_label", "aggregation", "aggregation_field",
              "archived", "updated_at" FROM "metering"."meters" WHERE "product_id" = $1`,
      [productId],
    );

  /** Waits until metering's copy of the product holds its change of `updatedAt`. */
  const meterAt = async (productId: string, updatedAt: string) => {
    const [row] = await waitFor(
      () => meterOf(productId),
      (rows) =>
        rows.length === 1 && (rows[0]?.updated_at as Date | undefined)?.toISOString() === updatedAt,
      { what: `metering's meter of ${productId} at ${updatedAt}` },
    );
    return defined(row, 'the meter');
  };

  const stripeProductsOf = async (productId: string): Promise<Stripe.Product[]> =>
    (await stripe.products.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 })).filter(
      (product) => product.metadata.aegis_product_id === productId,
    );

  const rowCount = async (table: string, productId: string): Promise<number> => {
    const [row] = await harness.dataSource.query<{ n: string }[]>(
      `SELECT count(*) AS n FROM "billing"."${table}" WHERE "product_id" = $1`,
      [productId],
    );
    return Number(row?.n);
  };

  beforeAll(async () => {
    harness = await BillingHarness.start();
    stripe = harness.stripe;
    // metering as npm start runs it, on the same database and broker prefix (set by the harness).
    metering = await startServiceProcess('metering', {});
    listener = await connect(baseAmqpUrl());
    await listenForEvents(
      await listener.createChannel(),
      harness.names.eventsExchange,
      [CATALOG_PRODUCT_CREATED_V1, CATALOG_PRODUCT_UPDATED_V1],
      (envelope) => catalogEvents.push(envelope as Envelope<string, CatalogProductV1>),
    );
  });

  afterAll(async () => {
    await listener.close();
    await metering.stop();
    const prefix = defined(process.env.MESSAGING_PREFIX, 'the test prefix');
    await harness.stop();
    await deleteServiceTopologies(baseAmqpUrl(), [topologyNames(prefix, 'metering', [100, 500])]);
  });

  describe('products', () => {
    it('creates a usage product with a Stripe Product and a per-unit Stripe Price that name it, and announces it', async () => {
      const { product } = await create({
        productId: 'api_call',
        name: 'API call',
        unitLabel: 'call',
        metadata: { tier: 'standard' },
      });
      expect(product).toEqual({
        productId: 'api_call',
        name: 'API call',
        description: null,
        pricingType: 'usage',
        currency: 'usd',
        unitLabel: 'call',
        aggregation: 'sum',
        aggregationField: null,
        metadata: { tier: 'standard' },
        stripeProductId: expect.stringMatching(/^prod_/),
        archivedAt: null,
        createdAt: expect.any(String),
        updatedAt: product.createdAt,
        currentPricing: {
          id: expect.stringMatching(/^pv_/),
          version: 1,
          pricing: { model: 'per_unit', unitAmountDecimal: '10' },
          effectiveFrom: '1970-01-01T00:00:00.000Z',
          stripePriceId: expect.stringMatching(/^price_/),
          createdAt: expect.any(String),
        },
      });
      const stripeProduct = await stripe.products.retrieve(defined(product.stripeProductId, 'id'));
      expect(stripeProduct).toMatchObject({
        name: 'API call',
        unit_label: 'call',
        active: true,
        metadata: { tier: 'standard', aegis_product_id: 'api_call' },
      });
      const price = await stripe.prices.retrieve(
        defined(product.currentPricing.stripePriceId, 'price id'),
      );
      expect(price).toMatchObject({
        product: stripeProduct.id,
        currency: 'usd',
        type: 'one_time',
        billing_scheme: 'per_unit',
        metadata: { aegis_pricing_version_id: product.currentPricing.id },
      });
      expect(String(price.unit_amount_decimal)).toBe('10');
      await waitFor(
        () => Promise.resolve(eventsOf('api_call')),
        (events) => events.length === 1,
        { what: 'catalog.product.created.v1' },
      );
      expect(eventsOf('api_call')[0]).toMatchObject({
        type: CATALOG_PRODUCT_CREATED_V1,
        data: {
          productId: 'api_call',
          pricingType: 'usage',
          currency: 'usd',
          unitLabel: 'call',
          aggregation: 'sum',
          aggregationField: null,
          archived: false,
          updatedAt: product.updatedAt,
        },
      });
      expect(await meterAt('api_call', product.updatedAt)).toMatchObject({
        pricing_type: 'usage',
        currency: 'usd',
        unit_label: 'call',
        aggregation: 'sum',
        aggregation_field: null,
        archived: false,
      });
    });

    it('creates an outcome product unmetered, and a unique_count product with its field', async () => {
      const { product: report } = await create({
        productId: 'geoint_report',
        pricingType: 'outcome',
        unitAmountDecimal: '99900',
        description: 'A geospatial intelligence report',
        metadata: { delivery_time: '48h', format: 'pdf' },
      });
      expect(report).toMatchObject({ aggregation: null, aggregationField: null });
      const { product: seats } = await create({
        productId: 'active_users',
        aggregation: 'unique_count',
        aggregationField: 'user_id',
      });
      expect(seats).toMatchObject({ aggregation: 'unique_count', aggregationField: 'user_id' });
      expect(await meterAt('active_users', seats.updatedAt)).toMatchObject({
        aggregation: 'unique_count',
        aggregation_field: 'user_id',
      });
      expect(await meterAt('geoint_report', report.updatedAt)).toMatchObject({
        pricing_type: 'outcome',
        aggregation: null,
      });
    });

    it('refuses the same id again with product_id_taken (409), however many calls race for it', async () => {
      const again = await refusalOf(create({ productId: 'api_call', name: 'Another' }));
      expect(again).toEqual({ status: 409, code: 'product_id_taken', fields: [] });
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () => create({ productId: 'raced' })),
      );
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      for (const result of results)
        if (result.status === 'rejected')
          expect(result.reason).toMatchObject({ code: 'product_id_taken', status: 409 });
      expect(await stripeProductsOf('raced')).toHaveLength(1);
      expect(await stripeProductsOf('api_call')).toHaveLength(1);
      expect((await get('api_call')).product.name).toBe('API call');
    });

    it('refuses invalid products naming each field as the API does, and writes nothing', async () => {
      const cases: [Partial<CreateProductRequestV1>, string[]][] = [
        [{ pricingType: 'outcome', aggregation: 'sum' }, ['aggregation']],
        [{ pricingType: 'outcome', aggregationField: 'x' }, ['aggregation_field']],
        [{ aggregation: 'unique_count' }, ['aggregation_field']],
        [{ aggregation: 'max', aggregationField: 'x' }, ['aggregation_field']],
        [{ metadata: { aegis_product_id: 'other' } }, ['metadata.aegis_product_id']],
      ];
      for (const [request, fields] of cases) {
        const refused = await refusalOf(create({ productId: 'refused', ...request }));
        expect(refused).toEqual({ status: 400, code: 'invalid_product', fields });
      }
      const malformed = await rejectionOf(
        create({ productId: 'has space', currency: 'USD' }),
        RpcRemoteError,
      );
      expect(malformed.status).toBe(400);
      expect(malformed.message).toContain('productId');
      expect(malformed.message).toContain('currency');
      expect(await rowCount('products', 'refused')).toBe(0);
      expect(await stripeProductsOf('refused')).toHaveLength(0);
    });

    it('gets a product, and answers product_not_found (404) for an unknown id', async () => {
      const { product } = await get('api_call');
      expect(product.productId).toBe('api_call');
      expect(product.currentPricing.version).toBe(1);
      expect(await refusalOf(get('nothing_here'))).toEqual({
        status: 404,
        code: 'product_not_found',
        fields: [],
      });
    });

    it('updates the name, texts and metadata in Stripe too, announces the change, and ignores a change of nothing', async () => {
      const before = (await get('geoint_report')).product;
      const { product } = await harness.rpc.call(BILLING_PRODUCT_UPDATE_V1, {
        productId: 'geoint_report',
        name: 'GEOINT report',
        description: '',
        unitLabel: 'report',
        metadata: { format: 'geojson' },
      });
      expect(product).toMatchObject({
        name: 'GEOINT report',
        description: null,
        unitLabel: 'report',
        metadata: { format: 'geojson' },
        pricingType: 'outcome',
        createdAt: before.createdAt,
      });
      expect(Date.parse(product.updatedAt)).toBeGreaterThan(Date.parse(before.updatedAt));
      const stripeProduct = await stripe.products.retrieve(defined(product.stripeProductId, 'id'));
      expect(stripeProduct).toMatchObject({
        name: 'GEOINT report',
        description: null,
        unit_label: 'report',
      });
      expect(stripeProduct.metadata).toStrictEqual({
        format: 'geojson',
        aegis_product_id: 'geoint_report',
      });
      expect(await meterAt('geoint_report', product.updatedAt)).toMatchObject({
        unit_label: 'report',
      });
      const unchanged = await harness.rpc.call(BILLING_PRODUCT_UPDATE_V1, {
        productId: 'geoint_report',
        name: 'GEOINT report',
      });
      expect(unchanged.product).toStrictEqual(product);
      await waitFor(
        () => Promise.resolve(eventsOf('geoint_report')),
        (events) => events.length >= 2,
        { what: 'the update event' },
      );
      expect(eventsOf('geoint_report').map((event) => event.type)).toEqual([
        CATALOG_PRODUCT_CREATED_V1,
        CATALOG_PRODUCT_UPDATED_V1,
      ]);
      expect(
        await refusalOf(
          harness.rpc.call(BILLING_PRODUCT_UPDATE_V1, { productId: 'nothing_here', name: 'x' }),
        ),
      ).toMatchObject({ status: 404, code: 'product_not_found' });
    });

    it('archives a product and its Stripe Product once, and lists it only when asked', async () => {
      const { product: retired } = await create({ productId: 'retired', unitLabel: 'unit' });
      const { product } = await harness.rpc.call(BILLING_PRODUCT_ARCHIVE_V1, {
        productId: 'retired',
      });
      expect(product.archivedAt).toEqual(product.updatedAt);
      expect(Date.parse(product.updatedAt)).toBeGreaterThan(Date.parse(retired.updatedAt));
      expect((await stripe.products.retrieve(defined(product.stripeProductId, 'id'))).active).toBe(
        false,
      );
      const again = await harness.rpc.call(BILLING_PRODUCT_ARCHIVE_V1, { productId: 'retired' });
      expect(again.product).toStrictEqual(product);
      expect(await meterAt('retired', product.updatedAt)).toMatchObject({ archived: true });
      await waitFor(
        () => Promise.resolve(eventsOf('retired')),
        (events) => events.length >= 2,
        { what: 'the archive event' },
      );
      expect(eventsOf('retired').map((event) => [event.type, event.data.archived])).toEqual([
        [CATALOG_PRODUCT_CREATED_V1, false],
        [CATALOG_PRODUCT_UPDATED_V1, true],
      ]);
      const listed = (await list({})).products.map((each) => each.productId);
      expect(listed).not.toContain('retired');
      const withArchived = (await list({ includeArchived: true })).products;
      expect(withArchived.map((each) => each.productId)).toContain('retired');
    });

    it('lists newest first, filtered by pricing type, page by page', async () => {
      const newestFirst = (
        await harness.dataSource.query<{ product_id: string }[]>(
          `SELECT "product_id" FROM "billing"."products" WHERE "archived_at" IS NULL
            ORDER BY "created_at" DESC, "product_id" DESC`,
        )
      ).map((row) => row.product_id);
      expect(newestFirst.length).toBeGreaterThanOrEqual(4);
      expect((await list({})).products.map((each) => each.productId)).toStrictEqual(newestFirst);
      const pages: string[] = [];
      let page = await list({ limit: 2 });
      pages.push(...page.products.map((each) => each.productId));
      while (page.hasMore) {
        page = await list({ limit: 2, startingAfter: defined(pages.at(-1), 'a cursor') });
        pages.push(...page.products.map((each) => each.productId));
      }
      expect(pages).toStrictEqual(newestFirst);
      const outcome = await list({ pricingType: 'outcome' });
      expect(outcome.products.map((each) => each.productId)).toStrictEqual(['geoint_report']);
      expect(outcome.products[0]?.currentPricing.pricing).toEqual({
        model: 'per_unit',
        unitAmountDecimal: '99900',
      });
      // An archived product is not an object of the default list: not a cursor of it either.
      expect(await refusalOf(list({ startingAfter: 'retired' }))).toMatchObject({
        status: 400,
        code: PAGE_CURSOR_ERROR_CODES.starting_after,
      });
    });
  });

  describe('pricing versions', () => {
    it('prices the seed’s graduated tiers: 5000 calls → 42000, tier by tier', async () => {
      await create({ productId: 'api_call_tiered' });
      const { version } = await setPricing('api_call_tiered', SEED_TIERS);
      expect(version).toMatchObject({ version: 2, pricing: SEED_TIERS });
      const priced = await quote({ productId: 'api_call_tiered', quantity: 5000 });
      expect(priced).toEqual({
        productId: 'api_call_tiered',
        amount: 42_000,
        quantity: 5000,
        unitPrice: '8.4',
        subtotal: 42_000,
        discountApplied: 0,
        currency: 'usd',
        tiers: [
          { upTo: 1000, quantity: 1000, amount: 10_000 },
          { upTo: 10_000, quantity: 4000, amount: 32_000 },
        ],
        pricingVersionId: version.id,
      });
    });

    it('quotes a time with the version then in force, and keeps the earlier versions', async () => {
      const { product } = await create({ productId: 'versioned' });
      const firstId = product.currentPricing.id;
      const { version: now } = await setPricing('versioned', {
        model: 'per_unit',
        unitAmountDecimal: '20',
      });
      const future = new Date(Date.now() + HOUR_MS);
      const { version: later } = await setPricing(
        'versioned',
        { model: 'per_unit', unitAmountDecimal: '30' },
        future,
      );
      const at = async (time: Date) =>
        quote({ productId: 'versioned', quantity: 100, at: time.toISOString() });
      const justBefore = new Date(Date.parse(now.effectiveFrom) - 1);
      expect(await at(justBefore)).toMatchObject({ amount: 1000, pricingVersionId: firstId });
      expect(await at(new Date('2020-06-01T00:00:00.000Z'))).toMatchObject({ amount: 1000 });
      expect(await quote({ productId: 'versioned', quantity: 100 })).toMatchObject({
        amount: 2000,
        pricingVersionId: now.id,
      });
      expect(await at(new Date(future.getTime() + HOUR_MS))).toMatchObject({
        amount: 3000,
        pricingVersionId: later.id,
      });
      expect((await get('versioned')).product.currentPricing.id).toBe(now.id);
      const { versions } = await harness.rpc.call(BILLING_PRICING_LIST_V1, {
        productId: 'versioned',
      });
      expect(versions.map((each) => [each.version, each.pricing.unitAmountDecimal])).toEqual([
        [1, '10'],
        [2, '20'],
        [3, '30'],
      ]);
      // Version 4 takes effect before version 3: in force between the two.
      const { version: between } = await setPricing(
        'versioned',
        { model: 'per_unit', unitAmountDecimal: '25' },
        new Date(future.getTime() - HOUR_MS / 2),
      );
      expect(between.version).toBe(4);
      expect(await at(new Date(future.getTime() - 1))).toMatchObject({ amount: 2500 });
      expect(await at(future)).toMatchObject({ amount: 3000 });
    });

    it('refuses an effective_from in the past or already taken, and a bad model, naming the fields, writing nothing', async () => {
      const versionsBefore = await rowCount('pricing_versions', 'versioned');
      const past = await refusalOf(
        setPricing(
          'versioned',
          { model: 'per_unit', unitAmountDecimal: '1' },
          new Date(Date.now() - 5 * 60_000),
        ),
      );
      expect(past).toEqual({ status: 400, code: 'invalid_pricing', fields: ['effective_from'] });
      // Within a minute of clock skew, "now" is still now.
      await setPricing(
        'versioned',
        { model: 'per_unit', unitAmountDecimal: '21' },
        new Date(Date.now() - 10_000),
      );
      const { versions } = await harness.rpc.call(BILLING_PRICING_LIST_V1, {
        productId: 'versioned',
      });
      const taken = defined(versions.at(-2), 'a scheduled version').effectiveFrom;
      expect(
        await refusalOf(
          setPricing('versioned', { model: 'per_unit', unitAmountDecimal: '1' }, new Date(taken)),
        ),
      ).toEqual({ status: 409, code: 'pricing_version_exists', fields: [] });
      const descending = await refusalOf(
        setPricing('versioned', {
          model: 'graduated',
          tiers: [
            { upTo: 1000, unitAmountDecimal: '10', flatAmount: 0 },
            { upTo: 500, unitAmountDecimal: '8', flatAmount: 0 },
            { upTo: 100, unitAmountDecimal: '5', flatAmount: 0 },
          ],
        }),
      );
      expect(descending).toEqual({
        status: 400,
        code: 'invalid_pricing',
        fields: ['pricing.tiers[1].up_to', 'pricing.tiers[2].up_to'],
      });
      expect(
        await refusalOf(
          setPricing('versioned', {
            model: 'per_unit',
            unitAmountDecimal: '1',
            tiers: [{ upTo: null, unitAmountDecimal: '1', flatAmount: 0 }],
          }),
        ),
      ).toEqual({ status: 400, code: 'invalid_pricing', fields: ['pricing.tiers'] });
      expect(
        await refusalOf(setPricing('nothing_here', { model: 'per_unit', unitAmountDecimal: '1' })),
      ).toMatchObject({ status: 404, code: 'product_not_found' });
      expect(
        await refusalOf(setPricing('retired', { model: 'per_unit', unitAmountDecimal: '1' })),
      ).toMatchObject({ status: 409, code: 'product_archived' });
      expect(await rowCount('pricing_versions', 'versioned')).toBe(versionsBefore + 1);
    });

    it('makes every model a Stripe Price the sandbox accepts and bills as the quote prices it', async () => {
      const stripeCustomer = await registerCustomer('cust_round_trip');
      const { product } = await create({ productId: 'round_trip', currency: 'jpy' });
      const models: PricingModelV1[] = [
        { model: 'per_unit', unitAmountDecimal: '0.125' },
        { model: 'package', packageSize: 100, packageAmount: 500, round: 'up' },
        { model: 'package', packageSize: 100, packageAmount: 500, round: 'down' },
        SEED_TIERS,
        {
          model: 'volume',
          tiers: [
            { upTo: 100, unitAmountDecimal: '2.5', flatAmount: 100 },
            { upTo: null, unitAmountDecimal: '1.75', flatAmount: 300 },
          ],
        },
      ];
      for (const [index, pricing] of models.entries()) {
        const effectiveFrom = new Date(Date.now() + (index + 1) * HOUR_MS);
        const { version } = await setPricing('round_trip', pricing, effectiveFrom);
        const price = await stripe.prices.retrieve(defined(version.stripePriceId, 'price id'));
        expect(price).toMatchObject({
          product: product.stripeProductId,
          currency: 'jpy',
          metadata: { aegis_pricing_version_id: version.id },
        });
        if (pricing.model === 'graduated' || pricing.model === 'volume') {
          expect(price).toMatchObject({
            type: 'recurring',
            billing_scheme: 'tiered',
            tiers_mode: pricing.model,
            recurring: { interval: 'month', usage_type: 'licensed' },
          });
          expect(price.tiers?.map((tier) => tier.up_to)).toEqual(
            pricing.tiers?.map((tier) => tier.upTo),
          );
        } else expect(price.type).toBe('one_time');
        if (pricing.model === 'package')
          expect(price.transform_quantity).toEqual({ divide_by: 100, round: pricing.round });
        for (const quantity of [0, 1, 99, 150, 1001, 12_345]) {
          const ours = await quote({
            productId: 'round_trip',
            quantity,
            at: effectiveFrom.toISOString(),
          });
          expect(ours.pricingVersionId).toBe(version.id);
          const item = await stripe.invoiceItems.create({
            customer: stripeCustomer,
            pricing: { price: price.id },
            quantity,
          });
          expect([pricing.model, quantity, ours.subtotal]).toEqual([
            pricing.model,
            quantity,
            item.amount,
          ]);
        }
      }
    });
  });

  describe('discounts and quotes', () => {
    it('applies the seed’s 20 % discount: 1000 calls at 10 → 8000, discount_applied 2000', async () => {
      await registerCustomer('cust_abc123');
      const { discount } = await setDiscount({ customerId: 'cust_abc123', percentOff: '20' });
      expect(discount).toEqual({
        customerId: 'cust_abc123',
        productId: null,
        percentOff: '20',
        amountOff: null,
        startsAt: null,
        endsAt: null,
        createdAt: expect.any(String),
      });
      expect(
        await quote({ productId: 'api_call', quantity: 1000, customerId: 'cust_abc123' }),
      ).toMatchObject({ amount: 8000, subtotal: 10_000, discountApplied: 2000, unitPrice: '10' });
      expect(await quote({ productId: 'api_call', quantity: 1000 })).toMatchObject({
        amount: 10_000,
        discountApplied: 0,
      });
      expect(
        await quote({ productId: 'api_call_tiered', quantity: 5000, customerId: 'cust_abc123' }),
      ).toMatchObject({ amount: 33_600, subtotal: 42_000, discountApplied: 8400 });
    });

    it('lets the customer’s discount for a product win over the all-products one, and replaces either', async () => {
      await setDiscount({ customerId: 'cust_abc123', productId: 'api_call', percentOff: '50' });
      expect(
        await quote({ productId: 'api_call', quantity: 1000, customerId: 'cust_abc123' }),
      ).toMatchObject({ amount: 5000, discountApplied: 5000 });
      expect(
        await quote({ productId: 'api_call_tiered', quantity: 1000, customerId: 'cust_abc123' }),
      ).toMatchObject({ amount: 8000, discountApplied: 2000 });
      const { discount } = await setDiscount({
        customerId: 'cust_abc123',
        productId: 'api_call',
        amountOff: 25_000,
      });
      expect(discount).toMatchObject({
        productId: 'api_call',
        percentOff: null,
        amountOff: 25_000,
      });
      // Never below zero: the discount takes at most the subtotal.
      expect(
        await quote({ productId: 'api_call', quantity: 1000, customerId: 'cust_abc123' }),
      ).toMatchObject({ amount: 0, subtotal: 10_000, discountApplied: 10_000 });
      const [row] = await harness.dataSource.query<{ n: string }[]>(
        `SELECT count(*) AS n FROM "billing"."customer_discounts" WHERE "customer_id" = 'cust_abc123'`,
      );
      expect(Number(row?.n)).toBe(2);
      const cleared = await harness.rpc.call(BILLING_DISCOUNT_CLEAR_V1, {
        customerId: 'cust_abc123',
        productId: 'api_call',
      });
      expect(cleared).toEqual({ cleared: true });
      expect(
        await harness.rpc.call(BILLING_DISCOUNT_CLEAR_V1, {
          customerId: 'cust_abc123',
          productId: 'api_call',
        }),
      ).toEqual({ cleared: false });
      expect(
        await quote({ productId: 'api_call', quantity: 1000, customerId: 'cust_abc123' }),
      ).toMatchObject({ amount: 8000, discountApplied: 2000 });
    });

    it('applies a time-boxed discount only from its start until its end', async () => {
      await registerCustomer('cust_boxed');
      const startsAt = new Date(Date.now() + HOUR_MS);
      const endsAt = new Date(startsAt.getTime() + HOUR_MS);
      await setDiscount({
        customerId: 'cust_boxed',
        percentOff: '12.5',
        startsAt: startsAt.toISOString(),
        endsAt: endsAt.toISOString(),
      });
      const at = async (time: Date) =>
        (
          await quote({
            productId: 'api_call',
            quantity: 3,
            customerId: 'cust_boxed',
            at: time.toISOString(),
          })
        ).discountApplied;
      expect(await at(new Date())).toBe(0);
      expect(await at(startsAt)).toBe(4);
      expect(await at(new Date(endsAt.getTime() - 1))).toBe(4);
      expect(await at(endsAt)).toBe(0);
      // An all-products discount still applies where a product's own is not in force.
      await setDiscount({
        customerId: 'cust_boxed',
        productId: 'api_call',
        percentOff: '100',
        startsAt: endsAt.toISOString(),
      });
      expect(await at(startsAt)).toBe(4);
      expect(await at(endsAt)).toBe(30);
    });

    it('refuses bad discounts naming the fields, for unknown customers and archived products, writing nothing', async () => {
      const count = async (): Promise<number> =>
        Number(
          (
            await harness.dataSource.query<{ n: string }[]>(
              `SELECT count(*) AS n FROM "billing"."customer_discounts"`,
            )
          )[0]?.n,
        );
      const before = await count();
      expect(
        await refusalOf(setDiscount({ customerId: 'cust_abc123', percentOff: '10', amountOff: 5 })),
      ).toEqual({ status: 400, code: 'invalid_discount', fields: ['percent_off'] });
      expect(await refusalOf(setDiscount({ customerId: 'cust_abc123' }))).toEqual({
        status: 400,
        code: 'invalid_discount',
        fields: ['percent_off'],
      });
      expect(
        await refusalOf(
          setDiscount({
            customerId: 'cust_abc123',
            percentOff: '10',
            startsAt: '2027-01-02T00:00:00.000Z',
            endsAt: '2027-01-01T00:00:00.000Z',
          }),
        ),
      ).toEqual({ status: 400, code: 'invalid_discount', fields: ['ends_at'] });
      expect(await refusalOf(setDiscount({ customerId: 'cust_nobody', percentOff: '10' }))).toEqual(
        { status: 404, code: 'customer_not_found', fields: [] },
      );
      expect(
        await refusalOf(harness.rpc.call(BILLING_DISCOUNT_CLEAR_V1, { customerId: 'cust_nobody' })),
      ).toMatchObject({ status: 404, code: 'customer_not_found' });
      expect(
        await refusalOf(
          setDiscount({ customerId: 'cust_abc123', productId: 'nothing_here', percentOff: '10' }),
        ),
      ).toMatchObject({ status: 404, code: 'product_not_found' });
      expect(
        await refusalOf(
          setDiscount({ customerId: 'cust_abc123', productId: 'retired', percentOff: '10' }),
        ),
      ).toMatchObject({ status: 409, code: 'product_archived' });
      expect(await count()).toBe(before);
    });

    it('answers a quote for an unknown product 404, an archived one 409, an unknown customer 404, an unpriceable quantity 400', async () => {
      expect(await refusalOf(quote({ productId: 'nothing_here', quantity: 1 }))).toEqual({
        status: 404,
        code: 'product_not_found',
        fields: [],
      });
      expect(await refusalOf(quote({ productId: 'retired', quantity: 1 }))).toEqual({
        status: 409,
        code: 'product_archived',
        fields: [],
      });
      expect(
        await refusalOf(quote({ productId: 'api_call', quantity: 1, customerId: 'cust_nobody' })),
      ).toMatchObject({ status: 404, code: 'customer_not_found' });
      expect(
        await refusalOf(quote({ productId: 'api_call', quantity: Number.MAX_SAFE_INTEGER })),
      ).toEqual({ status: 400, code: 'invalid_quote', fields: ['quantity'] });
      const negative = await rejectionOf(
        quote({ productId: 'api_call', quantity: -1 }),
        RpcRemoteError,
      );
      expect(negative.status).toBe(400);
      expect(negative.message).toContain('quantity');
    });
  });
});
