import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { unknownRoute } from './stripe-error.js';

/**
 * Words Stripe uses where an object id would stand (`/v1/customers/search`,
 * `/v1/invoices/upcoming`, a `GET /v1/invoices/create_preview`) for paths the
 * sandbox does not serve. Without this they would reach `/:id` routes and be
 * read as ids, and the answer would blame the caller's parameters.
 * (`POST /v1/invoices/create_preview` has a route of its own, declared before
 * the `/:id` ones.)
 */
export const UNSERVED_COLLECTION_ACTIONS: ReadonlySet<string> = new Set([
  'search',
  'create_preview',
  'upcoming',
]);

/** Answers such a path as Stripe answers any path it does not know: 404 "Unrecognized request URL". */
@Injectable()
export class UnservedPathGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const id = request.params.id;
    if (typeof id === 'string' && UNSERVED_COLLECTION_ACTIONS.has(id))
      throw unknownRoute(request.method, request.path);
    return true;
  }
}
