import { DomainException } from '@aegis/platform';

export enum RevenueExceptionCode {
  /** The range or instant asked is not one (`fields` names which). */
  INVALID_RANGE = 'invalid_range',
}

const STATUS: Readonly<Record<RevenueExceptionCode, number>> = {
  [RevenueExceptionCode.INVALID_RANGE]: 400,
};

/** An expected failure of revenue or metrics, answered over RPC with its code and status. */
export class RevenueException extends DomainException<RevenueExceptionCode> {
  constructor(
    code: RevenueExceptionCode,
    message: string,
    fields: readonly { readonly field: string; readonly message: string }[] = [],
  ) {
    super(code, STATUS[code], message, fields);
  }
}
