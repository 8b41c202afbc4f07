import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { USAGE_RECORDED_V2 } from '@aegis/contracts';
import { EventPublisher } from '@aegis/messaging';
import { InvalidInputException } from '@aegis/platform';
import { DataSource } from 'typeorm';
import { AuditLogService } from '../audit/audit-log.service.js';
import type { KeyRateLimit, Principal } from '../auth/principal.js';
import { GatewayEnv } from '../config/gateway.env.js';
import { GatewayException, GatewayExceptionCode } from '../gateway.exception.js';
import { RateLimitsService, type RateLimitDecision } from '../rate-limit/rate-limits.service.js';
import { ApiKeyCache } from './api-key-cache.js';
import {
  adminKeyIdOf,
  apiKeyHashOf,
  newApiKeyId,
  newApiKeySecret,
  secretsMatch,
  visiblePrefixOf,
} from './api-key-secret.js';
import { ApiKeyUsageTracker } from './api-key-usage-tracker.js';
import { ApiKey } from './api-key.entity.js';
import { DEFAULT_USAGE_QUANTITY, usageQuantityOf } from '../usage/usage-input.js';
import type { CreateApiKeyDto, VerifyUsageDto } from './dto/api-key.dto.js';

const DEFAULT_ROLL_GRACE_SECONDS = 86_400;

export type KeyResolution =
  | { readonly status: 'admin'; readonly principal: Principal }
  | {
      readonly status: 'valid';
      readonly key: ApiKey;
      readonly principal: Principal & { kind: 'customer' };
    }
  | { readonly status: 'unknown' | 'revoked' | 'expired' };

export type VerifyOutcome =
  | {
      readonly valid: true;
      readonly key: ApiKey;
      readonly rateLimit: RateLimitDecision;
      readonly usageEventId?: string;
    }
  | {
      readonly valid: false;
      readonly reason: 'unknown' | 'revoked' | 'expired' | 'scope_missing' | 'rate_limited';
      readonly rateLimit?: RateLimitDecision;
    };

export function rateLimitOf(key: ApiKey): KeyRateLimit {
  return { requests: key.rateLimitRequests, perSeconds: key.rateLimitPerSeconds };
}

function isActive(key: ApiKey, now: Date): boolean {
  return key.revokedAt === null && (key.expiresAt === null || key.expiresAt > now);
}

/** Customer API keys: issue, resolve (the hot path), revoke, roll and verify. */
@Injectable()
export class ApiKeysService {
  private readonly adminKeyId: string | undefined;

  constructor(
    private readonly env: GatewayEnv,
    private readonly dataSource: DataSource,
    private readonly cache: ApiKeyCache,
    private readonly usageTracker: ApiKeyUsageTracker,
    private readonly rateLimits: RateLimitsService,
    private readonly audit: AuditLogService,
    private readonly publisher: EventPublisher,
  ) {
    this.adminKeyId =
      env.AEGIS_ADMIN_KEY === undefined ? undefined : adminKeyIdOf(env.AEGIS_ADMIN_KEY);
  }

  /** Who a presented key is: the admin, a customer's valid key, or why not. */
  async resolve(secret: string): Promise<KeyResolution> {
    const adminKey = this.env.AEGIS_ADMIN_KEY;
    if (adminKey !== undefined && this.adminKeyId !== undefined && secretsMatch(secret, adminKey))
      return { status: 'admin', principal: { kind: 'admin', keyId: this.adminKeyId } };
    const key = await this.cache.lookup(apiKeyHashOf(secret));
    if (key === null) return { status: 'unknown' };
    if (key.revokedAt !== null) return { status: 'revoked' };
    if (key.expiresAt !== null && key.expiresAt <= new Date()) return { status: 'expired' };
    this.usageTracker.markUsed(key.id);
    return {
      status: 'valid',
      key,
      principal: {
        kind: 'customer',
        keyId: key.id,
        customerId: key.customerId,
        scopes: key.scopes,
        rateLimit: rateLimitOf(key),
      },
    };
  }

  consumeRateLimit(key: ApiKey): Promise<RateLimitDecision> {
    return this.rateLimits.consume(key.id, rateLimitOf(key), key.customerId);
  }

  async create(
    principal: Principal,
    customerId: string,
    request: CreateApiKeyDto,
  ): Promise<{ key: ApiKey; secret: string }> {
    const expiresAt = request.expires_at === undefined ? null : new Date(request.expires_at);
    if (expiresAt !== null && expiresAt <= new Date())
      throw this.invalid('expires_at', 'expires_at must be in the future');
    const secret = newApiKeySecret();
    const key = await this.dataSource.transaction(async (manager) => {
      const row = manager.create(ApiKey, {
        id: newApiKeyId(),
        customerId,
        name: request.name,
        prefix: visiblePrefixOf(secret),
        secretHash: apiKeyHashOf(secret),
        scopes: [...new Set(request.scopes)],
        rateLimitRequests: request.rate_limit?.requests ?? this.env.RATE_LIMIT_DEFAULT_REQUESTS,
        rateLimitPerSeconds:
          request.rate_limit?.per_seconds ?? this.env.RATE_LIMIT_DEFAULT_PER_SECONDS,
        createdAt: new Date(),
        expiresAt,
        revokedAt: null,
        lastUsedAt: null,
        rolledFrom: null,
      });
      await manager.insert(ApiKey, row);
      await this.audit.record(manager, principal, 'api_key.create', row.id);
      return row;
    });
    return { key, secret };
  }

  async find(keyId: string): Promise<ApiKey> {
    const key = await this.dataSource.getRepository(ApiKey).findOneBy({ id: keyId });
    if (key === null)
      throw new GatewayException(GatewayExceptionCode.API_KEY_NOT_FOUND, `no API key ${keyId}`);
    return key;
  }

  /** Revokes at once on every replica; revoking a revoked key changes nothing. */
  async revoke(principal: Principal, keyId: string): Promise<ApiKey> {
    const key = await this.dataSource.transaction(async (manager) => {
      const row = await manager.findOne(ApiKey, {
        where: { id: keyId },
        lock: { mode: 'pessimistic_write' },
      });
      if (row === null)
        throw new GatewayException(GatewayExceptionCode.API_KEY_NOT_FOUND, `no API key ${keyId}`);
      if (row.revokedAt !== null) return row;
      row.revokedAt = new Date();
      await manager.update(ApiKey, { id: keyId }, { revokedAt: row.revokedAt });
      await this.audit.record(manager, principal, 'api_key.revoke', keyId);
      return row;
    });
    await this.cache.announceChanged(keyId);
    return key;
  }

  /**
   * A new key with the old one's customer, name, scopes and limit; the old
   * one keeps working for `graceSeconds` (its expiry moves no later than it was).
   */
  async roll(
    principal: Principal,
    keyId: string,
    graceSeconds = DEFAULT_ROLL_GRACE_SECONDS,
  ): Promise<{ key: ApiKey; secret: string }> {
    const secret = newApiKeySecret();
    const rolled = await this.dataSource.transaction(async (manager) => {
      const old = await manager.findOne(ApiKey, {
        where: { id: keyId },
        lock: { mode: 'pessimistic_write' },
      });
      if (old === null)
        throw new GatewayException(GatewayExceptionCode.API_KEY_NOT_FOUND, `no API key ${keyId}`);
      const now = new Date();
      if (!isActive(old, now))
        throw new GatewayException(
          GatewayExceptionCode.API_KEY_INACTIVE,
          `API key ${keyId} is revoked or expired: create a new one`,
        );
      const graceEnds = new Date(now.getTime() + graceSeconds * 1_000);
      const oldExpiresAt =
        old.expiresAt !== null && old.expiresAt < graceEnds ? old.expiresAt : graceEnds;
      await manager.update(ApiKey, { id: keyId }, { expiresAt: oldExpiresAt });
      const row = manager.create(ApiKey, {
        customerId: old.customerId,
        name: old.name,
        scopes: old.scopes,
        rateLimitRequests: old.rateLimitRequests,
        rateLimitPerSeconds: old.rateLimitPerSeconds,
        revokedAt: null,
        id: newApiKeyId(),
        prefix: visiblePrefixOf(secret),
        secretHash: apiKeyHashOf(secret),
        createdAt: now,
        lastUsedAt: null,
        rolledFrom: keyId,
        expiresAt: old.expiresAt,
      });
      await manager.insert(ApiKey, row);
      await this.audit.record(manager, principal, 'api_key.roll', keyId);
      return row;
    });
    await this.cache.announceChanged(keyId);
    return { key: rolled, secret };
  }

  /**
   * The operator's check of a key its own API received: valid or why not,
   * the key's rate limit consumed, and with `usage` the call metered in the
   * same transaction that makes the answer durable.
   */
  async verify(secret: string, scope?: string, usage?: VerifyUsageDto): Promise<VerifyOutcome> {
    const resolution = await this.resolve(secret);
    if (resolution.status === 'admin') return { valid: false, reason: 'unknown' };
    if (resolution.status !== 'valid') return { valid: false, reason: resolution.status };
    const { key } = resolution;
    if (scope !== undefined && !key.scopes.includes(scope))
      return { valid: false, reason: 'scope_missing' };
    const rateLimit = await this.consumeRateLimit(key);
    if (!rateLimit.allowed) return { valid: false, reason: 'rate_limited', rateLimit };
    if (usage === undefined) return { valid: true, key, rateLimit };
    const usageEventId = await this.recordUsage(
      key,
      usage.product_id,
      usageQuantityOf(usage.quantity) ?? DEFAULT_USAGE_QUANTITY,
      usage.metadata,
    );
    return { valid: true, key, rateLimit, usageEventId };
  }

  /**
   * One usage event, durable when this resolves: committed to the gateway's
   * outbox for metering. `quantity` is exact decimal text.
   */
  async recordUsage(
    key: ApiKey,
    productId: string,
    quantity: string,
    metadata?: Record<string, string>,
  ): Promise<string> {
    const usageEventId = randomUUID();
    await this.dataSource.transaction((manager) =>
      this.publisher.publish(
        manager,
        USAGE_RECORDED_V2,
        {
          customerId: key.customerId,
          productId,
          quantity,
          recordedAt: new Date().toISOString(),
          apiKeyId: key.id,
          ...(metadata === undefined ? {} : { metadata }),
        },
        { id: usageEventId },
      ),
    );
    return usageEventId;
  }

  private invalid(field: string, message: string): Error {
    return new InvalidInputException([{ field, message }]);
  }
}
