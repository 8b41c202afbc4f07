import { Injectable } from '@nestjs/common';
import type { QuoteRequestV1, QuoteV1 } from '@aegis/contracts';
import { DataSource } from 'typeorm';
import { BillingException, BillingExceptionCode } from '../billing.exception.js';
import { applyDiscount, priceQuantity } from '../pricing/pricing-engine.js';
import type { PriceBreakdown } from '../pricing/pricing-model.js';
import { productOrThrow, refuseArchived, requireRegisteredCustomer } from './catalog-lookups.js';
import { DiscountsService, engineDiscountOf } from './discounts.service.js';
import { PricingVersionsService } from './pricing-versions.service.js';

/**
 * What a quantity of a product costs at a time: the pricing version then in
 * force, priced by the engine (one rounding per line), less the customer's
 * discount then in force, never below zero. An unknown product is
 * PRODUCT_NOT_FOUND (404), an archived one PRODUCT_ARCHIVED (409).
 */
@Injectable()
export class QuotesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly versions: PricingVersionsService,
    private readonly discounts: DiscountsService,
  ) {}

  async quote(request: QuoteRequestV1): Promise<QuoteV1> {
    const at = request.at === undefined ? new Date() : new Date(request.at);
    // One snapshot: the product, its version and the discount as they stood together.
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const product = await productOrThrow(manager, request.productId);
      refuseArchived(product, 'be quoted');
      if (request.customerId !== undefined)
        await requireRegisteredCustomer(manager, request.customerId);
      const version = await this.versions.inForce(manager, product.productId, at);
      if (version === null) {
        throw BillingException.invalid(BillingExceptionCode.INVALID_QUOTE, [
          { field: 'at', message: `product ${product.productId} had no pricing then` },
        ]);
      }
      const breakdown = this.priced(() =>
        priceQuantity(version.pricing, request.quantity, product.currency),
      );
      const discount =
        request.customerId === undefined
          ? null
          : await this.discounts.inForce(manager, request.customerId, product.productId, at);
      const { amount, discountApplied } = applyDiscount(
        breakdown.subtotal,
        engineDiscountOf(discount),
      );
      return {
        productId: product.productId,
        amount,
        quantity: request.quantity,
        unitPrice: breakdown.unitPrice,
        subtotal: breakdown.subtotal,
        discountApplied,
        currency: product.currency,
        tiers: breakdown.tiers.map((tier) => ({ ...tier })),
        pricingVersionId: version.id,
      };
    });
  }

  /** The engine's RangeError (a total beyond what a number holds exactly) is the quantity's fault. */
  private priced(price: () => PriceBreakdown): PriceBreakdown {
    try {
      return price();
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw BillingException.invalid(BillingExceptionCode.INVALID_QUOTE, [
        { field: 'quantity', message: error.message },
      ]);
    }
  }
}
