import {
  ForbiddenException,
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { CUSTOMER_ACCESS, type CustomerAccess } from './access.decorators.js';
import { KeyAdmission } from './key-admission.js';
import type { AuthenticatedRequest } from './principal.js';

/**
 * Authenticates `Authorization: Bearer <key>`, checks the route admits the
 * key (admin only unless `@CustomerKeysAllowed`, with its scope), and counts
 * a customer key's request against its rate limits.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly admission: KeyAdmission,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const response = http.getResponse<Response>();
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
