import type { DiscountResourceV1 } from '@aegis/contracts';
import { formatFields } from '../output/table.js';

function offOf(discount: DiscountResourceV1): string {
  if (discount.percent_off !== null) return `${discount.percent_off}% off`;
  return `${discount.amount_off_cents ?? '?'} cents off`;
}

/** What `aegis discounts set` prints. */
export function formatDiscount(discount: DiscountResourceV1): string[] {
  const what = discount.product_id === null ? 'every product' : `on ${discount.product_id}`;
  return [
    `discount of ${discount.customer_id}: ${offOf(discount)} ${what}`,
    ...formatFields([
      ['customer', discount.customer_id],
      ['product', discount.product_id ?? 'every product'],
      ['off', offOf(discount).replace(/ off$/, '')],
      ['starts', discount.starts_at ?? 'at once'],
      ['ends', discount.ends_at ?? 'never'],
      ['created', discount.created_at],
    ]),
  ];
}

/** What `aegis discounts clear` prints: whether there was one to clear. */
export function formatClearedDiscount(
  customerId: string,
  productId: string | undefined,
  cleared: boolean,
): string {
  const which = productId === undefined ? 'every-product discount' : `discount on ${productId}`;
  return cleared
    ? `cleared the ${which} of ${customerId}`
    : `${customerId} had no ${which} to clear`;
}
