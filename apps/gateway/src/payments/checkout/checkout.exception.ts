import { RpcRemoteError } from '@aegis/messaging';
import { DomainException, InvalidInputException } from '@aegis/platform';
import { customerNotFound } from '../../auth/access.decorators.js';

/** billing's expected failures of checkouts (libs/contracts/src/rpc/checkout.v1.ts), as the public API answers them. */
export enum CheckoutExceptionCode {
  CHECKOUT_NOT_FOUND = 'checkout_not_found',
  PRODUCT_NOT_FOUND = 'product_not_found',
  PLAN_NOT_FOUND = 'plan_not_found',
  /** Bad input billing found (the gateway checks the shape and the redirect hosts; billing the rest). */
  INVALID_CHECKOUT = 'invalid_checkout',
  PRODUCT_ARCHIVED = 'product_archived',
  /** The product has no pricing version in force. */
  NO_PRICING = 'no_pricing',
  /** mode=subscription for a customer who already has a live subscription. */
  SUBSCRIPTION_EXISTS = 'subscription_exists',
  /** Stripe answered and said no; its code and message are in `detail`. */
  STRIPE_REFUSED = 'stripe_refused',
  /** Stripe could not be reached, or its circuit is open. */
  STRIPE_UNAVAILABLE = 'stripe_unavailable',
}

const STATUS: Readonly<Record<CheckoutExceptionCode, number>> = {
  [CheckoutExceptionCode.CHECKOUT_NOT_FOUND]: 404,
  [CheckoutExceptionCode.PRODUCT_NOT_FOUND]: 404,
  [CheckoutExceptionCode.PLAN_NOT_FOUND]: 404,
  [CheckoutExceptionCode.INVALID_CHECKOUT]: 400,
  [CheckoutExceptionCode.PRODUCT_ARCHIVED]: 409,
  [CheckoutExceptionCode.NO_PRICING]: 409,
  [CheckoutExceptionCode.SUBSCRIPTION_EXISTS]: 409,
  [CheckoutExceptionCode.STRIPE_REFUSED]: 502,
  [CheckoutExceptionCode.STRIPE_UNAVAILABLE]: 503,
};

const CODES: ReadonlySet<string> = new Set(Object.values(CheckoutExceptionCode));

function isCheckoutCode(code: string): code is CheckoutExceptionCode {
  return CODES.has(code);
}

export class CheckoutException extends DomainException<CheckoutExceptionCode> {
  constructor(code: CheckoutExceptionCode, message: string) {
    super(code, STATUS[code], message);
  }
}

/** The one answer for a checkout that does not exist or is not the caller's customer's. */
export function checkoutNotFound(checkoutId: string): CheckoutException {
  return new CheckoutException(
    CheckoutExceptionCode.CHECKOUT_NOT_FOUND,
    `no checkout ${checkoutId}`,
  );
}

export interface CheckoutErrorSubject {
  readonly checkoutId?: string;
  readonly customerId?: string;
}

/**
 * billing's refusal of a checkout call as the public API answers it: each
 * code with the contract's status, fields named as the body names them, "not
 * found" in the gateway's own words. Anything else (timeouts) as it came.
 */
export function checkoutErrorOf(error: unknown, subject: CheckoutErrorSubject = {}): unknown {
  if (!(error instanceof RpcRemoteError)) return error;
  if (error.status === 400 && error.fields.length > 0)
    return new InvalidInputException(
      error.fields.map(({ field, message }) => ({
        field: field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`),
        message,
      })),
    );
  if (error.code === 'customer_not_found' && subject.customerId !== undefined)
    return customerNotFound(subject.customerId);
  if (!isCheckoutCode(error.code)) return error;
  if (error.code === CheckoutExceptionCode.CHECKOUT_NOT_FOUND && subject.checkoutId !== undefined)
    return checkoutNotFound(subject.checkoutId);
  return new CheckoutException(error.code, error.message);
}
