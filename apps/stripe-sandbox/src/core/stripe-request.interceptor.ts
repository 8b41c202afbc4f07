import { createHash } from 'node:crypto';
import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { catchError, concatMap, finalize, from, map, of, throwError, type Observable } from 'rxjs';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore } from '../store/sandbox-store.js';
import { StorePersistence } from '../store/store-persistence.js';
import { expand } from './expand.js';
import { formOf } from './form.js';
import { StripeApiError } from './stripe-error.js';

/** Stripe keeps idempotency keys for at least 24 hours. */
export const IDEMPOTENCY_KEY_TTL_SECONDS = 24 * 60 * 60;

function recordIdOf(key: string): string {
  return `idk_${createHash('sha256').update(key).digest('base64url')}`;
}

function fingerprintOf(request: Request): string {
  const body = (request as Request & { rawBody?: Buffer }).rawBody?.toString('utf8') ?? '';
  // Parameter order does not matter to Stripe, so compare the sorted pairs.
  const pairs = body
    .split('&')
    .filter((pair) => pair !== '')
    .sort()
    .join('&');
  return `${request.method} ${request.path} ${pairs}`;
}

/** A replayed error response: the stored status and body, sent again as they were. */
class ReplayedError extends StripeApiError {}

/**
 * Stripe keeps the result of requests that ran (a declined card's 402
 * included), not of those rejected before running, which may be retried with
 * corrected parameters under the same key.
 */
function isKept(error: StripeApiError): boolean {
  return error.status === 402;
}

/**
 * Around every Stripe API call: honours `Idempotency-Key` on POSTs as Stripe
 * does (same key and parameters replay the first response with
 * `Idempotent-Replayed: true`; same key with other parameters is a 400
 * `idempotency_error`; the same key while the first is still running is a
 * 409), and persists the request's changes before the response leaves, so
 * an answered request is never lost to a restart.
 */
@Injectable()
export class StripeRequestInterceptor implements NestInterceptor {
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly store: SandboxStore,
    private readonly persistence: StorePersistence,
    private readonly clock: SandboxClock,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler<unknown>): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    const key = request.header('idempotency-key');
    const expanded = (source: Observable<unknown>): Observable<unknown> =>
      source.pipe(map((body) => expand(this.store, body, formOf(request).expand())));
    const persisted = <T>(source: Observable<T>): Observable<T> =>
      source.pipe(
        concatMap((body) => from(this.persistence.flush()).pipe(map(() => body))),
        catchError((error: unknown) =>
          from(this.persistence.flush()).pipe(concatMap(() => throwError(() => error))),
        ),
      );
    if (request.method !== 'POST' || key === undefined || key === '') {
      return persisted(expanded(next.handle()));
    }

    const recordId = recordIdOf(key);
    const fingerprint = fingerprintOf(request);
    const stored = this.store.find('sandbox.idempotency_key', recordId);
    if (
      stored !== undefined &&
      stored.created + IDEMPOTENCY_KEY_TTL_SECONDS > this.clock.realNow()
    ) {
      if (stored.fingerprint !== fingerprint) {
        const sameEndpoint = stored.endpoint === `${request.method} ${request.path}`;
        throw new StripeApiError(400, {
          type: 'idempotency_error',
          message: sameEndpoint
            ? `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`
            : `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${stored.endpoint}' vs '${request.method} ${request.path}'). Try using a key other than '${key}' if you meant to execute a different request.`,
        });
      }
      response.setHeader('Idempotent-Replayed', 'true');
      if (stored.status >= 400) {
        const body = stored.body as StripeApiError['body'] | { error: StripeApiError['body'] };
        throw new ReplayedError(stored.status, 'error' in body ? body.error : body);
      }
      return of(stored.body);
    }
    if (this.inFlight.has(recordId)) {
      throw new StripeApiError(409, {
        type: 'idempotency_error',
        code: 'idempotency_key_in_use',
        message: `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ${key}. Please try again later.`,
      });
    }
    this.inFlight.add(recordId);
    const keep = (status: number, body: unknown): void => {
      this.store.transaction(() => {
        this.store.remove('sandbox.idempotency_key', recordId);
        this.store.insert('sandbox.idempotency_key', {
          id: recordId,
          object: 'sandbox.idempotency_key',
          created: this.clock.realNow(),
          fingerprint,
          endpoint: `${request.method} ${request.path}`,
          status,
          body: JSON.parse(JSON.stringify(body)) as unknown,
        });
      });
    };
    return persisted(
      expanded(next.handle()).pipe(
        map((body) => {
          keep(200, body);
          return body;
        }),
        catchError((error: unknown) => {
          if (error instanceof StripeApiError && isKept(error)) keep(error.status, error.toJSON());
          return throwError(() => error);
        }),
        finalize(() => this.inFlight.delete(recordId)),
      ),
    );
  }
}
