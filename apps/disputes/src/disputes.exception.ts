import { DomainException } from '@aegis/platform';

export enum DisputesExceptionCode {
  DISPUTE_NOT_FOUND = 'dispute_not_found',
  /** Evidence Stripe would refuse (too long altogether). */
  INVALID_EVIDENCE = 'invalid_evidence',
  /** The dispute can no longer be answered: evidence was submitted, or it is decided. */
  DISPUTE_CLOSED = 'dispute_closed',
}

const STATUS: Readonly<Record<DisputesExceptionCode, number>> = {
  [DisputesExceptionCode.DISPUTE_NOT_FOUND]: 404,
  [DisputesExceptionCode.INVALID_EVIDENCE]: 400,
  [DisputesExceptionCode.DISPUTE_CLOSED]: 409,
};

/** An expected failure of disputes, answered over RPC with its code and status. */
export class DisputesException extends DomainException<DisputesExceptionCode> {
  constructor(
    code: DisputesExceptionCode,
    message: string,
    fields: readonly { readonly field: string; readonly message: string }[] = [],
  ) {
    super(code, STATUS[code], message, fields);
  }

  static notFound(disputeId: string): DisputesException {
    return new DisputesException(
      DisputesExceptionCode.DISPUTE_NOT_FOUND,
      `dispute ${disputeId} was not found`,
    );
  }
}
