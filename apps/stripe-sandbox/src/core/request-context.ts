import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { newId } from '../store/ids.js';

/** The API request being served, as Stripe records it on the events it causes. */
export interface ApiRequest {
  readonly id: string;
  readonly idempotencyKey: string | null;
  /** The scheme and host the request came to (`http://127.0.0.1:12111`). */
  readonly origin: string;
}

const storage = new AsyncLocalStorage<ApiRequest>();

/** The request being served, or null for work of the sandbox's own (test clocks, disputes opening). */
export function currentApiRequest(): ApiRequest | null {
  return storage.getStore() ?? null;
}

/** Gives each API request a `req_…` id (sent back as `Request-Id`) for the events it causes. */
@Injectable()
export class ApiRequestMiddleware implements NestMiddleware {
  use(request: Request, response: Response, next: NextFunction): void {
    const key = request.header('idempotency-key');
    const apiRequest: ApiRequest = {
      id: newId('req', 14),
      idempotencyKey: key === undefined || key === '' ? null : key,
      origin: `${request.protocol}://${request.get('host') ?? 'localhost'}`,
    };
    response.setHeader('Request-Id', apiRequest.id);
    storage.run(apiRequest, next);
  }
}
