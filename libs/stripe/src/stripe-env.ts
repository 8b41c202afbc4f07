import { ServiceEnv } from '@aegis/config';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { DEFAULT_BREAKER_SETTINGS } from './stripe-breaker.js';

/** Where the Stripe sandbox listens by default (`npm start`). */
export const DEFAULT_SANDBOX_API_URL = 'http://127.0.0.1:12111';

/** Settings of a service that calls Stripe; its env class extends this one. */
export abstract class StripeServiceEnv extends ServiceEnv {
  /**
   * Unset: the service talks to the Stripe sandbox. Set: to Stripe itself
   * (or to `STRIPE_API_URL`) with this key.
   */
  @IsOptional()
  @Matches(/^(sk|rk)_(test|live)_\w+$/, { message: 'must be a Stripe secret or restricted key' })
  STRIPE_SECRET_KEY?: string;

  /** The Stripe API's base URL; defaults to the sandbox without a key, to Stripe with one. */
  @IsOptional()
  @Matches(/^https?:\/\/[^/\s]+\/?$/, { message: 'must be an http(s):// URL without a path' })
  STRIPE_API_URL?: string;

  /** Re-fetches from Stripe per second at most (order in doubt); Stripe allows 100 in live mode. */
  @IsInt()
  @Min(1)
  @Max(100)
  STRIPE_REFETCH_PER_SECOND: number = 20;

  /**
   * Writes to Stripe per second at most, per process (a token bucket):
   * Stripe allows 25 in test mode and 100 in live mode; a 429 backs off anyway.
   */
  @IsInt()
  @Min(1)
  @Max(100)
  STRIPE_WRITES_PER_SECOND: number = 25;

  @IsInt()
  @Min(100)
  STRIPE_TIMEOUT_MS: number = 10_000;

  /**
   * The circuit breaker in front of Stripe writes (docs/payments-status.md):
   * it opens when at least STRIPE_BREAKER_VOLUME_THRESHOLD calls of the last
   * STRIPE_BREAKER_WINDOW_MS were made and STRIPE_BREAKER_ERROR_PERCENT of
   * them found Stripe unavailable; open, writes fail at once with a 503, and
   * after STRIPE_BREAKER_RESET_MS one write is let through to try.
   */
  @IsInt()
  @Min(100)
  STRIPE_BREAKER_RESET_MS: number = DEFAULT_BREAKER_SETTINGS.resetTimeoutMs;

  @IsInt()
  @Min(1)
  STRIPE_BREAKER_VOLUME_THRESHOLD: number = DEFAULT_BREAKER_SETTINGS.volumeThreshold;

  @IsInt()
  @Min(1)
  @Max(100)
  STRIPE_BREAKER_ERROR_PERCENT: number = DEFAULT_BREAKER_SETTINGS.errorThresholdPercentage;

  @IsInt()
  @Min(1000)
  STRIPE_BREAKER_WINDOW_MS: number = DEFAULT_BREAKER_SETTINGS.rollingCountTimeoutMs;
}
