import {
  applyDecorators,
  Delete,
  HttpCode,
  Post,
  UseFilters,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { ApiKeyGuard } from './api-key.guard.js';
import { StripeRequestInterceptor } from './stripe-request.interceptor.js';
import { StripeErrorFilter } from './stripe-error.filter.js';
import { UnservedPathGuard } from './unserved-path.guard.js';

/**
 * A controller of the sandbox's Stripe API: test-mode key required, paths it
 * does not serve answered as Stripe's unknown URLs, errors in Stripe's shape, idempotency keys honoured, changes persisted before answering.
 */
export function StripeApi(): ClassDecorator {
  return applyDecorators(
    UseGuards(ApiKeyGuard, UnservedPathGuard),
    UseFilters(StripeErrorFilter),
    UseInterceptors(StripeRequestInterceptor),
  );
}

/** A Stripe POST route: Stripe answers 200, not Nest's default 201. */
export function StripePost(path: string): MethodDecorator {
  return applyDecorators(Post(path), HttpCode(200));
}

export function StripeDelete(path: string): MethodDecorator {
  return applyDecorators(Delete(path), HttpCode(200));
}
