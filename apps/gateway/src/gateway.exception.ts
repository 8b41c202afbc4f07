import { RpcRemoteError } from '@aegis/messaging';
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
  /** Stripe answered and said no (billing's `stripe_refused`); Stripe's code and message in `detail`. */
  STRIPE_REFUSED = 'stripe_refused',
  /** Stripe is unreachable or failing, or its breaker is open (billing's `stripe_unavailable`). */
  STRIPE_UNAVAILABLE = 'stripe_unavailable',
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
  [GatewayExceptionCode.STRIPE_REFUSED]: 502,
  [GatewayExceptionCode.STRIPE_UNAVAILABLE]: 503,
};

/** An expected failure of the gateway, answered as problem+json with its code and status. */
export class GatewayException extends DomainException<GatewayExceptionCode> {
  constructor(code: GatewayExceptionCode, message: string) {
    super(code, STATUS[code], message);
  }
}

/**
 * billing's Stripe failures as the public API answers them: `stripe_refused`
 * 502 and `stripe_unavailable` 503 (Stripe down, or the breaker open), with
 * billing's message and the code in problem+json; anything else as it came.
 */
export function stripeFailureOf(error: unknown): unknown {
  if (!(error instanceof RpcRemoteError)) return error;
  if (error.code === 'stripe_refused')
    return new GatewayException(GatewayExceptionCode.STRIPE_REFUSED, error.message);
  if (error.code === 'stripe_unavailable')
    return new GatewayException(GatewayExceptionCode.STRIPE_UNAVAILABLE, error.message);
  return error;
}
