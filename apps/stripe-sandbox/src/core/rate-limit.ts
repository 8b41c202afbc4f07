import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { StripeSandboxEnv } from '../config/stripe-sandbox.env.js';
import { rateLimited } from './stripe-error.js';

/**
 * A token bucket, the algorithm Stripe describes for its own rate limiter:
 * it holds up to `perSecond` tokens, starts full and refills continuously at
 * `perSecond` a second; each request takes one, and a request that finds
 * none is refused. So a burst of up to `perSecond` requests passes at once,
 * and over time no more than `perSecond` a second do.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number | null = null;

  constructor(private readonly perSecond: number) {
    this.tokens = perSecond;
  }

  /** Takes a token at `nowMs` (a monotonic clock in milliseconds) if there is one. */
  tryTake(nowMs: number): boolean {
    if (this.updatedAt !== null) {
      const refilled = ((nowMs - this.updatedAt) / 1000) * this.perSecond;
      this.tokens = Math.min(this.perSecond, this.tokens + Math.max(refilled, 0));
    }
    this.updatedAt = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * `SANDBOX_RATE_LIMIT_PER_SECOND`: the Stripe API's rate limit, for the
 * whole sandbox (Stripe's account-wide limit; the sandbox is one account).
 * A request beyond it is answered with Stripe's 429 before anything else
 * runs, so it changes nothing and is not kept for its idempotency key.
 * Unset, every request passes.
 */
@Injectable()
export class RateLimitMiddleware implements NestMiddleware {
  private readonly bucket: TokenBucket | null;

  constructor(env: StripeSandboxEnv) {
    const perSecond = env.SANDBOX_RATE_LIMIT_PER_SECOND;
    this.bucket = perSecond === undefined ? null : new TokenBucket(perSecond);
  }

  use(_request: Request, response: Response, next: NextFunction): void {
    if (this.bucket === null || this.bucket.tryTake(performance.now())) {
      next();
      return;
    }
    const error = rateLimited();
    response.status(error.status).json(error.toJSON());
  }
}
