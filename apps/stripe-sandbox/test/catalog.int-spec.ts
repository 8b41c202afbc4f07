import { describe, it, expect } from '@jest/globals';
import { defined, rejectionOf } from '@aegis/testing';
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
  const error = await rejectionOf(request, Stripe.errors.StripeInvalidRequestError);
  expect(error.statusCode).toBe(expected.status);
  if (expected.code !== undefined) expect(error.code).toBe(expected.code);
  if (expected.param !== undefined) expect(error.param).toBe(expected.param);
  if (typeof expected.message === 'string') expect(error.message).toBe(expected.message);
  if (expected.message instanceof RegExp) expect(error.message).toMatch(expected.message);
}

function decimalText(value: Stripe.Decimal | null | undefined): string {
  const decimal = defined(value, 'a decimal');
  // The SDK turns the wire's decimal strings into its Decimal type: a string has no `eq`.
  expect(typeof decimal.eq).toBe('function');
  return decimal.toString();
}

/** The value, which must be a string: the id of an object the SDK did not expand. */
function stringId(value: unknown, what: string): string {
  expect(typeof value).toBe('string');
  if (typeof value !== 'string') throw new Error(`expected ${what} to be an id`);
  return value;
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
    expect(product.id).toMatch(/^prod_/);
    expect(product.object).toBe('product');
    expect(product.active).toBe(true);
    expect(product.type).toBe('service');
    expect(product.default_price).toBe(null);
    expect(product.livemode).toBe(false);
    expect(product.images).toStrictEqual(['https://example.com/gold.png']);
    expect(product.unit_label).toBe('seat');
    expect(product.statement_descriptor).toBe('AEGIS GOLD');
    expect(product.updated).toBe(product.created);

    const updated = await stripe.products.update(product.id, {
      name: 'Gold',
      description: '',
      metadata: { legacy: '', region: 'eu' },
    });
    expect(updated.name).toBe('Gold');
    expect(updated.description).toBe(null);
    expect(updated.metadata).toStrictEqual({ tier: 'gold', region: 'eu' });
    expect((await stripe.products.retrieve(product.id)).name).toBe('Gold');

    const listed = await stripe.products.list({ ids: [product.id] });
    expect(listed.data.map((p) => p.id)).toStrictEqual([product.id]);

    const deleted = await stripe.products.del(product.id);
    expect(deleted).toStrictEqual({ id: product.id, object: 'product', deleted: true });
    await rejectsWith(stripe.products.retrieve(product.id), {
      status: 404,
      code: 'resource_missing',
      param: 'id',
      message: `No such product: '${product.id}'`,
    });

    const created = await receiver.waitForEvent('product.created', product.id);
    expect((created.data.object as Stripe.Product).name).toBe('Gold plan');
    const updatedEvent = (await receiver.waitForEvent(
      'product.updated',
      product.id,
    )) as Stripe.ProductUpdatedEvent;
    const previous = defined(updatedEvent.data.previous_attributes, 'the previous attributes');
    expect(previous.name).toBe('Gold plan');
    expect(previous.metadata).toStrictEqual({
      tier: 'gold',
      legacy: 'yes',
    });
    await receiver.waitForEvent('product.deleted', product.id);
  });

  it('creates a product with a chosen id once, and refuses the same id again', async () => {
    const id = `prod_custom_${Date.now()}`;
    const product = await stripe.products.create({ id, name: 'Custom id' });
    expect(product.id).toBe(id);
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
    expect(price.id).toMatch(/^price_/);
    expect(price.object).toBe('price');
    expect(price.type).toBe('one_time');
    expect(price.recurring).toBe(null);
    expect(price.currency).toBe('usd');
    expect(price.billing_scheme).toBe('per_unit');
    expect(price.unit_amount).toBe(2000);
    expect(decimalText(price.unit_amount_decimal)).toBe('2000');
    expect(price.tax_behavior).toBe('unspecified');
    expect(price.custom_unit_amount).toBe(null);
    expect(price.transform_quantity).toBe(null);
    expect(price.tiers_mode).toBe(null);
    expect(price.lookup_key).toBe(null);
    expect(price.active).toBe(true);
    expect(price.product).toBe(product.id);
    expect(price.nickname).toBe('standard');
    expect(price.metadata).toStrictEqual({ color: 'grey' });

    const expanded = await stripe.prices.retrieve(price.id, { expand: ['product'] });
    expect((expanded.product as Stripe.Product).name).toBe('T-shirt');
    const event = await receiver.waitForEvent('price.created', price.id);
    expect((event.data.object as Stripe.Price).unit_amount).toBe(2000);
  });

  it('round-trips a fractional unit_amount_decimal exactly', async () => {
    const product = await stripe.products.create({ name: 'API call' });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount_decimal: Stripe.Decimal.from('0.125'),
    });
    expect(price.unit_amount).toBe(null);
    expect(decimalText(price.unit_amount_decimal)).toBe('0.125');
    const fetched = await stripe.prices.retrieve(price.id);
    expect(decimalText(fetched.unit_amount_decimal)).toBe('0.125');
    expect(fetched.unit_amount_decimal?.eq(Stripe.Decimal.from('0.125'))).toBeTruthy();
    expect(amountForQuantity(fetched, 1_000_000)).toBe(125_000);
    expect(amountForQuantity(fetched, 4)).toBe(1);

    const listed = await stripe.prices.list({ product: product.id });
    expect(decimalText(listed.data[0]?.unit_amount_decimal)).toBe('0.125');

    const whole = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount_decimal: Stripe.Decimal.from('1500.00'),
    });
    expect(whole.unit_amount).toBe(1500);
    expect(decimalText(whole.unit_amount_decimal)).toBe('1500');
    const trimmed = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount_decimal: Stripe.Decimal.from('12.50'),
    });
    expect(decimalText(trimmed.unit_amount_decimal)).toBe('12.5');
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
    expect(quarterly.type).toBe('recurring');
    expect(quarterly.recurring).toStrictEqual({
      interval: 'month',
      interval_count: 3,
      meter: null,
      trial_period_days: 14,
      usage_type: 'licensed',
    });
    expect(quarterly.tax_behavior).toBe('exclusive');

    const metered = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 5,
      recurring: { interval: 'month', usage_type: 'metered', meter: 'mtr_test_api_calls' },
    });
    const recurring = defined(metered.recurring, 'the recurring settings');
    expect(recurring.usage_type).toBe('metered');
    expect(recurring.meter).toBe('mtr_test_api_calls');
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
    expect(graduated.billing_scheme).toBe('tiered');
    expect(graduated.tiers_mode).toBe('graduated');
    expect(graduated.unit_amount).toBe(null);
    expect(graduated.unit_amount_decimal).toBe(null);
    const returned = graduated.tiers ?? [];
    expect(returned.map((tier) => tier.up_to)).toStrictEqual([5, 10, null]);
    const first = defined(returned[0], 'the first tier');
    const second = defined(returned[1], 'the second tier');
    expect(first.flat_amount).toBe(1000);
    expect(decimalText(first.flat_amount_decimal)).toBe('1000');
    expect(second.unit_amount).toBe(null);
    expect(decimalText(second.unit_amount_decimal)).toBe('400.5');
    expect(second.flat_amount).toBe(null);
    expect(second.flat_amount_decimal).toBe(null);
    expect(amountForQuantity(graduated, 7)).toBe(5 * 500 + 1000 + 801);

    const volume = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      recurring: MONTHLY,
      billing_scheme: 'tiered',
      tiers_mode: 'volume',
      tiers,
    });
    const fetched = await stripe.prices.retrieve(volume.id);
    expect(fetched.tiers_mode).toBe('volume');
    expect(fetched.tiers?.length).toBe(3);
    expect(amountForQuantity(fetched, 7)).toBe(2804);
    expect(amountForQuantity(fetched, 11)).toBe(3300);
  });

  it('divides the quantity with transform_quantity', async () => {
    const product = await stripe.products.create({ name: 'Packs of ten' });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 1000,
      transform_quantity: { divide_by: 10, round: 'up' },
    });
    expect(price.transform_quantity).toStrictEqual({ divide_by: 10, round: 'up' });
    expect(amountForQuantity(price, 11)).toBe(2000);
  });

  it('creates a price and its product from product_data', async () => {
    const price = await stripe.prices.create({
      currency: 'usd',
      unit_amount: 900,
      product_data: { name: 'Inline product', metadata: { source: 'product_data' } },
    });
    const product = await stripe.products.retrieve(stringId(price.product, 'the product'));
    expect(product.name).toBe('Inline product');
    expect(product.metadata).toStrictEqual({ source: 'product_data' });
    await receiver.waitForEvent('product.created', product.id);
  });

  it('gives a product its default price from default_price_data', async () => {
    const product = await stripe.products.create({
      name: 'Pro',
      default_price_data: { currency: 'usd', unit_amount: 4900, recurring: MONTHLY },
    });
    const defaultPrice = await stripe.prices.retrieve(
      stringId(product.default_price, 'the default price'),
    );
    expect(defaultPrice.product).toBe(product.id);
    expect(defaultPrice.unit_amount).toBe(4900);
    expect(defaultPrice.type).toBe('recurring');
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
    expect(switched.default_price).toBe(yearly.id);
    const archived = await stripe.prices.update(defaultPrice.id, { active: false });
    expect(archived.active).toBe(false);
    const updatedEvent = (await receiver.waitForEvent(
      'price.updated',
      defaultPrice.id,
    )) as Stripe.PriceUpdatedEvent;
    expect(updatedEvent.data.previous_attributes).toStrictEqual({ active: true });

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
    expect(successor.lookup_key).toBe(key);
    expect((await stripe.prices.retrieve(holder.id)).lookup_key).toBe(null);
    const transferred = (await receiver.waitForEvent(
      'price.updated',
      holder.id,
    )) as Stripe.PriceUpdatedEvent;
    expect(transferred.data.previous_attributes).toStrictEqual({ lookup_key: key });
    const byKey = await stripe.prices.list({ lookup_keys: [key] });
    expect(byKey.data.map((price) => price.id)).toStrictEqual([successor.id]);

    const renamed = await stripe.prices.update(holder.id, {
      nickname: 'old',
      metadata: { generation: '1' },
      lookup_key: key,
      transfer_lookup_key: true,
    });
    expect(renamed.lookup_key).toBe(key);
    expect(renamed.nickname).toBe('old');
    expect(renamed.metadata).toStrictEqual({ generation: '1' });
    expect((await stripe.prices.retrieve(successor.id)).lookup_key).toBe(null);
    const unset = await stripe.prices.update(holder.id, { lookup_key: '', nickname: '' });
    expect(unset.lookup_key).toBe(null);
    expect(unset.nickname).toBe(null);
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

    expect(await ids({})).toStrictEqual([yearlyEur.id, monthly.id, oneTime.id]);
    expect(await ids({ active: false })).toStrictEqual([archived.id]);
    expect(await ids({ type: 'one_time' })).toStrictEqual([oneTime.id]);
    expect(await ids({ type: 'recurring' })).toStrictEqual([yearlyEur.id, monthly.id]);
    expect(await ids({ currency: 'eur' })).toStrictEqual([yearlyEur.id]);
    expect(await ids({ recurring: { interval: 'month' } })).toStrictEqual([monthly.id]);
    expect(await ids({ created: { gte: oneTime.created } })).toStrictEqual([
      yearlyEur.id,
      monthly.id,
      oneTime.id,
    ]);
    expect(await ids({ created: { lt: oneTime.created } })).toStrictEqual([]);

    const first = await stripe.prices.list({ product: product.id, limit: 2 });
    expect(first.data.map((p) => p.id)).toStrictEqual([yearlyEur.id, monthly.id]);
    expect(first.has_more).toBe(true);
    expect(first.url).toBe('/v1/prices');
    const second = await stripe.prices.list({
      product: product.id,
      limit: 2,
      starting_after: monthly.id,
    });
    expect(second.data.map((p) => p.id)).toStrictEqual([oneTime.id]);
    expect(second.has_more).toBe(false);
    const all: string[] = [];
    for await (const price of stripe.prices.list({ product: product.id, limit: 1 })) {
      all.push(price.id);
    }
    expect(all).toStrictEqual([yearlyEur.id, monthly.id, oneTime.id]);
    await rejectsWith(stripe.prices.list({ product: 'prod_missing' }), {
      status: 400,
      code: 'resource_missing',
      param: 'product',
      message: "No such product: 'prod_missing'",
    });

    const inactiveProduct = await stripe.products.create({ name: 'Retired', active: false });
    const byUrl = await stripe.products.list({ url: product.url ?? '' });
    expect(byUrl.data.map((p) => p.id)).toStrictEqual([product.id]);
    const inactive = await stripe.products.list({ active: false, limit: 100 });
    expect(inactive.data.some((p) => p.id === inactiveProduct.id)).toBeTruthy();
    expect(inactive.data.some((p) => p.id === product.id)).toBeFalsy();
    const newest = await stripe.products.list({ limit: 2 });
    expect(newest.data.map((p) => p.id)).toStrictEqual([inactiveProduct.id, product.id]);
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
    expect(none.data).toStrictEqual([]);
  });
});
