import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { createdFilter } from '../core/list.js';
import type { Params } from '../core/params.js';
import { invalidRequest, parameterInvalid, parameterMissing } from '../core/stripe-error.js';
import { EventRecorder } from '../events/event-recorder.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore, snapshot } from '../store/sandbox-store.js';
import { mergeMetadata } from '../core/metadata.js';
import {
  buildPrice,
  checkPricing,
  INTERVALS,
  readAmount,
  readCurrency,
  readInlinePricing,
  readLookupKey,
  readRecurring,
  readTiers,
  readTransformQuantity,
  TAX_BEHAVIORS,
  type PriceDraft,
  type RecurringRule,
} from './price-input.js';
import {
  INLINE_PRODUCT_DATA_FIELDS,
  PRICE_PRODUCT_DATA_FIELDS,
  ProductsService,
  readProductDraft,
  type ProductDraft,
} from './products.service.js';

export type { RecurringRule } from './price-input.js';

const MAX_LOOKUP_KEYS = 10;

function inlineMarkerId(priceId: string): string {
  return `sandbox_inline_${priceId}`;
}

/** Where a new price belongs: an existing product, or a new one from `product_data`. */
type ProductChoice = { readonly existing: string } | { readonly draft: ProductDraft };

/**
 * Reads `product` or `product_data` (exactly one). Inline `price_data` names
 * a missing product as a missing parameter, the prices API with its own
 * message.
 */
function readProductChoice(params: Params, inline: boolean): ProductChoice {
  const product = params.string('product');
  const productData = params.object('product_data');
  const draft =
    productData === undefined
      ? undefined
      : readProductDraft(
          productData,
          inline ? INLINE_PRODUCT_DATA_FIELDS : PRICE_PRODUCT_DATA_FIELDS,
        );
  if (product !== undefined && draft !== undefined) {
    throw invalidRequest(
      'You may only specify one of these parameters: product, product_data.',
      params.path('product'),
    );
  }
  if (product !== undefined) return { existing: product };
  if (draft !== undefined) return { draft };
  if (inline) throw parameterMissing(params.path('product'));
  throw invalidRequest(
    'You must specify either `product` or `product_data` when creating a price.',
    params.path('product'),
  );
}

@Injectable()
export class PricesService {
  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly events: EventRecorder,
    private readonly products: ProductsService,
  ) {}

  /** A stored price by id; a missing one is Stripe's 404 naming `param`. */
  get(id: string, param: string): Stripe.Price {
    return this.store.get('price', id, 'price', param);
  }

  /**
   * Like `get`, for a new purchase (a subscription item, a checkout line):
   * an archived price is Stripe's "The price specified is inactive" (400).
   */
  getActive(id: string, param: string): Stripe.Price {
    const price = this.get(id, param);
    if (!price.active) {
      throw invalidRequest(
        'The price specified is inactive. This field only accepts active prices.',
        param,
      );
    }
    return price;
  }

  private productFor(choice: ProductChoice, param: string): Stripe.Product {
    return 'existing' in choice
      ? this.products.reference(choice.existing, param)
      : this.products.insert(choice.draft);
  }

  /**
   * Creates the price an inline `price_data` hash describes (Stripe stores
   * such prices as inactive prices of the given product, or of a new product
   * made from `product_data`, and leaves them out of price lists). Reads and
   * checks the whole hash, unknown keys included (`recurring` is one where
   * the rule is `forbidden`); call inside a store transaction.
   */
  createFromPriceData(priceData: Params, options: { recurring: RecurringRule }): Stripe.Price {
    const product = readProductChoice(priceData, true);
    const pricing = readInlinePricing(priceData, options.recurring);
    priceData.done();
    const draft: PriceDraft = {
      ...pricing,
      active: false,
      nickname: null,
      lookupKey: null,
      metadata: {},
    };
    const price = this.store.insert(
      'price',
      buildPrice(draft, this.productFor(product, priceData.path('product')).id, this.clock.now()),
    );
    this.store.insert('sandbox.inline_price', {
      id: inlineMarkerId(price.id),
      object: 'sandbox.inline_price',
      created: price.created,
      price: price.id,
    });
    this.events.record('price.created', price);
    return price;
  }

  /** `POST /v1/prices`. */
  create(params: Params): Stripe.Price {
    const product = readProductChoice(params, false);
    const recurringParams = params.object('recurring');
    const draft: PriceDraft = {
      currency: readCurrency(params),
      billingScheme: params.oneOf('billing_scheme', ['per_unit', 'tiered'] as const) ?? 'per_unit',
      unitAmount: readAmount(params, 'unit_amount', 'unit_amount_decimal'),
      tiers: readTiers(params),
      tiersMode: params.oneOf('tiers_mode', ['graduated', 'volume'] as const),
      recurring: recurringParams === undefined ? null : readRecurring(recurringParams, true),
      transformQuantity: readTransformQuantity(params) ?? null,
      taxBehavior: params.oneOf('tax_behavior', TAX_BEHAVIORS) ?? 'unspecified',
      active: params.boolean('active') ?? true,
      nickname: params.nullableString('nickname') ?? null,
      lookupKey: readLookupKey(params) ?? null,
      metadata: mergeMetadata({}, params.metadata() ?? {}),
    };
    const transferLookupKey = params.boolean('transfer_lookup_key') ?? false;
    params.done();
    checkPricing(draft, params);
    return this.store.transaction(() => {
      const productId = this.productFor(product, 'product').id;
      if (draft.lookupKey !== null) this.claimLookupKey(draft.lookupKey, transferLookupKey, null);
      const price = this.store.insert('price', buildPrice(draft, productId, this.clock.now()));
      this.events.record('price.created', price);
      return price;
    });
  }

  /**
   * Makes `lookupKey` free for `owner`: another price holding it is an error,
   * or, with `transfer`, loses the key (and says so with its own
   * `price.updated`, before the owner's event).
   */
  private claimLookupKey(lookupKey: string, transfer: boolean, owner: string | null): void {
    const holder = this.store
      .list('price', (price) => price.lookup_key === lookupKey && price.id !== owner)
      .at(0);
    if (holder === undefined) return;
    if (!transfer) {
      throw invalidRequest(
        `A price (\`${holder.id}\`) already uses that lookup key.`,
        'lookup_key',
      );
    }
    const before = snapshot(holder);
    holder.lookup_key = null;
    this.events.recordUpdate('price.updated', before, holder);
  }

  /** `POST /v1/prices/:id`: active, metadata, nickname, lookup_key (with transfer) and tax_behavior. */
  update(id: string, params: Params): Stripe.Price {
    const active = params.boolean('active');
    const metadata = params.metadata();
    const nickname = params.nullableString('nickname');
    const lookupKey = readLookupKey(params);
    const transferLookupKey = params.boolean('transfer_lookup_key') ?? false;
    const taxBehavior = params.oneOf('tax_behavior', TAX_BEHAVIORS);
    params.done();
    return this.store.transaction(() => {
      const price = this.store.get('price', id, 'price', 'price');
      const before = snapshot(price);
      if (active === false && price.active) this.checkArchivable(price);
      if (taxBehavior !== undefined && taxBehavior !== price.tax_behavior) {
        if (price.tax_behavior !== 'unspecified' && price.tax_behavior !== null) {
          throw invalidRequest(
            'The tax_behavior of a price cannot be changed once it is `inclusive` or `exclusive`.',
            'tax_behavior',
          );
        }
        price.tax_behavior = taxBehavior;
      }
      if (lookupKey !== undefined && lookupKey !== null) {
        this.claimLookupKey(lookupKey, transferLookupKey, price.id);
      }
      if (active !== undefined) price.active = active;
      if (metadata !== undefined) price.metadata = mergeMetadata(price.metadata, metadata);
      if (nickname !== undefined) price.nickname = nickname;
      if (lookupKey !== undefined) price.lookup_key = lookupKey;
      this.events.recordUpdate('price.updated', before, price);
      return price;
    });
  }

  private checkArchivable(price: Stripe.Price): void {
    const productId = typeof price.product === 'string' ? price.product : price.product.id;
    if (this.store.find('product', productId)?.default_price === price.id) {
      throw invalidRequest(
        'This price cannot be archived because it is the default price of its product.',
        'active',
      );
    }
  }

  /**
   * Prices matching `GET /v1/prices`' filters, newest first (paging is the
   * caller's). Like Stripe: active prices unless `active=false` is asked
   * for, and never inline prices.
   */
  list(params: Params): Stripe.Price[] {
    const active = params.boolean('active') ?? true;
    const product = params.string('product');
    const type = params.oneOf('type', ['one_time', 'recurring'] as const);
    const currency = params.string('currency')?.toLowerCase();
    const recurring = params.object('recurring');
    const interval = recurring?.oneOf('interval', INTERVALS);
    const usageType = recurring?.oneOf('usage_type', ['licensed', 'metered'] as const);
    const meter = recurring?.string('meter');
    const lookupKeys = params.strings('lookup_keys');
    const created = createdFilter(params);
    if (lookupKeys !== undefined && lookupKeys.length > MAX_LOOKUP_KEYS) {
      throw parameterInvalid(
        'lookup_keys',
        `You can pass at most ${MAX_LOOKUP_KEYS} lookup keys.`,
        'parameter_invalid_array',
      );
    }
    if (product !== undefined) this.products.reference(product, 'product');
    return this.store.list(
      'price',
      (price) =>
        price.active === active &&
        this.store.kindOf(inlineMarkerId(price.id)) === undefined &&
        (product === undefined || price.product === product) &&
        (type === undefined || price.type === type) &&
        (currency === undefined || price.currency === currency) &&
        (interval === undefined || price.recurring?.interval === interval) &&
        (usageType === undefined || price.recurring?.usage_type === usageType) &&
        (meter === undefined || price.recurring?.meter === meter) &&
        (lookupKeys === undefined ||
          (price.lookup_key !== null && lookupKeys.includes(price.lookup_key))) &&
        created(price.created),
    );
  }
}
