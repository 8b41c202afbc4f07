import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { StripeApiError } from './stripe-error.js';

function masked(key: string): string {
  return key.length <= 12
    ? key
    : `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}`;
}

/**
 * Stripe's authentication: `Authorization: Bearer sk_test_…`. The sandbox
 * accepts any test-mode secret key and refuses everything else with Stripe's
 * 401, so a live key can never be used against it by mistake.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<Request>().header('authorization');
    const key = /^Bearer (\S+)$/.exec(header ?? '')?.[1];
    if (key === undefined) {
      throw new StripeApiError(401, {
        type: 'invalid_request_error',
        message:
          "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
      });
    }
    if (!/^sk_test_\w+$/.test(key)) {
      throw new StripeApiError(401, {
        type: 'invalid_request_error',
        code: 'api_key_invalid',
        message: `Invalid API Key provided: ${masked(key)}. The Stripe sandbox accepts test-mode secret keys (sk_test_…) only.`,
      });
    }
    return true;
  }
}
