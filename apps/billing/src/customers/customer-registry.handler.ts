import { Controller } from '@nestjs/common';
import {
  BILLING_CUSTOMER_GET_OR_CREATE_V1,
  type GetOrCreateCustomerReplyV1,
  type GetOrCreateCustomerRequestV1,
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
}
