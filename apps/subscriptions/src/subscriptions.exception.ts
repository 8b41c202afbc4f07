import { DomainException } from '@aegis/platform';

export enum SubscriptionsExceptionCode {
  /** Stripe reports a status this service cannot store (one Stripe added). */
  UNKNOWN_SUBSCRIPTION_STATUS = 'unknown_subscription_status',
}

const STATUS: Readonly<Record<SubscriptionsExceptionCode, number>> = {
  [SubscriptionsExceptionCode.UNKNOWN_SUBSCRIPTION_STATUS]: 502,
};

/** An expected failure of subscriptions, answered over HTTP and RPC with its code and status. */
export class SubscriptionsException extends DomainException<SubscriptionsExceptionCode> {
  constructor(code: SubscriptionsExceptionCode, message: string) {
    super(code, STATUS[code], message);
  }
}
