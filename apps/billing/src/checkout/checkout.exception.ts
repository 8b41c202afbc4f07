import { DomainException } from '@aegis/platform';
import type { FieldFault } from '../billing.exception.js';

/** Checkout's own expected failures (billing's catalogue and customer codes serve too). */
export enum CheckoutExceptionCode {
  /** No checkout has the id (or, for a customer's caller, none of its own). */
  CHECKOUT_NOT_FOUND = 'checkout_not_found',
  /** `plan_id` names no plan, nor a product or Stripe Price of the catalogue. */
  PLAN_NOT_FOUND = 'plan_not_found',
  /** The request breaks checkout's rules (`fields` names them). */
  INVALID_CHECKOUT = 'invalid_checkout',
  /** A plan checkout for a customer who has a live subscription already. */
  SUBSCRIPTION_EXISTS = 'subscription_exists',
}

const STATUS: Readonly<Record<CheckoutExceptionCode, number>> = {
  [CheckoutExceptionCode.CHECKOUT_NOT_FOUND]: 404,
  [CheckoutExceptionCode.PLAN_NOT_FOUND]: 404,
  [CheckoutExceptionCode.INVALID_CHECKOUT]: 400,
  [CheckoutExceptionCode.SUBSCRIPTION_EXISTS]: 409,
};

export class CheckoutException extends DomainException<CheckoutExceptionCode> {
  constructor(code: CheckoutExceptionCode, message: string, fields: readonly FieldFault[] = []) {
    super(code, STATUS[code], message, fields);
  }

  static invalid(fields: readonly FieldFault[]): CheckoutException {
    const message = fields.map(({ field, message }) => `${field}: ${message}`).join('; ');
    return new CheckoutException(CheckoutExceptionCode.INVALID_CHECKOUT, message, fields);
  }
}
