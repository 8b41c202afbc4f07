import { Type } from 'class-transformer';
import { ValidateNested } from 'class-validator';
import { IsCustomerId } from '../customer-id.js';
import { CustomerV1 } from './customer-get-or-create.v1.js';
import { defineRpcRoute } from './rpc-route.js';

export class GetCustomerRequestV1 {
  @IsCustomerId()
  customerId!: string;
}

export class GetCustomerReplyV1 {
  @ValidateNested()
  @Type(() => CustomerV1)
  customer!: CustomerV1;
}

/** One customer of billing's registry; an id it does not know is `customer_not_found` (404). */
export const BILLING_CUSTOMER_GET_V1 = defineRpcRoute({
  name: 'billing.customer.get.v1',
  service: 'billing',
  request: GetCustomerRequestV1,
  reply: GetCustomerReplyV1,
});
