import { isDeepStrictEqual } from 'node:util';
import { Injectable } from '@nestjs/common';
import {
  CATALOG_PRODUCT_CREATED_V1,
  CATALOG_PRODUCT_UPDATED_V1,
  type CreateProductReplyV1,
  type CreateProductRequestV1,
  type ListProductsReplyV1,
  type ListProductsRequestV1,
  type ProductReplyV1,
  type UpdateProductRequestV1,
} from '@aegis/contracts';
import { EventPublisher } from '@aegis/messaging';
import { lockUntilCommit, paginateNewestFirst } from '@aegis/persistence';
import { StripeProvider } from '@aegis/stripe';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { BillingException, BillingExceptionCode, type FieldFault } from '../billing.exception.js';
import { productOrThrow } from './catalog-lookups.js';
import {
  BEGINNING_OF_TIME,
  nextChangeTime,
  pricingModelOf,
  productMeteringOf,
  productMetadataFaults,
  textOrNull,
} from './catalog-input.js';
import { catalogProductOf, productV1Of } from './catalog-replies.js';
import { Product } from './entities/product.entity.js';
import { PricingVersionsService } from './pricing-versions.service.js';
import {
  stripeProductChangeOf,
  stripeProductParamsOf,
  type StripeProductFields,
} from './stripe-catalog-params.js';

function stripeFieldsOf(product: Product): StripeProductFields {
  return {
    name: product.name,
    description: product.description,
    unitLabel: product.unitLabel,
    metadata: product.metadata,
  };
}

/**
 * The catalogue's products, each with its Stripe Product. A change commits
 * with its `catalog.product.*.v1` event (the outbox) and only after Stripe
 * took it, while the product's lock is held: a failure anywhere writes
 * nothing here.
 */
@Injectable()
export class ProductsService {
  constructor(
    private readonly stripe: StripeProvider,
    private readonly publisher: EventPublisher,
    private readonly dataSource: DataSource,
    private readonly versions: PricingVersionsService,
  ) {}

  /**
   * Creates the product with its first pricing version: per unit at
   * `unitAmountDecimal`, effective from the beginning of time (so it prices
   * any period). Calls for one id run one at a time; PRODUCT_ID_TAKEN when
   * the id is in the catalogue already.
   */
  async create(request: CreateProductRequestV1): Promise<CreateProductReplyV1> {
    const metering = productMeteringOf(request);
    const firstPricing = pricingModelOf(
      { model: 'per_unit', unitAmountDecimal: request.unitAmountDecimal },
      '',
    );
    const metadata = request.metadata ?? {};
    const faults: FieldFault[] = [
      ...('faults' in metering ? metering.faults : []),
      ...('faults' in firstPricing ? firstPricing.faults : []),
      ...productMetadataFaults(metadata),
    ];
    if ('faults' in metering || 'faults' in firstPricing || faults.length > 0)
      throw BillingException.invalid(BillingExceptionCode.INVALID_PRODUCT, faults);
    const { productId } = request;
    return this.dataSource.transaction(async (manager) => {
      await lockUntilCommit(manager, `billing.product:${productId}`);
      if (await manager.existsBy(Product, { productId })) {
        throw new BillingException(
          BillingExceptionCode.PRODUCT_ID_TAKEN,
          `product id ${productId} is in the catalogue already`,
        );
      }
      const now = new Date();
      const fields: StripeProductFields = {
        name: request.name,
        description: textOrNull(request.description),
        unitLabel: textOrNull(request.unitLabel),
        metadata,
      };
      const stripeProduct = await this.stripe.createProduct(
        productId,
        stripeProductParamsOf(fields),
      );
      const product = manager.create(Product, {
        productId,
        ...fields,
        metadata: { ...metadata },
        pricingType: request.pricingType,
        currency: request.currency,
        ...metering.value,
        stripeProductId: stripeProduct.id,
        archivedAt: null,
        createdAt: now,
        updatedAt: now,
      });
      await manager.insert(Product, product);
      const version = await this.versions.addVersion(
        manager,
        product,
        firstPricing.value,
        BEGINNING_OF_TIME,
      );
      await this.publisher.publish(manager, CATALOG_PRODUCT_CREATED_V1, catalogProductOf(product));
      return { product: productV1Of(product, version) };
    });
  }

  async get(productId: string): Promise<ProductReplyV1> {
    const { manager } = this.dataSource;
    return { product: await this.withPricing(manager, await productOrThrow(manager, productId)) };
  }

  /**
   * A page of the catalogue, newest first, of one pricing type if asked;
   * archived products only with `includeArchived`. A cursor that is not a
   * product of that list is a PageCursorError.
   */
  async list(request: ListProductsRequestV1): Promise<ListProductsReplyV1> {
    const { manager } = this.dataSource;
    const query = manager.createQueryBuilder(Product, 'product');
    if (request.pricingType !== undefined) query.andWhere({ pricingType: request.pricingType });
    if (request.includeArchived !== true) query.andWhere({ archivedAt: IsNull() });
    const { items, hasMore } = await paginateNewestFirst(
      query,
      { alias: 'product', id: 'productId', createdAt: 'createdAt' },
      request,
    );
    const now = new Date();
    const current = await this.versions.inForceOfEach(
      manager,
      items.map((product) => product.productId),
      now,
    );
    return {
      products: items.map((product) =>
        productV1Of(product, this.currentOf(product, current.get(product.productId))),
      ),
      hasMore,
    };
  }

  /**
   * Changes the name, description, unit label or metadata (replaced as a
   * whole); pricing type, currency and aggregation never change. A request
   * that changes nothing calls nobody and publishes nothing.
   */
  async update(request: UpdateProductRequestV1): Promise<ProductReplyV1> {
    const metadataFaults =
      request.metadata === undefined ? [] : productMetadataFaults(request.metadata);
    if (metadataFaults.length > 0)
      throw BillingException.invalid(BillingExceptionCode.INVALID_PRODUCT, metadataFaults);
    return this.dataSource.transaction(async (manager) => {
      const product = await productOrThrow(manager, request.productId, { forChange: true });
      const before = stripeFieldsOf(product);
      const after: StripeProductFields = {
        name: request.name ?? before.name,
        description:
          request.description === undefined ? before.description : textOrNull(request.description),
        unitLabel:
          request.unitLabel === undefined ? before.unitLabel : textOrNull(request.unitLabel),
        metadata: request.metadata === undefined ? before.metadata : { ...request.metadata },
      };
      if (isDeepStrictEqual(before, after))
        return { product: await this.withPricing(manager, product) };
      const updatedAt = nextChangeTime(product.updatedAt);
      await this.stripe.updateProduct(
        product.productId,
        product.stripeProductId,
        updatedAt,
        stripeProductChangeOf(before, after),
      );
      Object.assign(product, after, { updatedAt });
      await manager.update(Product, { productId: product.productId }, { ...after, updatedAt });
      await this.publisher.publish(manager, CATALOG_PRODUCT_UPDATED_V1, catalogProductOf(product));
      return { product: await this.withPricing(manager, product) };
    });
  }

  /**
   * Archives the product and its Stripe Product (`active=false`): it keeps
   * its history but can no longer be priced, discounted or quoted. Archiving
   * an archived product changes nothing.
   */
  async archive(productId: string): Promise<ProductReplyV1> {
    return this.dataSource.transaction(async (manager) => {
      const product = await productOrThrow(manager, productId, { forChange: true });
      if (product.archivedAt === null) {
        const archivedAt = nextChangeTime(product.updatedAt);
        await this.stripe.archiveProduct(productId, product.stripeProductId);
        Object.assign(product, { archivedAt, updatedAt: archivedAt });
        await manager.update(Product, { productId }, { archivedAt, updatedAt: archivedAt });
        await this.publisher.publish(
          manager,
          CATALOG_PRODUCT_UPDATED_V1,
          catalogProductOf(product),
        );
      }
      return { product: await this.withPricing(manager, product) };
    });
  }

  private async withPricing(
    manager: EntityManager,
    product: Product,
  ): Promise<ProductReplyV1['product']> {
    const current = await this.versions.inForce(manager, product.productId, new Date());
    return productV1Of(product, this.currentOf(product, current ?? undefined));
  }

  /** Every product has a version in force now: its first is in force from the beginning of time. */
  private currentOf<T>(product: Product, version: T | undefined): T {
    if (version === undefined)
      throw new Error(`product ${product.productId} has no pricing version in force`);
    return version;
  }
}
