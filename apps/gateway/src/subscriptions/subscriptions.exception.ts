import { RpcRemoteError } from '@aegis/messaging';
import { DomainException, InvalidInputException } from '@aegis/platform';
import { customerNotFound } from '../auth/access.decorators.js';

/**
 * The subscriptions service's expected failures
 * (libs/contracts/src/rpc/subscriptions.v1.ts), as the public API answers them.
 */
export enum SubscriptionsExceptionCode {
  PLAN_NOT_FOUND = 'plan_not_found',
  SUBSCRIPTION_NOT_FOUND = 'subscription_not_found',
  /** Bad input the service found (the gateway checks the shape; the service the plan's rules). */
  INVALID_SUBSCRIPTION = 'invalid_subscription',
  /** The customer already has a live subscription, or one is being started. */
  SUBSCRIPTION_EXISTS = 'subscription_exists',
  /** The subscription has ended (canceled, incomplete_expired): nothing more can change it. */
  SUBSCRIPTION_ENDED = 'subscription_ended',
  /** Its status does not allow it: e.g. resuming one that is not paused. */
  INVALID_SUBSCRIPTION_STATE = 'invalid_subscription_state',
  /** Stripe answered and said no (e.g. a declined first payment); its code and message are in `detail`. */
  STRIPE_REFUSED = 'stripe_refused',
  /** Stripe could not be reached, or its circuit is open. */
  STRIPE_UNAVAILABLE = 'stripe_unavailable',
}

const STATUS: Readonly<Record<SubscriptionsExceptionCode, number>> = {
  [SubscriptionsExceptionCode.PLAN_NOT_FOUND]: 404,
  [SubscriptionsExceptionCode.SUBSCRIPTION_NOT_FOUND]: 404,
  [SubscriptionsExceptionCode.INVALID_SUBSCRIPTION]: 400,
  [SubscriptionsExceptionCode.SUBSCRIPTION_EXISTS]: 409,
  [SubscriptionsExceptionCode.SUBSCRIPTION_ENDED]: 409,
  [SubscriptionsExceptionCode.INVALID_SUBSCRIPTION_STATE]: 409,
  [SubscriptionsExceptionCode.STRIPE_REFUSED]: 502,
  [SubscriptionsExceptionCode.STRIPE_UNAVAILABLE]: 503,
};

const CODES: ReadonlySet<string> = new Set(Object.values(SubscriptionsExceptionCode));

function isSubscriptionsCode(code: string): code is SubscriptionsExceptionCode {
  return CODES.has(code);
}

export class SubscriptionsException extends DomainException<SubscriptionsExceptionCode> {
  constructor(code: SubscriptionsExceptionCode, message: string) {
    super(code, STATUS[code], message);
  }
}

/** The one answer for a subscription that does not exist or is not the caller's customer's. */
export function subscriptionNotFound(subscriptionId: string): SubscriptionsException {
  return new SubscriptionsException(
    SubscriptionsExceptionCode.SUBSCRIPTION_NOT_FOUND,
    `no subscription ${subscriptionId}`,
  );
}

/** The answer for a customer without a live subscription. */
export function noLiveSubscription(customerId: string): SubscriptionsException {
  return new SubscriptionsException(
    SubscriptionsExceptionCode.SUBSCRIPTION_NOT_FOUND,
    `customer ${customerId} has no live subscription`,
  );
}

/** The service's request fields in the public API's spelling; the path's subscription is `id`. */
const PUBLIC_FIELDS: Readonly<Record<string, string>> = { subscriptionId: 'id' };

export function publicSubscriptionFieldOf(field: string): string {
  return PUBLIC_FIELDS[field] ?? field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** What the call was about, to answer "not found" in the gateway's own words. */
export interface SubscriptionErrorSubject {
  readonly subscriptionId?: string;
  /** The customer named by the request (body or path). */
  readonly customerId?: string;
  /** A customer's live subscription was asked for: none is "no live subscription". */
  readonly live?: boolean;
}

/**
 * The subscriptions service's refusal as the public API answers it: each
 * code of the contract with its status, whatever status the service sent;
 * "not found" in the gateway's own words, so that another customer's
 * subscription is answered as one that does not exist; fields at fault named
 * as the body names them. Anything else (timeouts, unknown codes) as it came.
 */
export function subscriptionErrorOf(
  error: unknown,
  subject: SubscriptionErrorSubject = {},
): unknown {
  if (!(error instanceof RpcRemoteError)) return error;
  if (error.status === 400 && error.fields.length > 0)
    return new InvalidInputException(
      error.fields.map(({ field, message }) => ({
        field: publicSubscriptionFieldOf(field),
        message,
      })),
    );
  if (error.code === 'customer_not_found' && subject.customerId !== undefined)
    return customerNotFound(subject.customerId);
  if (!isSubscriptionsCode(error.code)) return error;
  if (error.code === SubscriptionsExceptionCode.SUBSCRIPTION_NOT_FOUND) {
    if (subject.subscriptionId !== undefined) return subscriptionNotFound(subject.subscriptionId);
    if (subject.live === true && subject.customerId !== undefined)
      return noLiveSubscription(subject.customerId);
  }
  return new SubscriptionsException(error.code, error.message);
}

export async function mappedSubscriptionCall<T>(
  call: Promise<T>,
  subject: SubscriptionErrorSubject,
): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw subscriptionErrorOf(error, subject);
  }
}
