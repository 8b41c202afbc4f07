import { ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { bearerTokenOf } from '../api-keys/api-key-secret.js';
import { ApiKeysService, type KeyResolution } from '../api-keys/api-keys.service.js';
import { GatewayException, GatewayExceptionCode } from '../gateway.exception.js';
import { setRateLimitHeaders } from '../rate-limit/rate-limit-headers.js';

export type AuthenticatedKey = Extract<KeyResolution, { status: 'admin' | 'valid' }>;
export type CustomerKey = Extract<KeyResolution, { status: 'valid' }>;

/**
 * The steps every authenticated entry to the gateway takes, in one place for
 * the API's guard and the proxy's: who the bearer key is (401 otherwise), and
 * whether a customer key may go on (403 without the scope, 429 past its rate
 * limits, with the RateLimit-* headers either way).
 */
@Injectable()
export class KeyAdmission {
  constructor(private readonly keys: ApiKeysService) {}

  async authenticate(request: Request, response: Response): Promise<AuthenticatedKey> {
    const secret = bearerTokenOf(request.header('authorization'));
    if (secret === undefined)
      throw unauthorized(response, 'an API key is required: Authorization: Bearer <key>');
    const resolution = await this.keys.resolve(secret);
    if (resolution.status !== 'admin' && resolution.status !== 'valid')
      throw unauthorized(response, 'the API key is unknown, revoked or expired');
    return resolution;
  }

  async admitCustomerKey(
    customer: CustomerKey,
    scope: string | undefined,
    response: Response,
  ): Promise<void> {
    if (scope !== undefined && !customer.key.scopes.includes(scope))
      throw new ForbiddenException(`the API key lacks the scope ${scope}`);
    const decision = await this.keys.consumeRateLimit(customer.key);
    setRateLimitHeaders(response, decision);
    if (!decision.allowed)
      throw new GatewayException(
        GatewayExceptionCode.RATE_LIMITED,
        'rate limit reached: retry after the Retry-After seconds',
      );
  }
}

function unauthorized(response: Response, message: string): UnauthorizedException {
  response.setHeader('WWW-Authenticate', 'Bearer realm="aegis"');
  return new UnauthorizedException(message);
}
