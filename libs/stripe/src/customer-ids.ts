import { AEGIS_CUSTOMER_ID_KEY, isOperatorCustomerId } from '@aegis/contracts';
import type Stripe from 'stripe';

/**
 * The one customer id of a Stripe customer: the id billing registered it
 * under (`metadata.aegis_customer_id`), or, for a customer made outside Aegis,
 * its Stripe id. Never a guess: a deleted customer Stripe no longer describes
 * falls back to its Stripe id too.
 */
export function customerIdOfStripeCustomer(
  customer: Stripe.Customer | Stripe.DeletedCustomer,
): string {
  const registered =
    customer.deleted === true ? undefined : customer.metadata[AEGIS_CUSTOMER_ID_KEY];
  return isOperatorCustomerId(registered) ? registered : customer.id;
}

/** The idempotency key of creating the Stripe customer of `customerId`: a retry creates none. */
export function customerCreationKey(customerId: string): string {
  return `aegis-customer-create-${customerId}`;
}
