import type { EntityManager } from 'typeorm';
import { BillingException, BillingExceptionCode } from '../billing.exception.js';
import { Customer } from '../customers/entities/customer.entity.js';
import { Product } from './entities/product.entity.js';

/**
 * The product `productId`; PRODUCT_NOT_FOUND when there is none. `forChange`
 * locks its row until the transaction ends, so changes of one product (and
 * their Stripe calls) run one at a time, while a discount may still name it.
 */
export async function productOrThrow(
  manager: EntityManager,
  productId: string,
  { forChange = false } = {},
): Promise<Product> {
  const product = await manager.findOne(Product, {
    where: { productId },
    ...(forChange ? { lock: { mode: 'for_no_key_update' as const } } : {}),
  });
  if (product === null) {
    throw new BillingException(
      BillingExceptionCode.PRODUCT_NOT_FOUND,
      `no product of the catalogue has the id ${productId}`,
    );
  }
  return product;
}

/** PRODUCT_ARCHIVED when the product is archived: `what` says what it can no longer have. */
export function refuseArchived(product: Product, what: string): void {
  if (product.archivedAt !== null) {
    throw new BillingException(
      BillingExceptionCode.PRODUCT_ARCHIVED,
      `product ${product.productId} was archived at ${product.archivedAt.toISOString()}: it can no longer ${what}`,
    );
  }
}

/** CUSTOMER_NOT_FOUND unless `customerId` is registered in billing's customer registry. */
export async function requireRegisteredCustomer(
  manager: EntityManager,
  customerId: string,
): Promise<void> {
  if (!(await manager.existsBy(Customer, { customerId }))) {
    throw new BillingException(
      BillingExceptionCode.CUSTOMER_NOT_FOUND,
      `no customer is registered under the id ${customerId}`,
    );
  }
}
