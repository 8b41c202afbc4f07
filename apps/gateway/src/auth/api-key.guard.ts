import {
  ForbiddenException,
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { DashboardSessions } from '../dashboard/dashboard-sessions.service.js';
import { CUSTOMER_ACCESS, type CustomerAccess } from './access.decorators.js';
import { KeyAdmission } from './key-admission.js';
import type { AuthenticatedRequest } from './principal.js';

/**
 * Authenticates `Authorization: Bearer <key>`, checks the route admits the
 * key (admin only unless `@CustomerKeysAllowed`, with its scope), and counts
 * a customer key's request against its rate limits. A request without a key
 * but with the dashboard's session cookie is the admin's, when its session is
 * valid (and, for an unsafe method, same-origin with the session's CSRF token).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly admission: KeyAdmission,
    private readonly reflector: Reflector,
    private readonly sessions: DashboardSessions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const response = http.getResponse<Response>();
    if (this.sessions.carriesSession(request)) {
      request.principal = await this.sessions.authenticate(request);
      return true;
    }
    const resolution = await this.admission.authenticate(request, response);
    if (resolution.status === 'valid') {
      const access = this.reflector.get<CustomerAccess | undefined>(
        CUSTOMER_ACCESS,
        context.getHandler(),
      );
      if (access === undefined) throw new ForbiddenException('this route needs an admin key');
      await this.admission.admitCustomerKey(resolution, access.scope, response);
    }
    request.principal = resolution.principal;
    return true;
  }
}
