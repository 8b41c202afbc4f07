import { describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import {
  StripeRefusedError,
  StripeUnavailableError,
  isStripeObjectMissing,
  toStripeDomainError,
} from './stripe-errors.js';
import { StripeCircuitOpenError } from './stripe-breaker.js';

describe(toStripeDomainError.name, () => {
  it('turns a refusal into a 502 that carries Stripe’s code and message', () => {
    const declined = new Stripe.errors.StripeCardError({
      type: 'card_error',
      code: 'card_declined',
      message: 'Your card was declined.',
      statusCode: 402,
    });
    const mapped = toStripeDomainError(declined);
    expect(mapped).toBeInstanceOf(StripeRefusedError);
    const refused = mapped as StripeRefusedError;
    expect(refused.status).toBe(502);
    expect(refused.stripeCode).toBe('card_declined');
    expect(refused.stripeStatus).toBe(402);
    expect(refused.message).toContain('Your card was declined.');
    expect(refused.cause).toBe(declined);
  });

  it('turns an outage, a 5xx or a rate limit into a 503', () => {
    for (const error of [
      new Stripe.errors.StripeConnectionError({ type: 'api_error', message: 'socket hang up' }),
      new Stripe.errors.StripeAPIError({ type: 'api_error', message: 'boom', statusCode: 500 }),
      new Stripe.errors.StripeRateLimitError({
        type: 'invalid_request_error',
        message: 'slow down',
        statusCode: 429,
      }),
    ]) {
      const mapped = toStripeDomainError(error);
      expect(mapped).toBeInstanceOf(StripeUnavailableError);
      expect((mapped as StripeUnavailableError).status).toBe(503);
    }
  });

  it('leaves other errors as they are, and knows a missing object', () => {
    const other = new TypeError('not Stripe');
    expect(toStripeDomainError(other)).toBe(other);
    const missing = toStripeDomainError(
      new Stripe.errors.StripeInvalidRequestError({
        type: 'invalid_request_error',
        code: 'resource_missing',
        message: "No such customer: 'cus_x'",
        statusCode: 404,
      }),
    );
    expect(isStripeObjectMissing(missing)).toBe(true);
    expect(isStripeObjectMissing(other)).toBe(false);
  });
});

describe('the codes the problem details filter answers Stripe’s failures with', () => {
  it('are stripe_unavailable 503 for unreachable and an open breaker, stripe_refused 502 for a refusal', () => {
    const unreachable = new StripeUnavailableError(
      new Stripe.errors.StripeConnectionError({ type: 'api_error', message: 'socket hang up' }),
    );
    const open = new StripeCircuitOpenError(10_000);
    const refused = new StripeRefusedError(
      new Stripe.errors.StripeInvalidRequestError({
        type: 'invalid_request_error',
        code: 'resource_missing',
        message: 'No such customer',
        statusCode: 404,
      }),
    );
    expect([unreachable, open, refused].map(({ code, status }) => [code, status])).toStrictEqual([
      ['stripe_unavailable', 503],
      ['stripe_unavailable', 503],
      ['stripe_refused', 502],
    ]);
  });
});
