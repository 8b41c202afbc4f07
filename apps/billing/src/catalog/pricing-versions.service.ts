import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type {
  ListPricingVersionsReplyV1,
  PricingVersionReplyV1,
  SetPricingRequestV1,
} from '@aegis/contracts';
import { StripeProvider } from '@aegis/stripe';
import { DataSource, In, LessThanOrEqual, type EntityManager } from 'typeorm';
import { BillingException, BillingExceptionCode, type FieldFault } from '../billing.exception.js';
import type { PricingModel } from '../pricing/pricing-model.js';
import { productOrThrow, refuseArchived } from './catalog-lookups.js';
import { CLOCK_SKEW_MS, pricingModelOf } from './catalog-input.js';
import { pricingVersionV1Of } from './catalog-replies.js';
import { PricingVersion } from './entities/pricing-version.entity.js';
import type { Product } from './entities/product.entity.js';
import { stripePriceParamsOf } from './stripe-catalog-params.js';

function newPricingVersionId(): string {
  return `pv_${randomBytes(12).toString('base64url')}`;
}

/**
 * A product's pricing versions: each in force from its `effectiveFrom` until
 * the next one's, so the version in force at a time is the one with the
 * latest `effectiveFrom` at or before it. Versions are never changed or
 * removed: the periods they priced keep their pricing.
 */
@Injectable()
export class PricingVersionsService {
  constructor(
    private readonly stripe: StripeProvider,
    private readonly dataSource: DataSource,
  ) {}

  /**
   * A new pricing version of the product, from `effectiveFrom` (default now,
   * never in the past beyond CLOCK_SKEW_MS), with its Stripe Price.
   */
  async set(request: SetPricingRequestV1): Promise<PricingVersionReplyV1> {
    const checked = pricingModelOf(request.pricing, 'pricing');
    const now = new Date();
    const effectiveFrom =
      request.effectiveFrom === undefined ? now : new Date(request.effectiveFrom);
    const faults: FieldFault[] = 'faults' in checked ? [...checked.faults] : [];
    if (effectiveFrom.getTime() < now.getTime() - CLOCK_SKEW_MS)
      faults.push({
        field: 'effective_from',
        message: 'must not be in the past: the periods already priced keep their pricing',
      });
    if ('faults' in checked || faults.length > 0)
      throw BillingException.invalid(BillingExceptionCode.INVALID_PRICING, faults);
    const version = await this.dataSource.transaction(async (manager) => {
      const product = await productOrThrow(manager, request.productId, { forChange: true });
      refuseArchived(product, 'be priced');
      return this.addVersion(manager, product, checked.value, effectiveFrom);
    });
    return { version: pricingVersionV1Of(version) };
  }

  /**
   * Adds the next version of `product` in the caller's transaction, which
   * holds the product's row lock, and makes its Stripe Price first: a Stripe
   * refusal writes nothing. PRICING_VERSION_EXISTS when a version starts at
   * that very instant.
   */
  async addVersion(
    manager: EntityManager,
    product: Product,
    pricing: PricingModel,
    effectiveFrom: Date,
  ): Promise<PricingVersion> {
    const { productId } = product;
    const clash = await manager.findOneBy(PricingVersion, { productId, effectiveFrom });
    if (clash !== null) {
      throw new BillingException(
        BillingExceptionCode.PRICING_VERSION_EXISTS,
        `product ${productId} has pricing version ${clash.version} effective from ${effectiveFrom.toISOString()} already`,
      );
    }
    const latest = await manager.findOne(PricingVersion, {
      where: { productId },
      order: { version: 'DESC' },
    });
    const number = (latest?.version ?? 0) + 1;
    const id = newPricingVersionId();
    const price = await this.stripe.createPrice(id, {
      ...stripePriceParamsOf(pricing, product.currency, product.stripeProductId),
      nickname: `${productId} v${number}`,
    });
    const version = manager.create(PricingVersion, {
      id,
      productId,
      version: number,
      pricing,
      effectiveFrom,
      stripePriceId: price.id,
      createdAt: new Date(),
    });
    await manager.insert(PricingVersion, version);
    return version;
  }

  /** Every version of the product, oldest first. */
  async list(productId: string): Promise<ListPricingVersionsReplyV1> {
    const { manager } = this.dataSource;
    await productOrThrow(manager, productId);
    const versions = await manager.find(PricingVersion, {
      where: { productId },
      order: { version: 'ASC' },
    });
    return { versions: versions.map(pricingVersionV1Of) };
  }

  /** The version of `productId` in force at `at`, or null before its first one. */
  async inForce(
    manager: EntityManager,
    productId: string,
    at: Date,
  ): Promise<PricingVersion | null> {
    return manager.findOne(PricingVersion, {
      where: { productId, effectiveFrom: LessThanOrEqual(at) },
      order: { effectiveFrom: 'DESC' },
    });
  }

  /** The version in force at `at` of each product that has one then, by product id. */
  async inForceOfEach(
    manager: EntityManager,
    productIds: readonly string[],
    at: Date,
  ): Promise<Map<string, PricingVersion>> {
    if (productIds.length === 0) return new Map();
    const versions = await manager
      .createQueryBuilder(PricingVersion, 'version')
      .distinctOn(['version.productId'])
      .where({ productId: In([...productIds]), effectiveFrom: LessThanOrEqual(at) })
      .orderBy('version.productId')
      .addOrderBy('version.effectiveFrom', 'DESC')
      .getMany();
    return new Map(versions.map((version) => [version.productId, version]));
  }
}
