import { DomainException } from '@aegis/platform';

export enum BillingExceptionCode {
  /** The customer id is registered to another Stripe customer. */
  CUSTOMER_ID_TAKEN = 'customer_id_taken',
  /** No customer is registered under the id. */
  CUSTOMER_NOT_FOUND = 'customer_not_found',
}

const STATUS: Readonly<Record<BillingExceptionCode, number>> = {
  [BillingExceptionCode.CUSTOMER_ID_TAKEN]: 409,
  [BillingExceptionCode.CUSTOMER_NOT_FOUND]: 404,
};

/** An expected failure of billing, answered over HTTP and RPC with its code and status. */
export class BillingException extends DomainException<BillingExceptionCode> {
  constructor(code: BillingExceptionCode, message: string) {
    super(code, STATUS[code], message);
  }
}
