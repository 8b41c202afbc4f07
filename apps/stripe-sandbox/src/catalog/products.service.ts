import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import type { Params } from '../core/params.js';
import {
  invalidRequest,
  parameterInvalid,
  resourceMissing,
  StripeApiError,
} from '../core/stripe-error.js';
import { EventRecorder } from '../events/event-recorder.js';
import { newId } from '../store/ids.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore, snapshot } from '../store/sandbox-store.js';
import { mergeMetadata } from '../core/metadata.js';
import { buildPrice, readInlinePricing, type PriceDraft } from './price-input.js';

const MAX_IMAGES = 8;
const MAX_UNIT_LABEL_LENGTH = 12;
const MAX_STATEMENT_DESCRIPTOR_LENGTH = 22;

/** The fields of a new product, checked. */
export interface ProductDraft {
  readonly id: string | undefined;
  readonly name: string;
  readonly active: boolean;
  readonly description: string | null;
  readonly images: string[];
  readonly metadata: Stripe.Metadata;
  readonly shippable: boolean | null;
  readonly statementDescriptor: string | null;
  readonly taxCode: string | null;
  readonly type: 'good' | 'service';
  readonly unitLabel: string | null;
  readonly url: string | null;
}

/** Stripe's answer to `''` for a field that cannot be unset. */
function parameterInvalidEmpty(param: string): StripeApiError {
  return parameterInvalid(
    param,
    `You passed an empty string for '${param}'. We assume empty values are an attempt to unset a parameter; however '${param}' cannot be unset. You should remove '${param}' from your request or supply a non-empty value.`,
    'parameter_invalid_empty',
  );
}

/** A product named by a parameter (not the URL): missing is a 400, as Stripe answers. */
function missingReference(noun: string, id: string, param: string): StripeApiError {
  return new StripeApiError(400, resourceMissing(noun, id, param).body);
}

function checkUrl(url: string, param: string): string {
  if (!/^https?:\/\/[^\s/$.?#][^\s]*$/i.test(url)) {
    throw invalidRequest(`Not a valid URL: ${url}`, param);
  }
  return url;
}

function readName(params: Params, required: boolean): string | undefined {
  const name = required ? params.requiredString('name') : params.string('name');
  if (name?.trim() === '') throw parameterInvalidEmpty(params.path('name'));
  return name?.trim();
}

function readImages(params: Params): string[] | undefined {
  const images = params.strings('images');
  if (images === undefined) return undefined;
  if (images.length > MAX_IMAGES) {
    throw parameterInvalid(
      params.path('images'),
      `You can only provide up to ${MAX_IMAGES} images.`,
    );
  }
  return images.map((image, index) => checkUrl(image, `${params.path('images')}[${index}]`));
}

function readUnitLabel(params: Params): string | null | undefined {
  const unitLabel = params.nullableString('unit_label');
  if (typeof unitLabel === 'string' && unitLabel.length > MAX_UNIT_LABEL_LENGTH) {
    throw parameterInvalid(
      params.path('unit_label'),
      `Invalid unit_label: must be at most ${MAX_UNIT_LABEL_LENGTH} characters`,
    );
  }
  return unitLabel;
}

function readStatementDescriptor(params: Params): string | undefined {
  const descriptor = params.string('statement_descriptor');
  if (descriptor === undefined || descriptor === '') return undefined;
  if (descriptor.length > MAX_STATEMENT_DESCRIPTOR_LENGTH || /[<>\\'"*]/.test(descriptor)) {
    throw parameterInvalid(
      params.path('statement_descriptor'),
      `The statement descriptor must be at most ${MAX_STATEMENT_DESCRIPTOR_LENGTH} characters and cannot contain any of the special characters <, >, \\, ', " or *.`,
    );
  }
  if (!/[a-z]/i.test(descriptor)) {
    throw parameterInvalid(
      params.path('statement_descriptor'),
      'The statement descriptor must contain at least one letter.',
    );
  }
  return descriptor;
}

function readTaxCode(params: Params): string | null | undefined {
  const taxCode = params.nullableString('tax_code');
  if (typeof taxCode === 'string' && !/^txcd_\d{8}$/.test(taxCode)) {
    throw missingReference('tax code', taxCode, params.path('tax_code'));
  }
  return taxCode;
}

function readUrl(params: Params): string | null | undefined {
  const url = params.nullableString('url');
  return typeof url === 'string' ? checkUrl(url, params.path('url')) : url;
}

export type ProductField =
  | 'active'
  | 'description'
  | 'id'
  | 'images'
  | 'metadata'
  | 'shippable'
  | 'statement_descriptor'
  | 'tax_code'
  | 'type'
  | 'unit_label'
  | 'url';

const ALL_PRODUCT_FIELDS: readonly ProductField[] = [
  'active',
  'description',
  'id',
  'images',
  'metadata',
  'shippable',
  'statement_descriptor',
  'tax_code',
  'type',
  'unit_label',
  'url',
];

/** The fields of `product_data` on `POST /v1/prices`. */
export const PRICE_PRODUCT_DATA_FIELDS: readonly ProductField[] = [
  'active',
  'id',
  'metadata',
  'statement_descriptor',
  'tax_code',
  'unit_label',
];

/** The fields of `price_data[product_data]` (checkout line items). */
export const INLINE_PRODUCT_DATA_FIELDS: readonly ProductField[] = [
  'description',
  'images',
  'metadata',
  'tax_code',
  'unit_label',
];

/**
 * Reads a new product's `name` and the given other fields (all those of
 * `POST /v1/products` by default; a `product_data` hash has fewer, and any
 * other key is left unread, for `done()` to refuse as Stripe does).
 */
export function readProductDraft(
  params: Params,
  fields: readonly ProductField[] = ALL_PRODUCT_FIELDS,
): ProductDraft {
  const read = <T>(field: ProductField, reader: () => T): T | undefined =>
    fields.includes(field) ? reader() : undefined;
  const name = readName(params, true) ?? '';
  const draft: ProductDraft = {
    id: read('id', () => params.string('id')),
    name,
    active: read('active', () => params.boolean('active')) ?? true,
    description: read('description', () => params.nullableString('description')) ?? null,
    images: read('images', () => readImages(params)) ?? [],
    metadata: mergeMetadata({}, read('metadata', () => params.metadata()) ?? {}),
    shippable: read('shippable', () => params.boolean('shippable')) ?? null,
    statementDescriptor:
      read('statement_descriptor', () => readStatementDescriptor(params)) ?? null,
    taxCode: read('tax_code', () => readTaxCode(params)) ?? null,
    type: read('type', () => params.oneOf('type', ['good', 'service'] as const)) ?? 'service',
    unitLabel: read('unit_label', () => readUnitLabel(params)) ?? null,
    url: read('url', () => readUrl(params)) ?? null,
  };
  if (draft.id === '') throw parameterInvalidEmpty(params.path('id'));
  return draft;
}

@Injectable()
export class ProductsService {
  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly events: EventRecorder,
  ) {}

  /** A product named by a request parameter; missing is Stripe's 400 `resource_missing`. */
  reference(id: string, param: string): Stripe.Product {
    const product = this.store.find('product', id);
    if (product === undefined) throw missingReference('product', id, param);
    return product;
  }

  /**
   * Inserts a product from a checked draft and records `product.created`.
   * Inside a store transaction.
   */
  insert(draft: ProductDraft, defaultPrice?: Stripe.Price): Stripe.Product {
    if (draft.id !== undefined && this.store.kindOf(draft.id) !== undefined) {
      throw new StripeApiError(400, {
        type: 'invalid_request_error',
        code: 'resource_already_exists',
        param: 'id',
        message: 'Product already exists.',
      });
    }
    const now = this.clock.now();
    const product = this.store.insert('product', {
      id: draft.id ?? newId('prod', 14),
      object: 'product',
      active: draft.active,
      created: now,
      default_price: defaultPrice?.id ?? null,
      description: draft.description,
      images: draft.images,
      livemode: false,
      marketing_features: [],
      metadata: draft.metadata,
      name: draft.name,
      package_dimensions: null,
      shippable: draft.shippable,
      statement_descriptor: draft.statementDescriptor,
      tax_code: draft.taxCode,
      tax_details: null,
      type: draft.type,
      unit_label: draft.unitLabel,
      updated: now,
      url: draft.url,
    });
    this.events.record('product.created', product);
    return product;
  }

  /** `POST /v1/products`, with `default_price_data` making its default price. */
  create(params: Params): Stripe.Product {
    const draft = readProductDraft(params);
    const defaultPriceParams = params.object('default_price_data');
    const defaultPrice: PriceDraft | undefined =
      defaultPriceParams === undefined
        ? undefined
        : {
            ...readInlinePricing(defaultPriceParams, 'optional'),
            active: true,
            nickname: null,
            lookupKey: null,
            metadata: mergeMetadata({}, defaultPriceParams.metadata() ?? {}),
          };
    params.done();
    return this.store.transaction(() => {
      if (defaultPrice === undefined) return this.insert(draft);
      const id = draft.id ?? newId('prod', 14);
      const price = buildPrice(defaultPrice, id, this.clock.now());
      const product = this.insert({ ...draft, id }, price);
      this.store.insert('price', price);
      this.events.record('price.created', price);
      return product;
    });
  }

  update(id: string, params: Params): Stripe.Product {
    const name = readName(params, false);
    const active = params.boolean('active');
    const defaultPrice = params.string('default_price');
    const description = params.nullableString('description');
    const images = readImages(params);
    const metadata = params.metadata();
    const shippable = params.boolean('shippable');
    const statementDescriptor = readStatementDescriptor(params);
    const taxCode = readTaxCode(params);
    const unitLabel = readUnitLabel(params);
    const url = readUrl(params);
    params.done();
    if (defaultPrice === '') throw parameterInvalidEmpty('default_price');
    return this.store.transaction(() => {
      const product = this.store.get('product', id, 'product');
      const before = snapshot(product);
      if (name !== undefined) product.name = name;
      if (active !== undefined) product.active = active;
      if (defaultPrice !== undefined)
        product.default_price = this.defaultPriceOf(product, defaultPrice);
      if (description !== undefined) product.description = description;
      if (images !== undefined) product.images = images;
      if (metadata !== undefined) product.metadata = mergeMetadata(product.metadata, metadata);
      if (shippable !== undefined) product.shippable = shippable;
      if (statementDescriptor !== undefined) product.statement_descriptor = statementDescriptor;
      if (taxCode !== undefined) product.tax_code = taxCode;
      if (unitLabel !== undefined) product.unit_label = unitLabel;
      if (url !== undefined) product.url = url;
      if (JSON.stringify(before) !== JSON.stringify(product)) product.updated = this.clock.now();
      this.events.recordUpdate('product.updated', before, product);
      return product;
    });
  }

  private defaultPriceOf(product: Stripe.Product, priceId: string): string {
    const price = this.store.find('price', priceId);
    if (price === undefined) throw missingReference('price', priceId, 'default_price');
    if (price.product !== product.id) {
      throw invalidRequest(
        `The price \`${priceId}\` does not belong to this product.`,
        'default_price',
      );
    }
    return price.id;
  }

  /** Deletes a product that has no prices (Stripe keeps priced products: archive them instead). */
  remove(id: string): Stripe.DeletedProduct {
    return this.store.transaction(() => {
      const product = this.store.get('product', id, 'product');
      if (this.store.list('price', (price) => price.product === id).length > 0) {
        throw invalidRequest(
          'This product cannot be deleted because it has one or more user-created prices.',
        );
      }
      this.store.remove('product', id);
      this.events.record('product.deleted', product);
      return { id, object: 'product', deleted: true };
    });
  }

  /** Products matching `GET /v1/products`' filters, newest first (paging is the caller's). */
  list(params: Params): Stripe.Product[] {
    const active = params.boolean('active');
    const ids = params.strings('ids');
    const shippable = params.boolean('shippable');
    const type = params.oneOf('type', ['good', 'service'] as const);
    const url = params.string('url');
    if (ids !== undefined) {
      for (const cursor of ['starting_after', 'ending_before']) {
        if (params.has(cursor)) {
          throw invalidRequest(`You may only specify one of these parameters: ids, ${cursor}.`);
        }
      }
    }
    return this.store.list(
      'product',
      (product) =>
        (active === undefined || product.active === active) &&
        (ids === undefined || ids.includes(product.id)) &&
        (shippable === undefined || product.shippable === shippable) &&
        (type === undefined || product.type === type) &&
        (url === undefined || product.url === url),
    );
  }
}
