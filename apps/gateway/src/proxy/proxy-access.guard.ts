import {
  ForbiddenException,
  Injectable,
  createParamDecorator,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { Response } from 'express';
import type { ApiKey } from '../api-keys/api-key.entity.js';
import { KeyAdmission } from '../auth/key-admission.js';
import type { AuthenticatedRequest } from '../auth/principal.js';
import { GatewayException, GatewayExceptionCode } from '../gateway.exception.js';
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
    private readonly admission: KeyAdmission,
    private readonly routes: ProxyRoutes,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<ProxyRequest>();
    const response = http.getResponse<Response>();
    const resolution = await this.admission.authenticate(request, response);
    if (resolution.status === 'admin')
      throw new ForbiddenException(
        'the metered proxy takes customer keys only: an admin key has no customer to meter',
      );
    const { route: routeParam } = request.params;
    const name = typeof routeParam === 'string' ? routeParam : '';
    const route = this.routes.find(name);
    if (route === undefined)
      throw new GatewayException(
        GatewayExceptionCode.PROXY_ROUTE_NOT_FOUND,
        `no proxy route ${name}`,
      );
    await this.admission.admitCustomerKey(resolution, route.scope, response);
    request.principal = resolution.principal;
    request.proxyCall = { route, key: resolution.key };
    return true;
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
