import { RpcException } from '@nestjs/microservices';
import { InvalidPayloadError } from './errors.js';

export interface RemoteErrorBody {
  readonly code: string;
  readonly status: number;
  readonly message: string;
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
    if (isRemoteErrorBody(body))
      return { code: body.code, status: body.status, message: body.message };
  }
  if (isRemoteErrorBody(error))
    return { code: error.code, status: error.status, message: error.message };
  return {
    code: 'internal_error',
    status: 500,
    message: 'the service failed to handle the request',
  };
}
