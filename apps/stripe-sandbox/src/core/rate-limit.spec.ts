import { describe, expect, it } from '@jest/globals';
import type { NextFunction, Request, Response } from 'express';
import type { StripeSandboxEnv } from '../config/stripe-sandbox.env.js';
import { RateLimitMiddleware, TokenBucket } from './rate-limit.js';

function takes(bucket: TokenBucket, count: number, atMs: number): boolean[] {
  return Array.from({ length: count }, () => bucket.tryTake(atMs));
}

describe(TokenBucket.name, () => {
  it('lets a burst of the per-second limit through at once, and no more', () => {
    const sut = new TokenBucket(3);
    expect(takes(sut, 5, 1000)).toStrictEqual([true, true, true, false, false]);
  });

  it('refills one token every 1/limit seconds', () => {
    const sut = new TokenBucket(4);
    takes(sut, 4, 0);
    expect(sut.tryTake(249)).toBe(false);
    expect(sut.tryTake(250)).toBe(true);
    expect(sut.tryTake(251)).toBe(false);
    expect(takes(sut, 5, 1250)).toStrictEqual([true, true, true, true, false]);
  });

  it('holds no more than one second of tokens however long it was idle', () => {
    const sut = new TokenBucket(2);
    expect(takes(sut, 3, 60_000)).toStrictEqual([true, true, false]);
  });

  it('keeps at most the limit per second over a steady stream', () => {
    const sut = new TokenBucket(10);
    let passed = 0;
    for (let ms = 0; ms < 5000; ms += 10) if (sut.tryTake(ms)) passed += 1;
    // The full bucket's 10, then the 49 refilled over the 4.99 s until the last request.
    expect(passed).toBe(59);
  });
});

describe(RateLimitMiddleware.name, () => {
  function run(sut: RateLimitMiddleware): { passed: boolean; status?: number; body?: unknown } {
    let passed = false;
    const answer: { status?: number; body?: unknown } = {};
    const response = {
      status(code: number) {
        answer.status = code;
        return this;
      },
      json(body: unknown) {
        answer.body = body;
        return this;
      },
    } as unknown as Response;
    const next: NextFunction = () => {
      passed = true;
    };
    sut.use({} as Request, response, next);
    return { passed, ...answer };
  }

  it('passes every request when no limit is set', () => {
    const sut = new RateLimitMiddleware({} as StripeSandboxEnv);
    expect(Array.from({ length: 100 }, () => run(sut).passed).every(Boolean)).toBe(true);
  });

  it("answers beyond the limit with Stripe's 429 rate_limit body", () => {
    const sut = new RateLimitMiddleware({ SANDBOX_RATE_LIMIT_PER_SECOND: 1 } as StripeSandboxEnv);
    expect(run(sut).passed).toBe(true);
    expect(run(sut)).toStrictEqual({
      passed: false,
      status: 429,
      body: {
        error: {
          type: 'invalid_request_error',
          code: 'rate_limit',
          message:
            'Testmode request rate limit exceeded, the rate limits in testmode are lower than livemode. You can learn more about rate limits here https://stripe.com/docs/rate-limits.',
          doc_url: 'https://stripe.com/docs/error-codes/rate-limit',
        },
      },
    });
  });
});
