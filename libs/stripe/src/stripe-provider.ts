import { Inject, Injectable } from '@nestjs/common';
import { AEGIS_CUSTOMER_ID_KEY } from '@aegis/contracts';
import type Stripe from 'stripe';
import { customerCreationKey } from './customer-ids.js';
import { RateLimiter } from './rate-limiter.js';

/** Injection token of the service's Stripe client (the official SDK). */
export const STRIPE_CLIENT = Symbol('STRIPE_CLIENT');
export const STRIPE_REFETCH_LIMITER = Symbol('STRIPE_REFETCH_LIMITER');

/** The objects a consumer may re-fetch when an event's order is in doubt, by their `object` value. */
export interface RefetchableObjects {
  customer: Stripe.Customer | Stripe.DeletedCustomer;
  charge: Stripe.Charge;
  payment_intent: Stripe.PaymentIntent;
  invoice: Stripe.Invoice;
  subscription: Stripe.Subscription;
  'checkout.session': Stripe.Checkout.Session;
  refund: Stripe.Refund;
  dispute: Stripe.Dispute;
}

export type RefetchableKind = keyof RefetchableObjects;

/** What a re-fetch may ask for besides the object, e.g. `{ expand: ['payments'] }` on an invoice. */
export interface RefetchParams {
  readonly expand?: string[];
}

export function isRefetchable(kind: string): kind is RefetchableKind {
  return [
    'customer',
    'charge',
    'payment_intent',
    'invoice',
    'subscription',
    'checkout.session',
    'refund',
    'dispute',
  ].includes(kind);
}

/**
 * Stripe as the services see it: the SDK client, and `refetch` to read an
 * object's current state (rate-limited, so a burst of same-second events
 * cannot exhaust Stripe's rate limit).
 */
@Injectable()
export class StripeProvider {
  constructor(
    @Inject(STRIPE_CLIENT) readonly client: Stripe,
    @Inject(STRIPE_REFETCH_LIMITER) private readonly limiter: RateLimiter,
  ) {}

  async refetch<K extends RefetchableKind>(
    kind: K,
    id: string,
    params: RefetchParams = {},
  ): Promise<RefetchableObjects[K]> {
    await this.limiter.take();
    const retrieve: { [Kind in RefetchableKind]: () => Promise<RefetchableObjects[Kind]> } = {
      customer: () => this.client.customers.retrieve(id, params),
      charge: () => this.client.charges.retrieve(id, params),
      payment_intent: () => this.client.paymentIntents.retrieve(id, params),
      invoice: () => this.client.invoices.retrieve(id, params),
      subscription: () => this.client.subscriptions.retrieve(id, params),
      'checkout.session': () => this.client.checkout.sessions.retrieve(id, params),
      refund: () => this.client.refunds.retrieve(id, params),
      dispute: () => this.client.disputes.retrieve(id, params),
    };
    return retrieve[kind]();
  }

  /**
   * Creates the Stripe customer of Aegis customer `customerId`, naming it in
   * `metadata.aegis_customer_id`. The idempotency key derives from the id, so
   * two concurrent calls, or a retry after a crash, make one Stripe customer.
   */
  createCustomer(
    customerId: string,
    params: Omit<Stripe.CustomerCreateParams, 'metadata'> & {
      readonly metadata?: Readonly<Record<string, string>>;
    },
  ): Promise<Stripe.Customer> {
    return this.client.customers.create(
      { ...params, metadata: { ...params.metadata, [AEGIS_CUSTOMER_ID_KEY]: customerId } },
      { idempotencyKey: customerCreationKey(customerId) },
    );
  }
}
