import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { KeyRateLimit } from '../auth/principal.js';
import { GatewayEnv } from '../config/gateway.env.js';
import { REDIS_COMMANDS } from '../redis/redis.module.js';

/** The state of the tighter of a key's and its customer's limits after one request. */
export interface RateLimitDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Milliseconds until the window that decided resets. */
  readonly resetInMs: number;
  readonly windowSeconds: number;
}

/**
 * Fixed-window limits per key and per customer, counted in Redis so every
 * replica shares them. While Redis is unreachable each replica counts in its
 * own memory (rate-limiter-flexible's insurance limiter): the gateway keeps
 * serving, and the effective limit is the configured one times the replicas.
 */
@Injectable()
export class RateLimitsService {
  private readonly limiters = new Map<string, RateLimiterRedis>();

  constructor(
    private readonly env: GatewayEnv,
    @Inject(REDIS_COMMANDS) private readonly redis: Redis,
  ) {}

  async consume(
    keyId: string,
    keyLimit: KeyRateLimit,
    customerId: string,
  ): Promise<RateLimitDecision> {
    const customerLimit: KeyRateLimit = {
      requests: this.env.RATE_LIMIT_CUSTOMER_REQUESTS,
      perSeconds: this.env.RATE_LIMIT_CUSTOMER_PER_SECONDS,
    };
    const [byKey, byCustomer] = await Promise.all([
      this.consumeOne('key', keyId, keyLimit),
      this.consumeOne('customer', customerId, customerLimit),
    ]);
    if (!byCustomer.allowed && byKey.allowed) return byCustomer;
    if (!byKey.allowed) return byKey;
    return byCustomer.remaining < byKey.remaining ? byCustomer : byKey;
  }

  private async consumeOne(
    kind: string,
    id: string,
    limit: KeyRateLimit,
  ): Promise<RateLimitDecision> {
    try {
      return this.decision(limit, true, await this.limiterFor(kind, limit).consume(id));
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return this.decision(limit, false, rejection);
      throw rejection;
    }
  }

  private decision(
    limit: KeyRateLimit,
    allowed: boolean,
    result: RateLimiterRes,
  ): RateLimitDecision {
    return {
      allowed,
      limit: limit.requests,
      remaining: Math.max(0, result.remainingPoints),
      resetInMs: result.msBeforeNext,
      windowSeconds: limit.perSeconds,
    };
  }

  private limiterFor(kind: string, limit: KeyRateLimit): RateLimiterRedis {
    const name = `${kind}:${limit.requests}:${limit.perSeconds}`;
    let limiter = this.limiters.get(name);
    if (limiter === undefined) {
      const window = { points: limit.requests, duration: limit.perSeconds };
      limiter = new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${this.env.REDIS_KEY_PREFIX}:gateway:rl:${name}`,
        ...window,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ ...window, keyPrefix: `local:${name}` }),
      });
      this.limiters.set(name, limiter);
    }
    return limiter;
  }
}
