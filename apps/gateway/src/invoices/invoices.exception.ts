import { RpcRemoteError } from '@aegis/messaging';
import { DomainException, InvalidInputException } from '@aegis/platform';
import { customerNotFound } from '../auth/access.decorators.js';

/**
 * billing's expected failures of invoices and invoice runs
 * (libs/contracts/src/rpc/invoices.v1.ts), as the public API answers them.
 */
export enum InvoicesExceptionCode {
  INVOICE_NOT_FOUND = 'invoice_not_found',
  INVOICE_RUN_NOT_FOUND = 'invoice_run_not_found',
  /** Bad input billing found (the gateway checks the shape; billing the rules). */
  INVALID_INVOICE = 'invalid_invoice',
  /** The invoice's status does not allow it: e.g. voiding a paid invoice. */
  INVOICE_STATE = 'invoice_state',
  /** The period's usage is priced in more than one currency: one invoice cannot hold it. */
  MIXED_CURRENCIES = 'mixed_currencies',
  /** A product had no pricing version in force for the period. */
  NO_PRICING = 'no_pricing',
  /** Stripe answered and said no; its code and message are in `detail`. */
  STRIPE_REFUSED = 'stripe_refused',
  /** Stripe could not be reached, or is failing or limiting billing. */
  STRIPE_UNAVAILABLE = 'stripe_unavailable',
}

const STATUS: Readonly<Record<InvoicesExceptionCode, number>> = {
  [InvoicesExceptionCode.INVOICE_NOT_FOUND]: 404,
  [InvoicesExceptionCode.INVOICE_RUN_NOT_FOUND]: 404,
  [InvoicesExceptionCode.INVALID_INVOICE]: 400,
  [InvoicesExceptionCode.INVOICE_STATE]: 409,
  [InvoicesExceptionCode.MIXED_CURRENCIES]: 409,
  [InvoicesExceptionCode.NO_PRICING]: 409,
  [InvoicesExceptionCode.STRIPE_REFUSED]: 502,
  [InvoicesExceptionCode.STRIPE_UNAVAILABLE]: 503,
};

const CODES: ReadonlySet<string> = new Set(Object.values(InvoicesExceptionCode));

function isInvoicesCode(code: string): code is InvoicesExceptionCode {
  return CODES.has(code);
}

/** An expected failure of an invoice route, answered as problem+json with its code and status. */
export class InvoicesException extends DomainException<InvoicesExceptionCode> {
  constructor(code: InvoicesExceptionCode, message: string) {
    super(code, STATUS[code], message);
  }
}

/** The one answer for an invoice that does not exist or is not the caller's customer's. */
export function invoiceNotFound(invoiceId: string): InvoicesException {
  return new InvoicesException(InvoicesExceptionCode.INVOICE_NOT_FOUND, `no invoice ${invoiceId}`);
}

export function invoiceRunNotFound(runId: string): InvoicesException {
  return new InvoicesException(
    InvoicesExceptionCode.INVOICE_RUN_NOT_FOUND,
    `no invoice run ${runId}`,
  );
}

/** billing's field names in the public body's spelling (`billingPeriod` is `billing_period`). */
export function publicFieldOf(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** What the call was about, to answer "not found" in the gateway's own words. */
export interface InvoiceErrorSubject {
  readonly invoiceId?: string;
  readonly runId?: string;
  readonly customerId?: string;
}

/**
 * billing's refusal of an invoice call as the public API answers it: each
 * code of the contract with its status, whatever status billing sent; "not
 * found" in the gateway's own words, so that another customer's invoice is
 * answered byte for byte as one that does not exist; fields at fault named
 * as the body names them. Anything else (timeouts, unknown codes) as it came.
 */
export function invoiceErrorOf(error: unknown, subject: InvoiceErrorSubject = {}): unknown {
  if (!(error instanceof RpcRemoteError)) return error;
  if (error.status === 400 && error.fields.length > 0)
    return new InvalidInputException(
      error.fields.map(({ field, message }) => ({ field: publicFieldOf(field), message })),
    );
  if (error.code === 'customer_not_found' && subject.customerId !== undefined)
    return customerNotFound(subject.customerId);
  if (!isInvoicesCode(error.code)) return error;
  if (error.code === InvoicesExceptionCode.INVOICE_NOT_FOUND && subject.invoiceId !== undefined)
    return invoiceNotFound(subject.invoiceId);
  if (error.code === InvoicesExceptionCode.INVOICE_RUN_NOT_FOUND && subject.runId !== undefined)
    return invoiceRunNotFound(subject.runId);
  return new InvoicesException(error.code, error.message);
}
