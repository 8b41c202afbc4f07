import { DomainException } from '@aegis/platform';

export enum GatewayExceptionCode {
  CUSTOMER_NOT_FOUND = 'customer_not_found',
  API_KEY_NOT_FOUND = 'api_key_not_found',
  API_KEY_INACTIVE = 'api_key_inactive',
  IDEMPOTENCY_KEY_IN_USE = 'idempotency_key_in_use',
  IDEMPOTENCY_KEY_REUSED = 'idempotency_key_reused',
  RATE_LIMITED = 'rate_limited',
  PROXY_ROUTE_NOT_FOUND = 'proxy_route_not_found',
  UPSTREAM_UNREACHABLE = 'upstream_unreachable',
  UPSTREAM_TIMEOUT = 'upstream_timeout',
}

const STATUS: Readonly<Record<GatewayExceptionCode, number>> = {
  [GatewayExceptionCode.CUSTOMER_NOT_FOUND]: 404,
  [GatewayExceptionCode.API_KEY_NOT_FOUND]: 404,
  [GatewayExceptionCode.API_KEY_INACTIVE]: 409,
  [GatewayExceptionCode.IDEMPOTENCY_KEY_IN_USE]: 409,
  [GatewayExceptionCode.IDEMPOTENCY_KEY_REUSED]: 422,
  [GatewayExceptionCode.RATE_LIMITED]: 429,
  [GatewayExceptionCode.PROXY_ROUTE_NOT_FOUND]: 404,
  [GatewayExceptionCode.UPSTREAM_UNREACHABLE]: 502,
  [GatewayExceptionCode.UPSTREAM_TIMEOUT]: 504,
};

/** An expected failure of the gateway, answered as problem+json with its code and status. */
export class GatewayException extends DomainException<GatewayExceptionCode> {
  constructor(code: GatewayExceptionCode, message: string) {
    super(code, STATUS[code], message);
  }
}
