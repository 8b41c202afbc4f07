import { DomainException } from '@aegis/platform';

export enum SubscriptionsExceptionCode {
  /** Stripe reports a status this service cannot store (one Stripe added). */
  UNKNOWN_SUBSCRIPTION_STATUS = 'unknown_subscription_status',
  PLAN_NOT_FOUND = 'plan_not_found',
  SUBSCRIPTION_NOT_FOUND = 'subscription_not_found',
  /** Bad input the contract's validation cannot see (e.g. a custom price on a fixed-price plan). */
  INVALID_SUBSCRIPTION = 'invalid_subscription',
  /** The customer already has a live subscription, or one is being started. */
  SUBSCRIPTION_EXISTS = 'subscription_exists',
  SUBSCRIPTION_ENDED = 'subscription_ended',
  /** The command does not apply to the subscription as it is (e.g. resuming one that is not paused). */
  INVALID_SUBSCRIPTION_STATE = 'invalid_subscription_state',
}

const STATUS: Readonly<Record<SubscriptionsExceptionCode, number>> = {
  [SubscriptionsExceptionCode.UNKNOWN_SUBSCRIPTION_STATUS]: 502,
  [SubscriptionsExceptionCode.PLAN_NOT_FOUND]: 404,
  [SubscriptionsExceptionCode.SUBSCRIPTION_NOT_FOUND]: 404,
  [SubscriptionsExceptionCode.INVALID_SUBSCRIPTION]: 400,
  [SubscriptionsExceptionCode.SUBSCRIPTION_EXISTS]: 409,
  [SubscriptionsExceptionCode.SUBSCRIPTION_ENDED]: 409,
  [SubscriptionsExceptionCode.INVALID_SUBSCRIPTION_STATE]: 409,
};

/** An expected failure of subscriptions, answered over HTTP and RPC with its code and status. */
export class SubscriptionsException extends DomainException<SubscriptionsExceptionCode> {
  constructor(
    code: SubscriptionsExceptionCode,
    message: string,
    fields: readonly { readonly field: string; readonly message: string }[] = [],
  ) {
    super(code, STATUS[code], message, fields);
  }

  /** Bad input naming the field at fault, as the public API names it. */
  static invalid(field: string, message: string): SubscriptionsException {
    return new SubscriptionsException(SubscriptionsExceptionCode.INVALID_SUBSCRIPTION, message, [
      { field, message },
    ]);
  }

  static notFound(subscriptionId: string): SubscriptionsException {
    return new SubscriptionsException(
      SubscriptionsExceptionCode.SUBSCRIPTION_NOT_FOUND,
      `subscription ${subscriptionId} was not found`,
    );
  }
}
