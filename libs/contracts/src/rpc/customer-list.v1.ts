import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, ValidateNested } from 'class-validator';
import { CustomerV1 } from './customer-get-or-create.v1.js';
import { MAX_PAGE_LIMIT, PageReplyV1, PageRequestV1 } from './paging.js';
import { defineRpcRoute } from './rpc-route.js';

export class ListCustomersReplyV1 extends PageReplyV1 {
  /** Newest registered first. */
  @IsArray()
  @ArrayMaxSize(MAX_PAGE_LIMIT)
  @ValidateNested({ each: true })
  @Type(() => CustomerV1)
  customers!: CustomerV1[];
}

/**
 * A page of billing's customer registry, newest registered first. A cursor
 * that is not a registered customer id is `invalid_starting_after` or
 * `invalid_ending_before` (400, PAGE_CURSOR_ERROR_CODES).
 */
export const BILLING_CUSTOMER_LIST_V1 = defineRpcRoute({
  name: 'billing.customer.list.v1',
  service: 'billing',
  request: PageRequestV1,
  reply: ListCustomersReplyV1,
});
