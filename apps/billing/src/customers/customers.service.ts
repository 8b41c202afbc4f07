import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { Inject, Injectable } from '@nestjs/common';
import {
  BILLING_CUSTOMER_CREATED_V1,
  type CustomerV1,
  type GetCustomerReplyV1,
  type GetOrCreateCustomerReplyV1,
  type GetOrCreateCustomerRequestV1,
  type ListCustomersReplyV1,
  type PageRequestV1,
} from '@aegis/contracts';
import { DeadLetterError, EventPublisher, type ConsumeContext } from '@aegis/messaging';
import { lockUntilCommit, paginateNewestFirst } from '@aegis/persistence';
import { SERVICE_NAME } from '@aegis/platform';
import {
  StripeProvider,
  customerIdOfStripeCustomer,
  fromStripeTime,
  isStripeObjectMissing,
  laterStamp,
  reportStripeEventOutcome,
  secondsOf,
  stateToApply,
  type StateToApply,
  type StripeEnvelope,
} from '@aegis/stripe';
import Stripe from 'stripe';
import { DataSource, type EntityManager } from 'typeorm';
import { BillingException, BillingExceptionCode } from '../billing.exception.js';
import { Customer } from './entities/customer.entity.js';

export type CustomerEventEnvelope = StripeEnvelope<
  'customer.created' | 'customer.updated' | 'customer.deleted'
>;

type CustomerState = StateToApply<Stripe.Customer | Stripe.DeletedCustomer>;
type MirroredCustomer = Pick<Customer, 'email' | 'name' | 'metadata' | 'deletedAt'>;

/** An id for a customer registered without one: `cust_` and 96 random bits. */
function newCustomerId(): string {
  return `cust_${randomBytes(12).toString('base64url')}`;
}

function customerV1Of(row: Customer): CustomerV1 {
  return {
    customerId: row.customerId,
    stripeCustomerId: row.stripeCustomerId,
    email: row.email,
    name: row.name,
    metadata: { ...row.metadata },
    createdAt: row.createdAt.toISOString(),
  };
}

/**
 * The one customer registry: every customer's id, its Stripe customer, and
 * that customer's details as billing mirrors them, converging whatever order
 * their events come in.
 */
@Injectable()
export class CustomersService {
  constructor(
    private readonly stripe: StripeProvider,
    private readonly publisher: EventPublisher,
    private readonly dataSource: DataSource,
    @Inject(SERVICE_NAME) private readonly service: string,
  ) {}

  /**
   * The customer `request.customerId` (or a new id), registered with its
   * Stripe customer. Calls for one id run one at a time; the Stripe customer
   * is made with an idempotency key derived from the id, so concurrent calls
   * and a retry after a crash make exactly one.
   */
  async getOrCreate(request: GetOrCreateCustomerRequestV1): Promise<GetOrCreateCustomerReplyV1> {
    const customerId = request.customerId ?? newCustomerId();
    return this.dataSource.transaction(async (manager) => {
      await lockUntilCommit(manager, `billing.customer:${customerId}`);
      const existing = await manager.findOneBy(Customer, { customerId });
      if (existing !== null) return { customer: customerV1Of(existing), created: false };
      const stripeCustomer = await this.stripe.createCustomer(customerId, {
        ...(request.email === undefined ? {} : { email: request.email }),
        ...(request.name === undefined ? {} : { name: request.name }),
        ...(request.metadata === undefined ? {} : { metadata: request.metadata }),
      });
      const row = await this.register(manager, customerId, stripeCustomer);
      return { customer: customerV1Of(row), created: true };
    });
  }

  /** The registered customer `customerId`; CUSTOMER_NOT_FOUND when there is none. */
  async get(customerId: string): Promise<GetCustomerReplyV1> {
    const row = await this.dataSource.manager.findOneBy(Customer, { customerId });
    if (row === null) {
      throw new BillingException(
        BillingExceptionCode.CUSTOMER_NOT_FOUND,
        `no customer is registered under the id ${customerId}`,
      );
    }
    return { customer: customerV1Of(row) };
  }

  /**
   * A page of the registry, newest registered first. A cursor that is not a
   * registered id is a PageCursorError, which reaches the caller as its code.
   */
  async list(page: PageRequestV1): Promise<ListCustomersReplyV1> {
    const { items, hasMore } = await paginateNewestFirst(
      this.dataSource.manager.createQueryBuilder(Customer, 'customer'),
      { alias: 'customer', id: 'customerId', createdAt: 'createdAt' },
      page,
    );
    return { customers: items.map(customerV1Of), hasMore };
  }

  /**
   * The customer id of a Stripe customer, registering the customer when it
   * is new to billing (a payment may name it before its own events arrive):
   * the id its Stripe customer names in `metadata.aegis_customer_id`, else its
   * Stripe id. `known` saves a re-fetch when the caller has the object.
   */
  async customerIdOf(
    manager: EntityManager,
    stripeCustomerId: string,
    known?: Stripe.Customer | Stripe.DeletedCustomer,
  ): Promise<string> {
    const row = await manager.findOneBy(Customer, { stripeCustomerId });
    if (row !== null) return row.customerId;
    const customer = known ?? (await this.currentCustomer(stripeCustomerId));
    try {
      return (await this.register(manager, customerIdOfStripeCustomer(customer), customer))
        .customerId;
    } catch (error) {
      // An event can never change which Stripe customer an id names: park it for a person.
      if (error instanceof BillingException)
        throw new DeadLetterError(error.message, { cause: error });
      throw error;
    }
  }

  /**
   * Inserts the registry row of `customerId` unless it exists, and announces
   * it (`billing.customer.created.v1`) when this call made it. An id already
   * naming another Stripe customer is refused (CUSTOMER_ID_TAKEN).
   */
  private async register(
    manager: EntityManager,
    customerId: string,
    customer: Stripe.Customer | Stripe.DeletedCustomer,
  ): Promise<Customer> {
    const details =
      customer.deleted === true
        ? { email: null, name: null, metadata: {} }
        : {
            email: customer.email,
            name: customer.name ?? null,
            metadata: { ...customer.metadata },
          };
    const inserted: unknown[] = await manager
      .createQueryBuilder()
      .insert()
      .into(Customer)
      .values({ customerId, stripeCustomerId: customer.id, ...details, updatedAt: new Date() })
      .orIgnore()
      .returning(['customerId'])
      .execute()
      .then((result) => result.raw as unknown[]);
    const row = await manager.findOneBy(Customer, { stripeCustomerId: customer.id });
    if (row === null) {
      throw new BillingException(
        BillingExceptionCode.CUSTOMER_ID_TAKEN,
        `customer id ${customerId} names another Stripe customer than ${customer.id}`,
      );
    }
    if (inserted.length > 0) {
      await this.publisher.publish(manager, BILLING_CUSTOMER_CREATED_V1, {
        customerId: row.customerId,
        stripeCustomerId: row.stripeCustomerId,
        email: row.email,
        name: row.name,
        createdAt: row.createdAt.toISOString(),
      });
    }
    return row;
  }

  /** The Stripe customer as Stripe has it now; one Stripe no longer has counts as deleted. */
  private async currentCustomer(
    stripeCustomerId: string,
  ): Promise<Stripe.Customer | Stripe.DeletedCustomer> {
    try {
      return await this.stripe.refetch('customer', stripeCustomerId);
    } catch (error) {
      if (!isStripeObjectMissing(error)) throw error;
      return { id: stripeCustomerId, object: 'customer', deleted: true };
    }
  }

  async applyCustomerEvent(
    envelope: CustomerEventEnvelope,
    context: ConsumeContext,
  ): Promise<void> {
    const { manager } = context;
    const event = envelope.data;
    const stripeCustomerId = event.data.object.id;
    await this.customerIdOf(manager, stripeCustomerId, event.data.object);
    const row = await manager.findOneOrFail(Customer, {
      where: { stripeCustomerId },
      lock: { mode: 'for_no_key_update' },
    });
    const state = await this.stateOf(event, row.lastEventCreated);
    if (state.outcome !== 'stale') {
      // The deleting event's time is the deletion's; a re-fetch only tells it happened by then.
      const deletedAt =
        event.type === 'customer.deleted'
          ? fromStripeTime(event.created)
          : (row.deletedAt ??
            (state.object.deleted === true ? fromStripeTime(event.created) : null));
      const next = mirroredAfter(row, state.object, deletedAt);
      const lastEventCreated = laterStamp(row.lastEventCreated, event.created);
      const changed = !isDeepStrictEqual(mirroredOf(row), next);
      if (changed || !isDeepStrictEqual(lastEventCreated, row.lastEventCreated)) {
        await manager.update(
          Customer,
          { customerId: row.customerId },
          { ...next, lastEventCreated, ...(changed ? { updatedAt: new Date() } : {}) },
        );
      }
    }
    await reportStripeEventOutcome(context, this.service, state.outcome);
  }

  /**
   * The convergence rule, with two twists. `customer.deleted` is terminal:
   * nothing about the customer can follow it, so its object (the customer's
   * last details) applies whatever was applied before; a re-fetch could only
   * say "deleted" and lose those details. And a customer Stripe no longer
   * has re-fetches as deleted.
   */
  private async stateOf(
    event: CustomerEventEnvelope['data'],
    lastEventCreated: Date | null,
  ): Promise<CustomerState> {
    if (event.type === 'customer.deleted') return { outcome: 'applied', object: event.data.object };
    try {
      return await stateToApply(this.stripe, 'customer', event, secondsOf(lastEventCreated));
    } catch (error) {
      if (!isStripeObjectMissing(error)) throw error;
      const gone: Stripe.DeletedCustomer = {
        id: event.data.object.id,
        object: 'customer',
        deleted: true,
      };
      return { outcome: 'refetched', object: gone };
    }
  }
}

function mirroredOf(row: MirroredCustomer): MirroredCustomer {
  return { email: row.email, name: row.name, metadata: row.metadata, deletedAt: row.deletedAt };
}

/**
 * The mirrored fields after a customer's state: a deleted customer (as a
 * re-fetch sees it) keeps its last known details.
 */
function mirroredAfter(
  row: MirroredCustomer,
  customer: Stripe.Customer | Stripe.DeletedCustomer,
  deletedAt: Date | null,
): MirroredCustomer {
  if (customer.deleted === true) return { ...mirroredOf(row), deletedAt };
  return {
    email: customer.email,
    name: customer.name ?? null,
    metadata: { ...customer.metadata },
    deletedAt,
  };
}
