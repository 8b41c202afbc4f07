import { RpcException } from '@nestjs/microservices';
import { InvalidPayloadError, RpcTimeoutError, RpcUnreachableError } from './errors.js';

/** A field at fault in a refused request, named as the caller's API names it. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export interface RemoteErrorBody {
  readonly code: string;
  readonly status: number;
  readonly message: string;
  readonly fields?: readonly FieldError[];
}

function isFieldErrors(value: unknown): value is readonly FieldError[] {
  return (
    Array.isArray(value) &&
    value.every(
      (item: unknown) =>
        item !== null &&
        typeof item === 'object' &&
        typeof (item as Record<string, unknown>).field === 'string' &&
        typeof (item as Record<string, unknown>).message === 'string',
    )
  );
}

function bodyOf(error: RemoteErrorBody): RemoteErrorBody {
  const fields = isFieldErrors(error.fields) && error.fields.length > 0 ? error.fields : undefined;
  return {
    code: error.code,
    status: error.status,
    message: error.message,
    ...(fields === undefined
      ? {}
      : { fields: fields.map(({ field, message }) => ({ field, message })) }),
  };
}

export type RpcReplyBody = { ok: true; data: unknown } | { ok: false; error: RemoteErrorBody };

function isRemoteErrorBody(value: unknown): value is RemoteErrorBody {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.code === 'string' &&
    typeof candidate.status === 'number' &&
    typeof candidate.message === 'string'
  );
}

/**
 * What an RPC handler's failure looks like on the wire. A handler signals an
 * expected failure by throwing `new RpcException({ code, status, message })`;
 * anything else is an internal error whose details stay in the service's log.
 */
export function toRemoteErrorBody(error: unknown): RemoteErrorBody {
  if (error instanceof InvalidPayloadError) {
    return { code: 'invalid_request', status: 400, message: error.message };
  }
  if (error instanceof RpcException) {
    const body = error.getError();
    if (isRemoteErrorBody(body)) return bodyOf(body);
  }
  if (isRemoteErrorBody(error)) return bodyOf(error);
  // A service the handler itself called is down or slow: the caller sees that, not a crash.
  if (error instanceof RpcUnreachableError)
    return { code: 'dependency_unavailable', status: 503, message: error.message };
  if (error instanceof RpcTimeoutError)
    return { code: 'dependency_timeout', status: 504, message: error.message };
  return {
    code: 'internal_error',
    status: 500,
    message: 'the service failed to handle the request',
  };
}
