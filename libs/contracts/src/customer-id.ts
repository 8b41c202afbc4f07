import { Matches } from 'class-validator';

/**
 * The one customer id of the whole system: the operator's own id (e.g.
 * `cust_abc123`), or, for a Stripe customer made outside Aegis, its Stripe id
 * (`cus_…`). Letters, digits, `_` and `-`, at most 64 characters.
 */
export const CUSTOMER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** The Stripe customer's metadata key that names its Aegis customer id. */
export const AEGIS_CUSTOMER_ID_KEY = 'aegis_customer_id';

export function isCustomerId(value: unknown): value is string {
  return typeof value === 'string' && CUSTOMER_ID_PATTERN.test(value);
}

/**
 * An id the operator gave (or billing generated): a customer id that is not a
 * Stripe customer id, since `cus_…` ids are those of customers made outside Aegis.
 */
export function isOperatorCustomerId(value: unknown): value is string {
  return isCustomerId(value) && !value.startsWith('cus_');
}

/** class-validator rule of a customer id field. */
export function IsCustomerId(): PropertyDecorator {
  return Matches(CUSTOMER_ID_PATTERN, {
    message: '$property must be a customer id: letters, digits, "_" or "-", at most 64 characters',
  });
}
