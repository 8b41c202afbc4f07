import CircuitBreaker from 'opossum';
import Stripe from 'stripe';
import { StripeUnavailableError } from './stripe-errors.js';
import type { CircuitState } from './payment-provider.js';

/** Stripe unreachable or failing; not a refusal, and not a 429 (the account is busy, Stripe is up). */
function countsAsDown(error: unknown): boolean {
  return (
    error instanceof StripeUnavailableError &&
    !(error.cause instanceof Stripe.errors.StripeRateLimitError)
  );
}

/** Thrown instead of calling Stripe while the breaker is open: a 503 that says so, at once. */
export class StripeCircuitOpenError extends Error {
  readonly code = 'stripe_unavailable';
  readonly status = 503;

  constructor(retryAfterMs: number) {
    super(
      `Stripe is unavailable: recent calls failed, so calls are refused for now (the breaker tries again within ${Math.ceil(retryAfterMs / 1000)} s)`,
    );
    this.name = 'StripeCircuitOpenError';
  }
}

export interface BreakerSettings {
  /** Failures (of the last `volumeThreshold` calls or more) that open it, in percent. */
  readonly errorThresholdPercentage: number;
  /** Calls within the rolling window before it may open. */
  readonly volumeThreshold: number;
  /** How long it stays open before one call is let through to try. */
  readonly resetTimeoutMs: number;
  readonly rollingCountTimeoutMs: number;
}

export const DEFAULT_BREAKER_SETTINGS: BreakerSettings = {
  errorThresholdPercentage: 50,
  volumeThreshold: 5,
  resetTimeoutMs: 10_000,
  rollingCountTimeoutMs: 10_000,
};

/**
 * A circuit breaker (opossum) in front of Stripe writes. Only Stripe being
 * unreachable or failing (StripeUnavailableError: connection errors, 5xx;
 * not a 429 that outlived its back-off) counts against it; Stripe refusing a request (a
 * declined card, a bad parameter) is an answer and does not. Open, it fails
 * calls at once with StripeCircuitOpenError; after `resetTimeoutMs` it lets
 * one call through (its probe, when it has one) and closes again when that
 * succeeds.
 */
export class StripeBreaker {
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>]>;

  /**
   * `probe`: a cheap call to Stripe (e.g. `GET /v1/balance`) that the breaker
   * makes by itself as its trial when it turns half open, so that it closes as
   * soon as Stripe answers again, writes or not (a failed probe opens it for
   * another `resetTimeoutMs`). Without one, the next write is the trial.
   */
  constructor(
    private readonly settings: BreakerSettings = DEFAULT_BREAKER_SETTINGS,
    probe?: () => Promise<unknown>,
  ) {
    this.breaker = new CircuitBreaker((work: () => Promise<unknown>) => work(), {
      timeout: false,
      errorThresholdPercentage: settings.errorThresholdPercentage,
      volumeThreshold: settings.volumeThreshold,
      resetTimeout: settings.resetTimeoutMs,
      rollingCountTimeout: settings.rollingCountTimeoutMs,
      errorFilter: (error: unknown) => !countsAsDown(error),
    });
    if (probe !== undefined)
      this.breaker.on('halfOpen', () => {
        // The outcome is the breaker's state: closed again, or open for another reset time.
        this.breaker.fire(probe).catch(() => undefined);
      });
  }

  async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return (await this.breaker.fire(work)) as T;
    } catch (error) {
      if ((error as { code?: unknown } | null)?.code === 'EOPENBREAKER')
        throw new StripeCircuitOpenError(this.settings.resetTimeoutMs);
      throw error;
    }
  }

  get state(): CircuitState {
    if (this.breaker.opened) return 'open';
    return this.breaker.halfOpen ? 'half_open' : 'closed';
  }

  shutdown(): void {
    this.breaker.shutdown();
  }
}
