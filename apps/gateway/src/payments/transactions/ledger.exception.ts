import { RpcRemoteError } from '@aegis/messaging';
import { DomainException, InvalidInputException } from '@aegis/platform';
import { customerNotFound } from '../../auth/access.decorators.js';

/**
 * billing's expected failures of the ledger and of refunds
 * (libs/contracts/src/rpc/ledger.v1.ts), as the public API answers them.
 */
export enum LedgerExceptionCode {
  TRANSACTION_NOT_FOUND = 'transaction_not_found',
  INVALID_TRANSACTION = 'invalid_transaction',
  INVALID_REFUND = 'invalid_refund',
  /** The refund asks for more than is left of the charge; `detail` says how much is. */
  REFUND_EXCEEDS_REMAINING = 'refund_exceeds_remaining',
  /** A manual transaction, or a payment that did not succeed. */
  NOT_REFUNDABLE = 'not_refundable',
  /** Stripe answered and said no; its code and message are in `detail`. */
  STRIPE_REFUSED = 'stripe_refused',
  /** Stripe could not be reached, or is failing or limiting billing. */
  STRIPE_UNAVAILABLE = 'stripe_unavailable',
}

const STATUS: Readonly<Record<LedgerExceptionCode, number>> = {
  [LedgerExceptionCode.TRANSACTION_NOT_FOUND]: 404,
  [LedgerExceptionCode.INVALID_TRANSACTION]: 400,
  [LedgerExceptionCode.INVALID_REFUND]: 400,
  [LedgerExceptionCode.REFUND_EXCEEDS_REMAINING]: 409,
  [LedgerExceptionCode.NOT_REFUNDABLE]: 409,
  [LedgerExceptionCode.STRIPE_REFUSED]: 502,
  [LedgerExceptionCode.STRIPE_UNAVAILABLE]: 503,
};

const CODES: ReadonlySet<string> = new Set(Object.values(LedgerExceptionCode));

function isLedgerCode(code: string): code is LedgerExceptionCode {
  return CODES.has(code);
}

/** billing's field names in the public body's spelling (`amount` is `amount_cents`). */
const PUBLIC_FIELDS: Readonly<Record<string, string>> = {
  amount: 'amount_cents',
  transactionId: 'transaction_id',
  customerId: 'customer_id',
  stripeInvoiceId: 'stripe_invoice_id',
  startDate: 'start_date',
  endDate: 'end_date',
};

export function publicLedgerFieldOf(field: string): string {
  return PUBLIC_FIELDS[field] ?? field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

export class LedgerException extends DomainException<LedgerExceptionCode> {
  constructor(code: LedgerExceptionCode, message: string) {
    super(code, STATUS[code], message);
  }
}

/** The one answer for a transaction that does not exist or is not the caller's customer's. */
export function transactionNotFound(transactionId: string): LedgerException {
  return new LedgerException(
    LedgerExceptionCode.TRANSACTION_NOT_FOUND,
    `no transaction ${transactionId}`,
  );
}

export interface LedgerErrorSubject {
  readonly transactionId?: string;
  readonly customerId?: string;
}

/**
 * billing's refusal of a ledger or refund call as the public API answers it:
 * each code of the contract with its status; "not found" in the gateway's own
 * words (another customer's transaction is answered as one that does not
 * exist); fields named as the body names them. Anything else as it came.
 */
export function ledgerErrorOf(error: unknown, subject: LedgerErrorSubject = {}): unknown {
  if (!(error instanceof RpcRemoteError)) return error;
  if (error.status === 400 && error.fields.length > 0)
    return new InvalidInputException(
      error.fields.map(({ field, message }) => ({ field: publicLedgerFieldOf(field), message })),
    );
  if (error.code === 'customer_not_found' && subject.customerId !== undefined)
    return customerNotFound(subject.customerId);
  if (!isLedgerCode(error.code)) return error;
  if (
    error.code === LedgerExceptionCode.TRANSACTION_NOT_FOUND &&
    subject.transactionId !== undefined
  )
    return transactionNotFound(subject.transactionId);
  return new LedgerException(error.code, error.message);
}

export async function mappedLedgerCall<T>(
  call: Promise<T>,
  subject: LedgerErrorSubject,
): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw ledgerErrorOf(error, subject);
  }
}
