import {
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { bearerTokenOf } from '../api-keys/api-key-secret.js';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { GatewayException, GatewayExceptionCode } from '../gateway.exception.js';
import { setRateLimitHeaders } from '../rate-limit/rate-limit-headers.js';
import { CUSTOMER_ACCESS, type CustomerAccess } from './access.decorators.js';
import type { AuthenticatedRequest } from './principal.js';

/**
 * Authenticates `Authorization: Bearer <key>`, checks the route admits the
 * key (admin only unless `@CustomerKeysAllowed`, with its scope), and counts
 * a customer key's request against its rate limits.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const response = http.getResponse<Response>();
    const secret = bearerTokenOf(request.header('authorization'));
    if (secret === undefined)
      throw this.unauthorized(response, 'an API key is required: Authorization: Bearer <key>');
    const resolution = await this.keys.resolve(secret);
    if (resolution.status === 'admin') {
      request.principal = resolution.principal;
      return true;
    }
    if (resolution.status !== 'valid')
      throw this.unauthorized(response, 'the API key is unknown, revoked or expired');
    const access = this.reflector.get<CustomerAccess | undefined>(
      CUSTOMER_ACCESS,
      context.getHandler(),
    );
    if (access === undefined) throw new ForbiddenException('this route needs an admin key');
    if (access.scope !== undefined && !resolution.key.scopes.includes(access.scope))
      throw new ForbiddenException(`the API key lacks the scope ${access.scope}`);
    const decision = await this.keys.consumeRateLimit(resolution.key);
    setRateLimitHeaders(response, decision);
    if (!decision.allowed)
      throw new GatewayException(
        GatewayExceptionCode.RATE_LIMITED,
        'rate limit reached: retry after the Retry-After seconds',
      );
    request.principal = resolution.principal;
    return true;
  }

  private unauthorized(response: Response, message: string): UnauthorizedException {
    response.setHeader('WWW-Authenticate', 'Bearer realm="aegis"');
    return new UnauthorizedException(message);
  }
}
