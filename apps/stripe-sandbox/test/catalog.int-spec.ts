import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import { amountForQuantity } from '../src/catalog/pricing.js';
import { useSandbox } from './sandbox-harness.js';

interface ExpectedError {
  readonly status: number;
  readonly code?: string;
  readonly param?: string;
  readonly message?: string | RegExp;
}

/** Asserts that a request fails with Stripe's invalid-request error of that shape. */
async function rejectsWith(request: Promise<unknown>, expected: ExpectedError): Promise<void> {
  await assert.rejects(request, (error: unknown) => {
    assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError, String(error));
    assert.equal(error.statusCode, expected.status);
    if (expected.code !== undefined) assert.equal(error.code, expected.code);
    if (expected.param !== undefined) assert.equal(error.param, expected.param);
    if (typeof expected.message === 'string') assert.equal(error.message, expected.message);
    if (expected.message instanceof RegExp) assert.match(error.message, expected.message);
    return true;
  });
}

function decimalText(value: Stripe.Decimal | null | undefined): string {
  assert.ok(value !== null && value !== undefined, 'expected a decimal');
  // The SDK turns the wire's decimal strings into its Decimal type: a string has no `eq`.
  assert.equal(typeof value.eq, 'function');
  return value.toString();
}

const MONTHLY = { interval: 'month' } as const;

describe('sandbox catalog: products and prices', () => {
  const { stripe, receiver } = useSandbox();

  it('creates, retrieves, updates, lists and deletes a product, with its events', async () => {
    const product = await stripe.products.create({
      name: 'Gold plan',
      description: 'All features',
      images: ['https://example.com/gold.png'],
      unit_label: 'seat',
      statement_descriptor: 'AEGIS GOLD',
      url: 'https://example.com/gold',
      metadata: { tier: 'gold', legacy: 'yes' },
    });
    assert.match(product.id, /^prod_/);
    assert.equal(product.object, 'product');
    assert.equal(product.active, true);
    assert.equal(product.type, 'service');
    assert.equal(product.default_price, null);
    assert.equal(product.livemode, false);
    assert.deepEqual(product.images, ['https://example.com/gold.png']);
    assert.equal(product.unit_label, 'seat');
    assert.equal(product.statement_descriptor, 'AEGIS GOLD');
    assert.equal(product.updated, product.created);

    const updated = await stripe.products.update(product.id, {
      name: 'Gold',
      description: '',
      metadata: { legacy: '', region: 'eu' },
    });
    assert.equal(updated.name, 'Gold');
    assert.equal(updated.description, null);
    assert.deepEqual(updated.metadata, { tier: 'gold', region: 'eu' });
    assert.equal((await stripe.products.retrieve(product.id)).name, 'Gold');

    const listed = await stripe.products.list({ ids: [product.id] });
    assert.deepEqual(
      listed.data.map((p) => p.id),
      [product.id],
    );

    const deleted = await stripe.products.del(product.id);
    assert.deepEqual(deleted, { id: product.id, object: 'product', deleted: true });
    await rejectsWith(stripe.products.retrieve(product.id), {
      status: 404,
      code: 'resource_missing',
      param: 'id',
      message: `No such product: '${product.id}'`,
    });

    const created = await receiver.waitForEvent('product.created', product.id);
    assert.equal((created.data.object as Stripe.Product).name, 'Gold plan');
    const updatedEvent = (await receiver.waitForEvent(
      'product.updated',
      product.id,
    )) as Stripe.ProductUpdatedEvent;
    assert.equal(updatedEvent.data.previous_attributes?.name, 'Gold plan');
    assert.deepEqual(updatedEvent.data.previous_attributes.metadata, {
      tier: 'gold',
      legacy: 'yes',
    });
    await receiver.waitForEvent('product.deleted', product.id);
  });

  it('creates a product with a chosen id once, and refuses the same id again', async () => {
    const id = `prod_custom_${Date.now()}`;
    const product = await stripe.products.create({ id, name: 'Custom id' });
    assert.equal(product.id, id);
    await rejectsWith(stripe.products.create({ id, name: 'Again' }), {
      status: 400,
      code: 'resource_already_exists',
      param: 'id',
      message: 'Product already exists.',
    });
  });

  it('makes a one-off price whose amount comes back as the SDK Decimal', async () => {
    const product = await stripe.products.create({ name: 'T-shirt' });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'USD',
      unit_amount: 2000,
      nickname: 'standard',
      metadata: { color: 'grey' },
    });
    assert.match(price.id, /^price_/);
    assert.equal(price.object, 'price');
    assert.equal(price.type, 'one_time');
    assert.equal(price.recurring, null);
    assert.equal(price.currency, 'usd');
    assert.equal(price.billing_scheme, 'per_unit');
    assert.equal(price.unit_amount, 2000);
    assert.equal(decimalText(price.unit_amount_decimal), '2000');
    assert.equal(price.tax_behavior, 'unspecified');
    assert.equal(price.custom_unit_amount, null);
    assert.equal(price.transform_quantity, null);
    assert.equal(price.tiers_mode, null);
    assert.equal(price.lookup_key, null);
    assert.equal(price.active, true);
    assert.equal(price.product, product.id);
    assert.equal(price.nickname, 'standard');
    assert.deepEqual(price.metadata, { color: 'grey' });

    const expanded = await stripe.prices.retrieve(price.id, { expand: ['product'] });
    assert.equal((expanded.product as Stripe.Product).name, 'T-shirt');
    const event = await receiver.waitForEvent('price.created', price.id);
    assert.equal((event.data.object as Stripe.Price).unit_amount, 2000);
  });

  it('round-trips a fractional unit_amount_decimal exactly', async () => {
    const product = await stripe.products.create({ name: 'API call' });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount_decimal: Stripe.Decimal.from('0.125'),
    });
    assert.equal(price.unit_amount, null);
    assert.equal(decimalText(price.unit_amount_decimal), '0.125');
    const fetched = await stripe.prices.retrieve(price.id);
    assert.equal(decimalText(fetched.unit_amount_decimal), '0.125');
    assert.ok(fetched.unit_amount_decimal?.eq(Stripe.Decimal.from('0.125')));
    assert.equal(amountForQuantity(fetched, 1_000_000), 125_000);
    assert.equal(amountForQuantity(fetched, 4), 1);

    const listed = await stripe.prices.list({ product: product.id });
    assert.equal(decimalText(listed.data[0]?.unit_amount_decimal), '0.125');

    const whole = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount_decimal: Stripe.Decimal.from('1500.00'),
    });
    assert.equal(whole.unit_amount, 1500);
    assert.equal(decimalText(whole.unit_amount_decimal), '1500');
    const trimmed = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount_decimal: Stripe.Decimal.from('12.50'),
    });
    assert.equal(decimalText(trimmed.unit_amount_decimal), '12.5');
  });

  it('makes recurring prices, metered ones backed by a meter', async () => {
    const product = await stripe.products.create({ name: 'Subscription' });
    const quarterly = await stripe.prices.create({
      product: product.id,
      currency: 'eur',
      unit_amount: 3000,
      recurring: { interval: 'month', interval_count: 3, trial_period_days: 14 },
      tax_behavior: 'exclusive',
    });
    assert.equal(quarterly.type, 'recurring');
    assert.deepEqual(quarterly.recurring, {
      interval: 'month',
      interval_count: 3,
      meter: null,
      trial_period_days: 14,
      usage_type: 'licensed',
    });
    assert.equal(quarterly.tax_behavior, 'exclusive');

    const metered = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 5,
      recurring: { interval: 'month', usage_type: 'metered', meter: 'mtr_test_api_calls' },
    });
    assert.equal(metered.recurring?.usage_type, 'metered');
    assert.equal(metered.recurring.meter, 'mtr_test_api_calls');
    await rejectsWith(
      stripe.prices.create({
        product: product.id,
        currency: 'usd',
        unit_amount: 5,
        recurring: { interval: 'month', usage_type: 'metered' },
      }),
      {
        status: 400,
        message:
          'Starting with Stripe version `2025-03-31.basil`, metered prices must be backed by meters.',
      },
    );
    await rejectsWith(
      stripe.prices.create({
        product: product.id,
        currency: 'usd',
        unit_amount: 5,
        recurring: { interval: 'month', interval_count: 37 },
      }),
      { status: 400, param: 'recurring[interval_count]' },
    );
  });

  it('makes graduated and volume tiered prices, tiers included', async () => {
    const product = await stripe.products.create({ name: 'Seats' });
    const tiers: Stripe.PriceCreateParams.Tier[] = [
      { up_to: 5, unit_amount: 500, flat_amount: 1000 },
      { up_to: 10, unit_amount_decimal: Stripe.Decimal.from('400.5') },
      { up_to: 'inf', unit_amount: 300 },
    ];
    const graduated = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      recurring: MONTHLY,
      billing_scheme: 'tiered',
      tiers_mode: 'graduated',
      tiers,
    });
    assert.equal(graduated.billing_scheme, 'tiered');
    assert.equal(graduated.tiers_mode, 'graduated');
    assert.equal(graduated.unit_amount, null);
    assert.equal(graduated.unit_amount_decimal, null);
    const returned = graduated.tiers ?? [];
    assert.deepEqual(
      returned.map((tier) => tier.up_to),
      [5, 10, null],
    );
    const [first, second] = returned;
    assert.ok(first !== undefined && second !== undefined);
    assert.equal(first.flat_amount, 1000);
    assert.equal(decimalText(first.flat_amount_decimal), '1000');
    assert.equal(second.unit_amount, null);
    assert.equal(decimalText(second.unit_amount_decimal), '400.5');
    assert.equal(second.flat_amount, null);
    assert.equal(second.flat_amount_decimal, null);
    assert.equal(amountForQuantity(graduated, 7), 5 * 500 + 1000 + 801);

    const volume = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      recurring: MONTHLY,
      billing_scheme: 'tiered',
      tiers_mode: 'volume',
      tiers,
    });
    const fetched = await stripe.prices.retrieve(volume.id);
    assert.equal(fetched.tiers_mode, 'volume');
    assert.equal(fetched.tiers?.length, 3);
    assert.equal(amountForQuantity(fetched, 7), 2804);
    assert.equal(amountForQuantity(fetched, 11), 3300);
  });

  it('divides the quantity with transform_quantity', async () => {
    const product = await stripe.products.create({ name: 'Packs of ten' });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 1000,
      transform_quantity: { divide_by: 10, round: 'up' },
    });
    assert.deepEqual(price.transform_quantity, { divide_by: 10, round: 'up' });
    assert.equal(amountForQuantity(price, 11), 2000);
  });

  it('creates a price and its product from product_data', async () => {
    const price = await stripe.prices.create({
      currency: 'usd',
      unit_amount: 900,
      product_data: { name: 'Inline product', metadata: { source: 'product_data' } },
    });
    assert.ok(typeof price.product === 'string');
    const product = await stripe.products.retrieve(price.product);
    assert.equal(product.name, 'Inline product');
    assert.deepEqual(product.metadata, { source: 'product_data' });
    await receiver.waitForEvent('product.created', product.id);
  });

  it('gives a product its default price from default_price_data', async () => {
    const product = await stripe.products.create({
      name: 'Pro',
      default_price_data: { currency: 'usd', unit_amount: 4900, recurring: MONTHLY },
    });
    assert.ok(typeof product.default_price === 'string');
    const defaultPrice = await stripe.prices.retrieve(product.default_price);
    assert.equal(defaultPrice.product, product.id);
    assert.equal(defaultPrice.unit_amount, 4900);
    assert.equal(defaultPrice.type, 'recurring');
    await rejectsWith(stripe.prices.update(defaultPrice.id, { active: false }), {
      status: 400,
      message: 'This price cannot be archived because it is the default price of its product.',
    });

    const yearly = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 49000,
      recurring: { interval: 'year' },
    });
    const switched = await stripe.products.update(product.id, { default_price: yearly.id });
    assert.equal(switched.default_price, yearly.id);
    const archived = await stripe.prices.update(defaultPrice.id, { active: false });
    assert.equal(archived.active, false);
    const updatedEvent = (await receiver.waitForEvent(
      'price.updated',
      defaultPrice.id,
    )) as Stripe.PriceUpdatedEvent;
    assert.deepEqual(updatedEvent.data.previous_attributes, { active: true });

    const other = await stripe.products.create({ name: 'Other' });
    const foreign = await stripe.prices.create({
      product: other.id,
      currency: 'usd',
      unit_amount: 100,
    });
    await rejectsWith(stripe.products.update(product.id, { default_price: foreign.id }), {
      status: 400,
      param: 'default_price',
    });
    await rejectsWith(stripe.products.del(product.id), {
      status: 400,
      message: 'This product cannot be deleted because it has one or more user-created prices.',
    });
  });

  it('updates a price and keeps its lookup key unique, transferring it on request', async () => {
    const product = await stripe.products.create({ name: 'Lookup keys' });
    const key = `pro_monthly_${Date.now()}`;
    const holder = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 1000,
      lookup_key: key,
    });
    await rejectsWith(
      stripe.prices.create({
        product: product.id,
        currency: 'usd',
        unit_amount: 1200,
        lookup_key: key,
      }),
      {
        status: 400,
        param: 'lookup_key',
        message: `A price (\`${holder.id}\`) already uses that lookup key.`,
      },
    );
    const successor = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 1200,
      lookup_key: key,
      transfer_lookup_key: true,
    });
    assert.equal(successor.lookup_key, key);
    assert.equal((await stripe.prices.retrieve(holder.id)).lookup_key, null);
    const transferred = (await receiver.waitForEvent(
      'price.updated',
      holder.id,
    )) as Stripe.PriceUpdatedEvent;
    assert.deepEqual(transferred.data.previous_attributes, { lookup_key: key });
    const byKey = await stripe.prices.list({ lookup_keys: [key] });
    assert.deepEqual(
      byKey.data.map((price) => price.id),
      [successor.id],
    );

    const renamed = await stripe.prices.update(holder.id, {
      nickname: 'old',
      metadata: { generation: '1' },
      lookup_key: key,
      transfer_lookup_key: true,
    });
    assert.equal(renamed.lookup_key, key);
    assert.equal(renamed.nickname, 'old');
    assert.deepEqual(renamed.metadata, { generation: '1' });
    assert.equal((await stripe.prices.retrieve(successor.id)).lookup_key, null);
    const unset = await stripe.prices.update(holder.id, { lookup_key: '', nickname: '' });
    assert.equal(unset.lookup_key, null);
    assert.equal(unset.nickname, null);
  });

  it('filters and pages price and product lists', async () => {
    const product = await stripe.products.create({
      name: 'Filters',
      url: `https://example.com/filters/${Date.now()}`,
    });
    const oneTime = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 100,
    });
    const monthly = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 200,
      recurring: MONTHLY,
    });
    const yearlyEur = await stripe.prices.create({
      product: product.id,
      currency: 'eur',
      unit_amount: 300,
      recurring: { interval: 'year' },
    });
    const archived = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 400,
      active: false,
    });
    const ids = async (params: Stripe.PriceListParams): Promise<string[]> =>
      (await stripe.prices.list({ product: product.id, ...params })).data.map((p) => p.id);

    assert.deepEqual(await ids({}), [yearlyEur.id, monthly.id, oneTime.id]);
    assert.deepEqual(await ids({ active: false }), [archived.id]);
    assert.deepEqual(await ids({ type: 'one_time' }), [oneTime.id]);
    assert.deepEqual(await ids({ type: 'recurring' }), [yearlyEur.id, monthly.id]);
    assert.deepEqual(await ids({ currency: 'eur' }), [yearlyEur.id]);
    assert.deepEqual(await ids({ recurring: { interval: 'month' } }), [monthly.id]);
    assert.deepEqual(await ids({ created: { gte: oneTime.created } }), [
      yearlyEur.id,
      monthly.id,
      oneTime.id,
    ]);
    assert.deepEqual(await ids({ created: { lt: oneTime.created } }), []);

    const first = await stripe.prices.list({ product: product.id, limit: 2 });
    assert.deepEqual(
      first.data.map((p) => p.id),
      [yearlyEur.id, monthly.id],
    );
    assert.equal(first.has_more, true);
    assert.equal(first.url, '/v1/prices');
    const second = await stripe.prices.list({
      product: product.id,
      limit: 2,
      starting_after: monthly.id,
    });
    assert.deepEqual(
      second.data.map((p) => p.id),
      [oneTime.id],
    );
    assert.equal(second.has_more, false);
    const all: string[] = [];
    for await (const price of stripe.prices.list({ product: product.id, limit: 1 })) {
      all.push(price.id);
    }
    assert.deepEqual(all, [yearlyEur.id, monthly.id, oneTime.id]);
    await rejectsWith(stripe.prices.list({ product: 'prod_missing' }), {
      status: 400,
      code: 'resource_missing',
      param: 'product',
      message: "No such product: 'prod_missing'",
    });

    const inactiveProduct = await stripe.products.create({ name: 'Retired', active: false });
    const byUrl = await stripe.products.list({ url: product.url ?? '' });
    assert.deepEqual(
      byUrl.data.map((p) => p.id),
      [product.id],
    );
    const inactive = await stripe.products.list({ active: false, limit: 100 });
    assert.ok(inactive.data.some((p) => p.id === inactiveProduct.id));
    assert.ok(!inactive.data.some((p) => p.id === product.id));
    const newest = await stripe.products.list({ limit: 2 });
    assert.deepEqual(
      newest.data.map((p) => p.id),
      [inactiveProduct.id, product.id],
    );
    await rejectsWith(stripe.products.list({ ids: [product.id], starting_after: product.id }), {
      status: 400,
      message: 'You may only specify one of these parameters: ids, starting_after.',
    });
  });

  it("answers bad price parameters with Stripe's errors", async () => {
    const product = await stripe.products.create({ name: 'Errors' });
    const base = { product: product.id, currency: 'usd' };
    const tiered = {
      ...base,
      billing_scheme: 'tiered',
      tiers_mode: 'graduated',
      recurring: MONTHLY,
    } as const;

    await rejectsWith(
      stripe.prices.create({ ...base, unit_amount: 1, colour: 'red' } as Stripe.PriceCreateParams),
      { status: 400, code: 'parameter_unknown', param: 'colour' },
    );
    await rejectsWith(
      stripe.prices.create({ product: product.id, unit_amount: 1 } as Stripe.PriceCreateParams),
      {
        status: 400,
        code: 'parameter_missing',
        param: 'currency',
      },
    );
    await rejectsWith(stripe.prices.create({ currency: 'usd', unit_amount: 1 }), {
      status: 400,
      message: 'You must specify either `product` or `product_data` when creating a price.',
    });
    await rejectsWith(
      stripe.prices.create({ ...base, unit_amount: 1, product_data: { name: 'Both' } }),
      {
        status: 400,
        param: 'product',
        message: 'You may only specify one of these parameters: product, product_data.',
      },
    );
    await rejectsWith(
      stripe.prices.create({
        currency: 'usd',
        unit_amount: 1,
        product_data: { name: 'With a url', url: 'https://example.com' },
      } as Stripe.PriceCreateParams),
      { status: 400, code: 'parameter_unknown', param: 'product_data[url]' },
    );
    await rejectsWith(stripe.prices.create({ ...base, product: 'prod_missing', unit_amount: 1 }), {
      status: 400,
      code: 'resource_missing',
      param: 'product',
    });
    await rejectsWith(
      stripe.prices.create({
        ...base,
        unit_amount: 1,
        unit_amount_decimal: Stripe.Decimal.from('1'),
      }),
      {
        status: 400,
        param: 'unit_amount',
        message: 'You may only specify one of these parameters: unit_amount, unit_amount_decimal.',
      },
    );
    await rejectsWith(stripe.prices.create(base), {
      status: 400,
      message: 'Prices require an `unit_amount` or `unit_amount_decimal` parameter to be set.',
    });
    await rejectsWith(stripe.prices.create({ ...base, unit_amount: -5 }), {
      status: 400,
      code: 'parameter_invalid_integer',
      param: 'unit_amount',
    });
    await rejectsWith(
      stripe.prices.create({
        ...base,
        billing_scheme: 'tiered',
        tiers_mode: 'volume',
        tiers: [
          { up_to: 5, unit_amount: 1 },
          { up_to: 'inf', unit_amount: 1 },
        ],
      }),
      {
        status: 400,
        param: 'interval',
        message: 'Prices with `type=one_time` are not supported with tiered billing.',
      },
    );
    const twoTiers: Stripe.PriceCreateParams.Tier[] = [
      { up_to: 5, unit_amount: 100 },
      { up_to: 'inf', unit_amount: 50 },
    ];
    await rejectsWith(stripe.prices.create({ ...tiered, tiers_mode: undefined, tiers: twoTiers }), {
      status: 400,
      code: 'parameter_missing',
      param: 'tiers_mode',
    });
    await rejectsWith(
      stripe.prices.create({ ...tiered, tiers: [{ up_to: 'inf', unit_amount: 1 }] }),
      {
        status: 400,
        param: 'tiers',
        message: /at least two tiers/,
      },
    );
    await rejectsWith(
      stripe.prices.create({
        ...tiered,
        tiers: [
          { up_to: 5, unit_amount: 100 },
          { up_to: 10, unit_amount: 50 },
        ],
      }),
      { status: 400, param: 'tiers[1][up_to]', message: /up_to=inf/ },
    );
    await rejectsWith(
      stripe.prices.create({
        ...tiered,
        tiers: [
          { up_to: 10, unit_amount: 100 },
          { up_to: 5, unit_amount: 50 },
          { up_to: 'inf', unit_amount: 10 },
        ],
      }),
      { status: 400, param: 'tiers[1][up_to]', message: /increasing/ },
    );
    await rejectsWith(
      stripe.prices.create({ ...tiered, tiers: [{ up_to: 5 }, { up_to: 'inf', unit_amount: 1 }] }),
      {
        status: 400,
        param: 'tiers[0]',
        message: 'An entry in the tiers array is missing an amount.',
      },
    );
    await rejectsWith(
      stripe.prices.create({
        ...tiered,
        tiers: twoTiers,
        transform_quantity: { divide_by: 10, round: 'up' },
      }),
      {
        status: 400,
        param: 'tiers',
        message: 'You may only specify one of these parameters: tiers, transform_quantity.',
      },
    );
    await rejectsWith(stripe.prices.create({ ...tiered, tiers: twoTiers, unit_amount: 100 }), {
      status: 400,
      param: 'unit_amount',
    });
    await rejectsWith(stripe.prices.create({ ...base, unit_amount: 1, tiers: twoTiers }), {
      status: 400,
      param: 'tiers',
    });
    await rejectsWith(stripe.prices.retrieve('price_missing'), {
      status: 404,
      code: 'resource_missing',
      param: 'price',
      message: "No such price: 'price_missing'",
    });
    await rejectsWith(stripe.rawRequest('DELETE', '/v1/prices/price_missing'), {
      status: 404,
      message: /^Unrecognized request URL/,
    });
    const none = await stripe.prices.list({ product: product.id });
    assert.deepEqual(none.data, [], 'a refused request leaves nothing behind');
  });
});
