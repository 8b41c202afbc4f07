import { createHash } from 'node:crypto';
import {
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { IDEMPOTENT_REPLAYED_HEADER } from '@aegis/contracts';
import { InvalidInputException } from '@aegis/platform';
import type { Response } from 'express';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { DataSource, LessThan } from 'typeorm';
import type { AuthenticatedRequest } from '../auth/principal.js';
import { GatewayException, GatewayExceptionCode } from '../gateway.exception.js';
import { IdempotencyRecord } from './idempotency-record.entity.js';

const RETENTION_MS = 24 * 60 * 60 * 1_000;
/** An in-flight record older than this belongs to a request whose process died: the next retry takes it over. */
const ABANDONED_AFTER_MS = 60_000;
/** Every method that changes something and carries a body: a PUT of pricing makes a version, too. */
const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH']);
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

type Claim =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'replay'; readonly status: number; readonly body: unknown };

/**
 * `Idempotency-Key` on a POST, PUT or PATCH: the first answer is stored (24 h) and given
 * again to a retry with the same body (`Idempotent-Replayed: true`); a retry
 * while the first still runs is a 409, another body under the key a 422.
 * A request that fails leaves no record, so it can be retried as it was.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger(IdempotencyInterceptor.name);

  constructor(private readonly dataSource: DataSource) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context
      .switchToHttp()
      .getRequest<AuthenticatedRequest & { rawBody?: Buffer }>();
    const idempotencyKey = request.header('idempotency-key');
    if (
      !IDEMPOTENT_METHODS.has(request.method) ||
      idempotencyKey === undefined ||
      request.principal === undefined
    )
      return next.handle();
    if (!KEY_PATTERN.test(idempotencyKey))
      throw new InvalidInputException([
        {
          field: 'Idempotency-Key',
          message: 'Idempotency-Key must be 1-255 printable ASCII characters',
        },
      ]);
    const owner = request.principal.keyId;
    const fingerprint = createHash('sha256')
      .update(`${request.method} ${request.originalUrl}\n`)
      .update(request.rawBody ?? JSON.stringify(request.body ?? null))
      .digest('hex');
    const response = context.switchToHttp().getResponse<Response>();
    return from(this.run(owner, idempotencyKey, fingerprint, response, next));
  }

  private async run(
    owner: string,
    idempotencyKey: string,
    fingerprint: string,
    response: Response,
    next: CallHandler,
  ): Promise<unknown> {
    const claim = await this.claim(owner, idempotencyKey, fingerprint);
    if (claim.kind === 'replay') {
      response.status(claim.status).setHeader(IDEMPOTENT_REPLAYED_HEADER, 'true');
      return claim.body;
    }
    const where = { ownerKeyId: owner, idempotencyKey };
    const records = this.dataSource.getRepository(IdempotencyRecord);
    let body: unknown;
    try {
      body = await lastValueFrom(next.handle(), { defaultValue: undefined });
    } catch (error) {
      await records.delete(where).catch((cleanup: unknown) => {
        this.logger.warn(`idempotency record ${idempotencyKey} not released: ${String(cleanup)}`);
      });
      throw error;
    }
    await records.update(where, {
      state: 'completed',
      responseStatus: response.statusCode,
      responseBody: body === undefined ? null : (JSON.parse(JSON.stringify(body)) as object),
    });
    return body;
  }

  private claim(owner: string, idempotencyKey: string, fingerprint: string): Promise<Claim> {
    return this.dataSource.transaction(async (manager) => {
      const now = new Date();
      const where = { ownerKeyId: owner, idempotencyKey };
      await manager.delete(IdempotencyRecord, { ...where, expiresAt: LessThan(now) });
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(IdempotencyRecord)
        .values({
          ...where,
          requestFingerprint: fingerprint,
          state: 'in_flight',
          responseStatus: null,
          responseBody: null,
          lockedAt: now,
          createdAt: now,
          expiresAt: new Date(now.getTime() + RETENTION_MS),
        })
        .orIgnore()
        .returning(['ownerKeyId'])
        .execute();
      if ((inserted.raw as unknown[]).length > 0) return { kind: 'claimed' };
      const existing = await manager.findOne(IdempotencyRecord, {
        where,
        lock: { mode: 'pessimistic_write' },
      });
      if (existing === null)
        throw new GatewayException(
          GatewayExceptionCode.IDEMPOTENCY_KEY_IN_USE,
          'the request under this Idempotency-Key is still running',
        );
      if (existing.requestFingerprint !== fingerprint)
        throw new GatewayException(
          GatewayExceptionCode.IDEMPOTENCY_KEY_REUSED,
          'this Idempotency-Key was used with another request: use a new key for a new request',
        );
      if (existing.state === 'completed')
        return {
          kind: 'replay',
          status: existing.responseStatus ?? 200,
          body: existing.responseBody,
        };
      if (now.getTime() - existing.lockedAt.getTime() < ABANDONED_AFTER_MS)
        throw new GatewayException(
          GatewayExceptionCode.IDEMPOTENCY_KEY_IN_USE,
          'the request under this Idempotency-Key is still running',
        );
      await manager.update(IdempotencyRecord, where, { lockedAt: now });
      return { kind: 'claimed' };
    });
  }
}
