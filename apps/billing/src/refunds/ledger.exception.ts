import { DomainException } from '@aegis/platform';

export enum LedgerExceptionCode {
  /** No ledger transaction has the id (or, for a customer's caller, none of its own). */
  TRANSACTION_NOT_FOUND = 'transaction_not_found',
  /** A manual transaction breaks the rules (`fields` names them). */
  INVALID_TRANSACTION = 'invalid_transaction',
  /** A refund request breaks the rules (`fields` names them). */
  INVALID_REFUND = 'invalid_refund',
  /** The refund asks for more than is left of the charge (the message says how much is). */
  REFUND_EXCEEDS_REMAINING = 'refund_exceeds_remaining',
  /** The transaction cannot be refunded through Stripe: manual, or a payment that did not succeed. */
  NOT_REFUNDABLE = 'not_refundable',
  /** The refund's request key made a refund of the transaction with another amount or reason (`fields` names which). */
  IDEMPOTENCY_KEY_REUSED = 'idempotency_key_reused',
  /** The refund the request key made is being sent to Stripe right now: ask again once that ends. */
  IDEMPOTENCY_KEY_IN_USE = 'idempotency_key_in_use',
}

const STATUS: Readonly<Record<LedgerExceptionCode, number>> = {
  [LedgerExceptionCode.TRANSACTION_NOT_FOUND]: 404,
  [LedgerExceptionCode.INVALID_TRANSACTION]: 400,
  [LedgerExceptionCode.INVALID_REFUND]: 400,
  [LedgerExceptionCode.REFUND_EXCEEDS_REMAINING]: 409,
  [LedgerExceptionCode.NOT_REFUNDABLE]: 409,
  [LedgerExceptionCode.IDEMPOTENCY_KEY_REUSED]: 422,
  [LedgerExceptionCode.IDEMPOTENCY_KEY_IN_USE]: 409,
};

/** An expected failure of the ledger or of refunds, answered over RPC with its code and status. */
export class LedgerException extends DomainException<LedgerExceptionCode> {
  constructor(
    code: LedgerExceptionCode,
    message: string,
    fields: readonly { readonly field: string; readonly message: string }[] = [],
  ) {
    super(code, STATUS[code], message, fields);
  }
}
