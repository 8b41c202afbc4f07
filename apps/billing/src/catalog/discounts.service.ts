import { Injectable } from '@nestjs/common';
import type {
  ClearDiscountReplyV1,
  ClearDiscountRequestV1,
  DiscountReplyV1,
  SetDiscountRequestV1,
} from '@aegis/contracts';
import { lockUntilCommit } from '@aegis/persistence';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { BillingException, BillingExceptionCode } from '../billing.exception.js';
import type { Discount } from '../pricing/pricing-model.js';
import { productOrThrow, refuseArchived, requireRegisteredCustomer } from './catalog-lookups.js';
import { discountTermsOf, isInForce } from './catalog-input.js';
import { discountV1Of } from './catalog-replies.js';
import { CustomerDiscount } from './entities/customer-discount.entity.js';

/** A stored discount as the pricing engine takes it. */
export function engineDiscountOf(row: CustomerDiscount | null): Discount | null {
  if (row === null) return null;
  return row.percentOff !== null
    ? { percentOff: row.percentOff }
    : { amountOff: row.amountOff ?? 0 };
}

/**
 * Customers' discounts: at most one per customer and product, and one for
 * all of a customer's products. At a quote's time, the customer's discount
 * for that product wins over the all-products one when both are in force.
 */
@Injectable()
export class DiscountsService {
  constructor(private readonly dataSource: DataSource) {}

  /** Sets (or replaces) the customer's discount for the product, or for all products. */
  async set(request: SetDiscountRequestV1): Promise<DiscountReplyV1> {
    const terms = discountTermsOf(request);
    if ('faults' in terms)
      throw BillingException.invalid(BillingExceptionCode.INVALID_DISCOUNT, terms.faults);
    const { customerId } = request;
    const productId = request.productId ?? null;
    const row = await this.dataSource.transaction(async (manager) => {
      await requireRegisteredCustomer(manager, customerId);
      if (productId !== null)
        refuseArchived(await productOrThrow(manager, productId), 'be discounted');
      await lockUntilCommit(manager, `billing.discount:${customerId}`);
      await manager.delete(CustomerDiscount, { customerId, productId: productId ?? IsNull() });
      const { percentOff, amountOff } = terms.value.discount;
      const discount = manager.create(CustomerDiscount, {
        customerId,
        productId,
        percentOff: percentOff ?? null,
        amountOff: amountOff ?? null,
        startsAt: terms.value.startsAt,
        endsAt: terms.value.endsAt,
        createdAt: new Date(),
      });
      await manager.insert(CustomerDiscount, discount);
      return discount;
    });
    return { discount: discountV1Of(row) };
  }

  /** Removes the customer's discount for the product (or the all-products one); `cleared` false when there was none. */
  async clear(request: ClearDiscountRequestV1): Promise<ClearDiscountReplyV1> {
    const { customerId } = request;
    return this.dataSource.transaction(async (manager) => {
      await requireRegisteredCustomer(manager, customerId);
      const result = await manager.delete(CustomerDiscount, {
        customerId,
        productId: request.productId ?? IsNull(),
      });
      return { cleared: (result.affected ?? 0) > 0 };
    });
  }

  /** The customer's discount in force at `at` on `productId`: the product's own, else the all-products one. */
  async inForce(
    manager: EntityManager,
    customerId: string,
    productId: string,
    at: Date,
  ): Promise<CustomerDiscount | null> {
    const candidates = await manager.find(CustomerDiscount, {
      where: [
        { customerId, productId },
        { customerId, productId: IsNull() },
      ],
    });
    const inForce = candidates.filter((discount) => isInForce(discount, at));
    return (
      inForce.find((discount) => discount.productId === productId) ??
      inForce.find((discount) => discount.productId === null) ??
      null
    );
  }
}
