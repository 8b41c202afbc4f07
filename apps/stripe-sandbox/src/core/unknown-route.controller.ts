import { All, Controller, Req } from '@nestjs/common';
import type { Request } from 'express';
import { StripeApi } from './stripe-api.decorators.js';
import { unknownRoute } from './stripe-error.js';

/** Any other `/v1/…` path: Stripe's "Unrecognized request URL" (404), in Stripe's shape. */
@StripeApi()
@Controller('v1')
export class UnknownRouteController {
  @All('*path')
  unknown(@Req() request: Request): never {
    throw unknownRoute(request.method, request.path);
  }
}
