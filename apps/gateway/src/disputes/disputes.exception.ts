import { RpcRemoteError } from '@aegis/messaging';
import { DomainException, InvalidInputException } from '@aegis/platform';

/**
 * The disputes service's expected failures
 * (libs/contracts/src/rpc/disputes.v1.ts), as the public API answers them.
 */
export enum DisputesExceptionCode {
  DISPUTE_NOT_FOUND = 'dispute_not_found',
  /** Evidence Stripe would refuse (e.g. too long altogether). */
  INVALID_EVIDENCE = 'invalid_evidence',
  /** The dispute can no longer be answered: evidence was submitted, or it is decided. */
  DISPUTE_CLOSED = 'dispute_closed',
  /** Stripe answered and said no; its code and message are in `detail`. */
  STRIPE_REFUSED = 'stripe_refused',
  /** Stripe could not be reached, or its circuit is open. */
  STRIPE_UNAVAILABLE = 'stripe_unavailable',
}

const STATUS: Readonly<Record<DisputesExceptionCode, number>> = {
  [DisputesExceptionCode.DISPUTE_NOT_FOUND]: 404,
  [DisputesExceptionCode.INVALID_EVIDENCE]: 400,
  [DisputesExceptionCode.DISPUTE_CLOSED]: 409,
  [DisputesExceptionCode.STRIPE_REFUSED]: 502,
  [DisputesExceptionCode.STRIPE_UNAVAILABLE]: 503,
};

const CODES: ReadonlySet<string> = new Set(Object.values(DisputesExceptionCode));

function isDisputesCode(code: string): code is DisputesExceptionCode {
  return CODES.has(code);
}

export class DisputesException extends DomainException<DisputesExceptionCode> {
  constructor(code: DisputesExceptionCode, message: string) {
    super(code, STATUS[code], message);
  }
}

/** The one answer for a dispute that does not exist. */
export function disputeNotFound(disputeId: string): DisputesException {
  return new DisputesException(DisputesExceptionCode.DISPUTE_NOT_FOUND, `no dispute ${disputeId}`);
}

/** The service's request fields in the public API's spelling: the path's dispute is `id`, evidence fields are the body's own. */
const PUBLIC_FIELDS: Readonly<Record<string, string>> = { disputeId: 'id' };

export function publicDisputeFieldOf(field: string): string {
  const evidenceField = /^evidence\.(\w+)$/.exec(field)?.[1];
  if (evidenceField !== undefined) return evidenceField;
  return PUBLIC_FIELDS[field] ?? field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** What the call was about, to answer "not found" in the gateway's own words. */
export interface DisputeErrorSubject {
  readonly disputeId?: string;
}

/**
 * The disputes service's refusal as the public API answers it: each code of
 * the contract with its status, whatever status the service sent; "not found"
 * in the gateway's own words; fields at fault named as the body names them.
 * Anything else (timeouts, unknown codes) as it came.
 */
export function disputeErrorOf(error: unknown, subject: DisputeErrorSubject = {}): unknown {
  if (!(error instanceof RpcRemoteError)) return error;
  if (error.status === 400 && error.fields.length > 0)
    return new InvalidInputException(
      error.fields.map(({ field, message }) => ({ field: publicDisputeFieldOf(field), message })),
    );
  if (!isDisputesCode(error.code)) return error;
  if (error.code === DisputesExceptionCode.DISPUTE_NOT_FOUND && subject.disputeId !== undefined)
    return disputeNotFound(subject.disputeId);
  return new DisputesException(error.code, error.message);
}

export async function mappedDisputeCall<T>(
  call: Promise<T>,
  subject: DisputeErrorSubject,
): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw disputeErrorOf(error, subject);
  }
}
