import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { StripeSandboxEnv } from '../config/stripe-sandbox.env.js';
import { Params, parseStripeForm } from '../core/params.js';
import { StripeApiError } from '../core/stripe-error.js';
import { EventRecorder } from '../events/event-recorder.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore } from '../store/sandbox-store.js';
import { PricesService, type RecurringRule } from './prices.service.js';
import { amountForQuantity } from './pricing.js';
import { ProductsService } from './products.service.js';

/** The `price_data` hash of a request body, as a colleague's controller hands it over. */
function priceDataOf(form: string): Params {
  return Params.of(parseStripeForm(form)).requiredObject('price_data');
}

function assertStripeError(
  error: unknown,
  expected: { status: number; code?: string; param: string },
): true {
  assert.ok(error instanceof StripeApiError, String(error));
  assert.equal(error.status, expected.status);
  assert.equal(error.body.param, expected.param);
  if (expected.code !== undefined) assert.equal(error.body.code, expected.code);
  return true;
}

describe(PricesService.name, () => {
  let store: SandboxStore;
  let products: ProductsService;
  let prices: PricesService;

  beforeEach(() => {
    store = new SandboxStore();
    const clock = new SandboxClock(store);
    const events = new EventRecorder(store, clock, new StripeSandboxEnv());
    products = new ProductsService(store, clock, events);
    prices = new PricesService(store, clock, events, products);
  });

  const createFromPriceData = (form: string, recurring: RecurringRule) =>
    store.transaction(() => prices.createFromPriceData(priceDataOf(form), { recurring }));

  const productId = (): string =>
    store.transaction(() => products.create(Params.of({ name: 'Seat' }))).id;

  describe('createFromPriceData', () => {
    it('stores an inactive recurring price of an existing product and records price.created', () => {
      const product = productId();
      const price = createFromPriceData(
        `price_data[currency]=usd&price_data[product]=${product}&price_data[unit_amount_decimal]=0.125&price_data[recurring][interval]=month&price_data[recurring][interval_count]=2&price_data[tax_behavior]=exclusive`,
        'required',
      );
      assert.match(price.id, /^price_/);
      assert.equal(price.active, false);
      assert.equal(price.product, product);
      assert.equal(price.type, 'recurring');
      assert.equal(price.recurring?.interval, 'month');
      assert.equal(price.recurring.interval_count, 2);
      assert.equal(price.tax_behavior, 'exclusive');
      assert.equal(price.unit_amount, null);
      assert.equal(String(price.unit_amount_decimal), '0.125');
      assert.equal(amountForQuantity(price, 8), 1);
      assert.equal(prices.get(price.id, 'price').id, price.id);
      const created = store.list('event', (event) => event.type === 'price.created');
      assert.deepEqual(
        created.map((event) => (event.data.object as { id: string }).id),
        [price.id],
      );
    });

    it('makes a product from product_data, with its product.created event', () => {
      const price = createFromPriceData(
        'price_data[currency]=eur&price_data[product_data][name]=Consulting&price_data[product_data][description]=Hourly&price_data[unit_amount]=15000',
        'optional',
      );
      assert.equal(price.type, 'one_time');
      assert.equal(price.unit_amount, 15000);
      assert.ok(typeof price.product === 'string');
      const product = store.find('product', price.product);
      assert.equal(product?.name, 'Consulting');
      assert.equal(product.description, 'Hourly');
      // Newest first: the product came before its price.
      assert.deepEqual(
        store.list('event').map((event) => event.type),
        ['price.created', 'product.created'],
      );
    });

    it('leaves inline prices out of price lists, even inactive ones', () => {
      const product = productId();
      const inline = createFromPriceData(
        `price_data[currency]=usd&price_data[product]=${product}&price_data[unit_amount]=100`,
        'forbidden',
      );
      const archived = store.transaction(() =>
        prices.create(Params.of({ currency: 'usd', product, unit_amount: '100', active: 'false' })),
      );
      const inactive = prices.list(Params.of({ active: 'false' })).map((price) => price.id);
      assert.deepEqual(inactive, [archived.id]);
      assert.ok(!inactive.includes(inline.id));
    });

    it('follows the recurring rule of the caller', () => {
      const product = productId();
      const base = `price_data[currency]=usd&price_data[product]=${product}&price_data[unit_amount]=100`;
      assert.throws(
        () => createFromPriceData(`${base}&price_data[recurring][interval]=month`, 'forbidden'),
        (error) =>
          assertStripeError(error, {
            status: 400,
            code: 'parameter_unknown',
            param: 'price_data[recurring]',
          }),
      );
      assert.throws(
        () => createFromPriceData(base, 'required'),
        (error) =>
          assertStripeError(error, {
            status: 400,
            code: 'parameter_missing',
            param: 'price_data[recurring]',
          }),
      );
      assert.throws(
        () =>
          createFromPriceData(
            `${base}&price_data[recurring][interval]=month&price_data[recurring][usage_type]=metered`,
            'required',
          ),
        (error) =>
          assertStripeError(error, {
            status: 400,
            code: 'parameter_unknown',
            param: 'price_data[recurring][usage_type]',
          }),
      );
    });

    it('names nested parameters in its errors and keeps nothing of a refused hash', () => {
      const product = productId();
      assert.throws(
        () => createFromPriceData('price_data[currency]=usd&price_data[unit_amount]=1', 'optional'),
        (error) =>
          assertStripeError(error, {
            status: 400,
            code: 'parameter_missing',
            param: 'price_data[product]',
          }),
      );
      assert.throws(
        () =>
          createFromPriceData(
            'price_data[currency]=usd&price_data[product]=prod_missing&price_data[unit_amount]=1',
            'optional',
          ),
        (error) =>
          assertStripeError(error, {
            status: 400,
            code: 'resource_missing',
            param: 'price_data[product]',
          }),
      );
      assert.throws(
        () =>
          createFromPriceData(
            `price_data[currency]=usd&price_data[product]=${product}&price_data[unit_amount]=1&price_data[unit_amount_decimal]=1`,
            'optional',
          ),
        (error) => assertStripeError(error, { status: 400, param: 'price_data[unit_amount]' }),
      );
      assert.throws(
        () =>
          createFromPriceData(
            'price_data[currency]=usd&price_data[product_data][name]=Orphan',
            'optional',
          ),
        (error) => assertStripeError(error, { status: 400, param: 'price_data[unit_amount]' }),
      );
      assert.equal(store.list('price').length, 0);
      assert.deepEqual(
        store.list('product').map((p) => p.name),
        ['Seat'],
      );
    });
  });
});
