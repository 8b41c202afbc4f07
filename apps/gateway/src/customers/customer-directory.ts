import { Injectable } from '@nestjs/common';
import {
  BILLING_CUSTOMER_GET_OR_CREATE_V1,
  BILLING_CUSTOMER_GET_V1,
  BILLING_CUSTOMER_LIST_V1,
  type CustomerV1,
  type GetOrCreateCustomerReplyV1,
  type ListCustomersReplyV1,
} from '@aegis/contracts';
import { AmqpRpcClient, RpcRemoteError } from '@aegis/messaging';
import type { PageRequest } from '@aegis/persistence';
import { customerNotFound } from '../auth/access.decorators.js';
import { readPage } from '../http/list.js';
import type { CreateCustomerDto } from './dto/customer.dto.js';

/** billing's customer registry, as the gateway reaches it (RPC). */
@Injectable()
export class CustomerDirectory {
  constructor(private readonly rpc: AmqpRpcClient) {}

  getOrCreate(request: CreateCustomerDto): Promise<GetOrCreateCustomerReplyV1> {
    return this.rpc.call(BILLING_CUSTOMER_GET_OR_CREATE_V1, {
      ...(request.id === undefined ? {} : { customerId: request.id }),
      email: request.email,
      ...(request.name === undefined ? {} : { name: request.name }),
      ...(request.metadata === undefined ? {} : { metadata: request.metadata }),
    });
  }

  /** The customer, or the same 404 as any id the caller may not see. */
  async get(customerId: string): Promise<CustomerV1> {
    try {
      return (await this.rpc.call(BILLING_CUSTOMER_GET_V1, { customerId })).customer;
    } catch (error) {
      if (error instanceof RpcRemoteError && error.code === 'customer_not_found')
        throw customerNotFound(customerId);
      throw error;
    }
  }

  list(page: PageRequest): Promise<ListCustomersReplyV1> {
    return readPage(() => this.rpc.call(BILLING_CUSTOMER_LIST_V1, page));
  }
}
