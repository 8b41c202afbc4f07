import Stripe from 'stripe';
import type { RateLimiter } from './rate-limiter.js';

/** How a 429 from Stripe is retried: exponential back-off with full jitter, then given up. */
export interface RateLimitBackoff {
  readonly retries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RATE_LIMIT_BACKOFF: RateLimitBackoff = {
  retries: 8,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
};

function isRateLimited(error: unknown): boolean {
  return (
    error instanceof Stripe.errors.StripeRateLimitError ||
    (error instanceof Stripe.errors.StripeError && error.statusCode === 429)
  );
}

/**
 * Every write to Stripe goes through here (and every read, with the read bucket): first a token from the write
 * bucket (STRIPE_WRITES_PER_SECOND, Stripe's own limit being 25 a second in
 * test mode and 100 in live mode), then the call; a 429 all the same (other
 * replicas or tools share the account's limit) holds the whole bucket for an
 * exponentially growing, jittered while and tries again. A retry repeats the
 * call with the same idempotency key, so it cannot do a thing twice.
 */
export async function writeWithinRateLimit<T>(
  limiter: RateLimiter,
  work: () => Promise<T>,
  backoff: RateLimitBackoff = DEFAULT_RATE_LIMIT_BACKOFF,
  onRateLimited: () => void = () => undefined,
): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    await limiter.take();
    try {
      return await work();
    } catch (error) {
      if (!isRateLimited(error)) throw error;
      onRateLimited();
      if (attempt >= backoff.retries) throw error;
      const ceiling = Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** attempt);
      const delay = Math.ceil(ceiling / 2 + (Math.random() * ceiling) / 2);
      // Every writer of the process waits, not only this one: the account is over its limit.
      await limiter.holdFor(delay);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
