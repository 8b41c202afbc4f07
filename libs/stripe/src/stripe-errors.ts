import Stripe from 'stripe';

/**
 * Stripe answered and said no (a declined card, an invalid request, a missing
 * object): 502 to an API caller, with Stripe's code and message.
 */
export class StripeRefusedError extends Error {
  readonly code = 'stripe_refused';
  readonly status = 502;
  /** Stripe's own code, e.g. `card_declined`, `resource_missing`. */
  readonly stripeCode: string | undefined;
  readonly stripeStatus: number | undefined;

  constructor(error: Stripe.errors.StripeError) {
    super(`Stripe refused: ${error.code ?? error.type}: ${error.message}`, { cause: error });
    this.name = 'StripeRefusedError';
    this.stripeCode = error.code;
    this.stripeStatus = error.statusCode;
  }
}

/** Stripe could not be reached, or is failing or limiting us: 503, worth retrying later. */
export class StripeUnavailableError extends Error {
  readonly code = 'stripe_unavailable';
  readonly status = 503;

  constructor(error: Stripe.errors.StripeError) {
    super(`Stripe is unavailable: ${error.message}`, { cause: error });
    this.name = 'StripeUnavailableError';
  }
}

/** Stripe's error as one of ours; anything else as it is. */
export function toStripeDomainError(error: unknown): unknown {
  if (!(error instanceof Stripe.errors.StripeError)) return error;
  const unavailable =
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeRateLimitError ||
    error instanceof Stripe.errors.StripeAPIError ||
    (error.statusCode !== undefined && error.statusCode >= 500);
  return unavailable ? new StripeUnavailableError(error) : new StripeRefusedError(error);
}

/** Whether Stripe refused because the object does not exist (or no longer does). */
export function isStripeObjectMissing(error: unknown): boolean {
  return error instanceof StripeRefusedError && error.stripeCode === 'resource_missing';
}
