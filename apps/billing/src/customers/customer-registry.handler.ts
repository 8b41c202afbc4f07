import { Controller } from '@nestjs/common';
import {
  BILLING_CUSTOMER_GET_OR_CREATE_V1,
  BILLING_CUSTOMER_GET_V1,
  BILLING_CUSTOMER_LIST_V1,
  type GetCustomerReplyV1,
  type GetCustomerRequestV1,
  type GetOrCreateCustomerReplyV1,
  type GetOrCreateCustomerRequestV1,
  type ListCustomersReplyV1,
  type PageRequestV1,
} from '@aegis/contracts';
import { OnRpc } from '@aegis/messaging';
import { CustomersService } from './customers.service.js';

/** The customer registry's RPC routes. */
@Controller()
export class CustomerRegistryHandler {
  constructor(private readonly customers: CustomersService) {}

  @OnRpc(BILLING_CUSTOMER_GET_OR_CREATE_V1)
  getOrCreate(request: GetOrCreateCustomerRequestV1): Promise<GetOrCreateCustomerReplyV1> {
    return this.customers.getOrCreate(request);
  }

  @OnRpc(BILLING_CUSTOMER_GET_V1)
  get(request: GetCustomerRequestV1): Promise<GetCustomerReplyV1> {
    return this.customers.get(request.customerId);
  }

  @OnRpc(BILLING_CUSTOMER_LIST_V1)
  list(request: PageRequestV1): Promise<ListCustomersReplyV1> {
    return this.customers.list(request);
  }
}
