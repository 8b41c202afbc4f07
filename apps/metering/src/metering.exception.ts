import { DomainException } from '@aegis/platform';

export enum MeteringExceptionCode {
  /** Usage refused field by field (`events.<index>.<field>`): nothing of the batch stored. */
  INVALID_USAGE = 'invalid_usage',
  /** A query for a product the catalogue does not have. */
  PRODUCT_NOT_FOUND = 'product_not_found',
  /** A query's range that is not whole hours, or ends before it starts. */
  INVALID_RANGE = 'invalid_range',
  /** A claim id already used by a claim of another customer or period: its answer is not this one's. */
  CLAIM_CONFLICT = 'claim_conflict',
}

const STATUS: Readonly<Record<MeteringExceptionCode, number>> = {
  [MeteringExceptionCode.INVALID_USAGE]: 400,
  [MeteringExceptionCode.PRODUCT_NOT_FOUND]: 404,
  [MeteringExceptionCode.INVALID_RANGE]: 400,
  [MeteringExceptionCode.CLAIM_CONFLICT]: 409,
};

/** An expected failure of metering, answered over RPC with its code, status and fields. */
export class MeteringException extends DomainException<MeteringExceptionCode> {
  constructor(
    code: MeteringExceptionCode,
    message: string,
    fields: readonly { readonly field: string; readonly message: string }[] = [],
  ) {
    super(code, STATUS[code], message, fields);
  }
}
