import { beforeEach, describe, it, expect } from '@jest/globals';
import { defined, thrownBy } from '@aegis/testing';
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

function expectStripeError(
  work: () => unknown,
  expected: { status: number; code?: string; param: string },
): void {
  const error = thrownBy(work, StripeApiError);
  expect(error.status).toBe(expected.status);
  expect(error.body.param).toBe(expected.param);
  if (expected.code !== undefined) expect(error.body.code).toBe(expected.code);
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
      expect(price.id).toMatch(/^price_/);
      expect(price.active).toBe(false);
      expect(price.product).toBe(product);
      expect(price.type).toBe('recurring');
      const recurring = defined(price.recurring, 'price.recurring');
      expect(recurring.interval).toBe('month');
      expect(recurring.interval_count).toBe(2);
      expect(price.tax_behavior).toBe('exclusive');
      expect(price.unit_amount).toBeNull();
      expect(String(price.unit_amount_decimal)).toBe('0.125');
      expect(amountForQuantity(price, 8)).toBe(1);
      expect(prices.get(price.id, 'price').id).toBe(price.id);
      const created = store.list('event', (event) => event.type === 'price.created');
      expect(created.map((event) => (event.data.object as { id: string }).id)).toStrictEqual([
        price.id,
      ]);
    });

    it('makes a product from product_data, with its product.created event', () => {
      const price = createFromPriceData(
        'price_data[currency]=eur&price_data[product_data][name]=Consulting&price_data[product_data][description]=Hourly&price_data[unit_amount]=15000',
        'optional',
      );
      expect(price.type).toBe('one_time');
      expect(price.unit_amount).toBe(15000);
      const productRef = price.product;
      if (typeof productRef !== 'string') {
        throw new Error(`expected price.product to be an id, got ${JSON.stringify(productRef)}`);
      }
      const product = defined(store.find('product', productRef), 'the product');
      expect(product.name).toBe('Consulting');
      expect(product.description).toBe('Hourly');
      // Newest first: the product came before its price.
      expect(store.list('event').map((event) => event.type)).toStrictEqual([
        'price.created',
        'product.created',
      ]);
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
      expect(inactive).toStrictEqual([archived.id]);
      expect(inactive).not.toContain(inline.id);
    });

    it('follows the recurring rule of the caller', () => {
      const product = productId();
      const base = `price_data[currency]=usd&price_data[product]=${product}&price_data[unit_amount]=100`;
      expectStripeError(
        () => createFromPriceData(`${base}&price_data[recurring][interval]=month`, 'forbidden'),
        {
          status: 400,
          code: 'parameter_unknown',
          param: 'price_data[recurring]',
        },
      );
      expectStripeError(() => createFromPriceData(base, 'required'), {
        status: 400,
        code: 'parameter_missing',
        param: 'price_data[recurring]',
      });
      expectStripeError(
        () =>
          createFromPriceData(
            `${base}&price_data[recurring][interval]=month&price_data[recurring][usage_type]=metered`,
            'required',
          ),
        {
          status: 400,
          code: 'parameter_unknown',
          param: 'price_data[recurring][usage_type]',
        },
      );
    });

    it('names nested parameters in its errors and keeps nothing of a refused hash', () => {
      const product = productId();
      expectStripeError(
        () => createFromPriceData('price_data[currency]=usd&price_data[unit_amount]=1', 'optional'),
        {
          status: 400,
          code: 'parameter_missing',
          param: 'price_data[product]',
        },
      );
      expectStripeError(
        () =>
          createFromPriceData(
            'price_data[currency]=usd&price_data[product]=prod_missing&price_data[unit_amount]=1',
            'optional',
          ),
        {
          status: 400,
          code: 'resource_missing',
          param: 'price_data[product]',
        },
      );
      expectStripeError(
        () =>
          createFromPriceData(
            `price_data[currency]=usd&price_data[product]=${product}&price_data[unit_amount]=1&price_data[unit_amount_decimal]=1`,
            'optional',
          ),
        { status: 400, param: 'price_data[unit_amount]' },
      );
      expectStripeError(
        () =>
          createFromPriceData(
            'price_data[currency]=usd&price_data[product_data][name]=Orphan',
            'optional',
          ),
        { status: 400, param: 'price_data[unit_amount]' },
      );
      expect(store.list('price').length).toBe(0);
      expect(store.list('product').map((p) => p.name)).toStrictEqual(['Seat']);
    });
  });
});
