import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { Params, parseStripeForm } from './params.js';

/** The request's parameters, from its query string and form-encoded body. */
export function formOf(request: Request): Params {
  const query = request.originalUrl.includes('?')
    ? parseStripeForm(request.originalUrl.slice(request.originalUrl.indexOf('?') + 1))
    : {};
  const rawBody = (request as Request & { rawBody?: Buffer }).rawBody;
  const body =
    rawBody !== undefined && request.is('application/x-www-form-urlencoded') !== false
      ? parseStripeForm(rawBody.toString('utf8'))
      : {};
  return Params.of(query, body);
}

/** Injects the request's Stripe parameters as a `Params` reader. */
export const Form = createParamDecorator((_data: unknown, context: ExecutionContext): Params =>
  formOf(context.switchToHttp().getRequest<Request>()),
);
