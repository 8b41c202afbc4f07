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
import { stripeFailureOf } from '../gateway.exception.js';
import { readPage } from '../http/list.js';
import type { CreateCustomerDto } from './dto/customer.dto.js';

/** How long a customer billing confirmed is known without asking again. */
const KNOWN_CUSTOMER_MS = 60_000;
/** A guard against unbounded growth, far above the customers one replica sees in a minute. */
const KNOWN_CUSTOMER_ENTRIES = 100_000;

/** billing's customer registry, as the gateway reaches it (RPC). */
@Injectable()
export class CustomerDirectory {
  /** Customer id to the time until which it is known to exist: billing never removes one from its registry. */
  private readonly known = new Map<string, number>();

  constructor(private readonly rpc: AmqpRpcClient) {}

  /**
   * Resolves if billing has the customer, else the 404 of `get`. billing
   * never removes a customer from its registry (one deleted in Stripe keeps
   * its row), so a confirmation is kept for a minute and hot paths such as
   * usage ingest skip the RPC.
   */
  async assertExists(customerId: string): Promise<void> {
    if ((this.known.get(customerId) ?? 0) > Date.now()) return;
    await this.get(customerId);
    if (this.known.size >= KNOWN_CUSTOMER_ENTRIES) this.known.clear();
    this.known.set(customerId, Date.now() + KNOWN_CUSTOMER_MS);
  }

  /** Stripe refusing is a 502 and Stripe down (or its breaker open) a 503, each with its code. */
  async getOrCreate(request: CreateCustomerDto): Promise<GetOrCreateCustomerReplyV1> {
    try {
      return await this.rpc.call(BILLING_CUSTOMER_GET_OR_CREATE_V1, {
        ...(request.id === undefined ? {} : { customerId: request.id }),
        email: request.email,
        ...(request.name === undefined ? {} : { name: request.name }),
        ...(request.metadata === undefined ? {} : { metadata: request.metadata }),
      });
    } catch (error) {
      throw stripeFailureOf(error);
    }
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
