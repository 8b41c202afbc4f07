import {
  SetMetadata,
  UseGuards,
  UseInterceptors,
  applyDecorators,
  createParamDecorator,
  type ExecutionContext,
} from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiResponse } from '@nestjs/swagger';
import { GatewayException, GatewayExceptionCode } from '../gateway.exception.js';
import { IdempotencyInterceptor } from '../idempotency/idempotency.interceptor.js';
import { ApiKeyGuard } from './api-key.guard.js';
import type { AuthenticatedRequest, Principal } from './principal.js';

export const CUSTOMER_ACCESS = Symbol('CUSTOMER_ACCESS');

/** Customer keys may call this route too (with `scope`, when given); otherwise it is admin only. */
export interface CustomerAccess {
  readonly scope?: string;
}

/**
 * Every route of the controller needs `Authorization: Bearer <key>`: admin
 * keys everywhere, customer keys where `@CustomerKeysAllowed` says so, each
 * within its rate limit.
 */
export function RequireApiKey(): ClassDecorator {
  return applyDecorators(
    UseGuards(ApiKeyGuard),
    UseInterceptors(IdempotencyInterceptor),
    ApiBearerAuth(),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'on a POST, PUT or PATCH: a retry with the same key and body gets the first answer again (24 h)',
    }),
    ApiResponse({ status: 401, description: 'missing, unknown, revoked or expired key' }),
    ApiResponse({ status: 403, description: 'the key may not call this route' }),
    ApiResponse({ status: 429, description: 'rate limited (Retry-After, RateLimit-* headers)' }),
  );
}

export function CustomerKeysAllowed(access: CustomerAccess = {}): MethodDecorator {
  return SetMetadata(CUSTOMER_ACCESS, access);
}

/** The authenticated caller (set by ApiKeyGuard). */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (principal === undefined)
      throw new Error('CurrentPrincipal used on a route without RequireApiKey');
    return principal;
  },
);

/**
 * A customer key sees only its own customer: any other id is answered exactly
 * as an id that does not exist.
 */
export function assertCustomerVisible(principal: Principal, customerId: string): void {
  if (principal.kind === 'customer' && principal.customerId !== customerId)
    throw customerNotFound(customerId);
}

/** The one answer for a customer that does not exist or is not the caller's. */
export function customerNotFound(customerId: string): GatewayException {
  return new GatewayException(GatewayExceptionCode.CUSTOMER_NOT_FOUND, `no customer ${customerId}`);
}
