import {
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  createParamDecorator,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { Response } from 'express';
import type { ApiKey } from '../api-keys/api-key.entity.js';
import { bearerTokenOf } from '../api-keys/api-key-secret.js';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import type { AuthenticatedRequest } from '../auth/principal.js';
import { GatewayException, GatewayExceptionCode } from '../gateway.exception.js';
import { setRateLimitHeaders } from '../rate-limit/rate-limit-headers.js';
import { ProxyRoutes, type ProxyRoute } from './proxy-routes.js';

/** A call the gateway admitted to a route: the route and the customer key that pays for it. */
export interface ProxyCall {
  readonly route: ProxyRoute;
  readonly key: ApiKey;
}

interface ProxyRequest extends AuthenticatedRequest {
  proxyCall?: ProxyCall;
}

/**
 * Admits a call to `/proxy/{route}/…`, in this order: a customer key (401 without a valid
 * one, 403 for the admin key, which has no customer to meter), a configured route (404), the
 * route's scope (403), then one request of the key's rate limits (429). Nothing refused here
 * reaches the upstream or is metered.
 */
@Injectable()
export class ProxyAccessGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly routes: ProxyRoutes,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<ProxyRequest>();
    const response = http.getResponse<Response>();
    const secret = bearerTokenOf(request.header('authorization'));
    if (secret === undefined)
      throw this.unauthorized(response, 'an API key is required: Authorization: Bearer <key>');
    const resolution = await this.keys.resolve(secret);
    if (resolution.status === 'admin')
      throw new ForbiddenException(
        'the metered proxy takes customer keys only: an admin key has no customer to meter',
      );
    if (resolution.status !== 'valid')
      throw this.unauthorized(response, 'the API key is unknown, revoked or expired');
    const { route: routeParam } = request.params;
    const name = typeof routeParam === 'string' ? routeParam : '';
    const route = this.routes.find(name);
    if (route === undefined)
      throw new GatewayException(
        GatewayExceptionCode.PROXY_ROUTE_NOT_FOUND,
        `no proxy route ${name}`,
      );
    if (!resolution.key.scopes.includes(route.scope))
      throw new ForbiddenException(`the API key lacks the scope ${route.scope}`);
    const decision = await this.keys.consumeRateLimit(resolution.key);
    setRateLimitHeaders(response, decision);
    if (!decision.allowed)
      throw new GatewayException(
        GatewayExceptionCode.RATE_LIMITED,
        'rate limit reached: retry after the Retry-After seconds',
      );
    request.principal = resolution.principal;
    request.proxyCall = { route, key: resolution.key };
    return true;
  }

  private unauthorized(response: Response, message: string): UnauthorizedException {
    response.setHeader('WWW-Authenticate', 'Bearer realm="aegis"');
    return new UnauthorizedException(message);
  }
}

/** The call ProxyAccessGuard admitted. */
export const AdmittedProxyCall = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ProxyCall => {
    const call = context.switchToHttp().getRequest<ProxyRequest>().proxyCall;
    if (call === undefined) throw new Error('AdmittedProxyCall used without ProxyAccessGuard');
    return call;
  },
);
