import { describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import { StripeBreaker, StripeCircuitOpenError } from './stripe-breaker.js';
import { StripeRefusedError, StripeUnavailableError } from './stripe-errors.js';

const settings = {
  errorThresholdPercentage: 50,
  volumeThreshold: 3,
  resetTimeoutMs: 100,
  rollingCountTimeoutMs: 10_000,
};

const unavailable = () =>
  new StripeUnavailableError(
    new Stripe.errors.StripeConnectionError({ message: 'connect ECONNREFUSED', type: 'api_error' }),
  );
const refused = () =>
  new StripeRefusedError(
    new Stripe.errors.StripeCardError({ message: 'Your card was declined.', type: 'card_error' }),
  );

describe(StripeBreaker.name, () => {
  it('opens after Stripe keeps failing, refuses at once while open, and closes when a trial call succeeds', async () => {
    const breaker = new StripeBreaker(settings);
    for (let attempt = 0; attempt < 3; attempt += 1)
      await expect(breaker.call(() => Promise.reject(unavailable()))).rejects.toBeInstanceOf(
        StripeUnavailableError,
      );
    expect(breaker.state).toBe('open');
    let called = false;
    const refusedFast = breaker.call(() => {
      called = true;
      return Promise.resolve('never');
    });
    await expect(refusedFast).rejects.toBeInstanceOf(StripeCircuitOpenError);
    await expect(refusedFast).rejects.toMatchObject({ status: 503, code: 'stripe_unavailable' });
    expect(called).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, settings.resetTimeoutMs + 50));
    expect(breaker.state).toBe('half_open');
    await expect(breaker.call(() => Promise.resolve('ok'))).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
    breaker.shutdown();
  });

  it('never opens on Stripe refusing requests: a refusal is an answer', async () => {
    const breaker = new StripeBreaker(settings);
    for (let attempt = 0; attempt < 6; attempt += 1)
      await expect(breaker.call(() => Promise.reject(refused()))).rejects.toBeInstanceOf(
        StripeRefusedError,
      );
    expect(breaker.state).toBe('closed');
    breaker.shutdown();
  });

  it('with a probe, closes by itself once Stripe answers the probe, without any write; a failed probe opens it again', async () => {
    let stripeUp = false;
    let probes = 0;
    const breaker = new StripeBreaker(settings, () => {
      probes += 1;
      return stripeUp ? Promise.resolve('balance') : Promise.reject(unavailable());
    });
    for (let attempt = 0; attempt < 3; attempt += 1)
      await expect(breaker.call(() => Promise.reject(unavailable()))).rejects.toBeInstanceOf(
        StripeUnavailableError,
      );
    expect(breaker.state).toBe('open');
    expect(probes).toBe(0);
    // Stripe still down: the probe fails and the breaker opens again.
    await new Promise((resolve) => setTimeout(resolve, settings.resetTimeoutMs + 50));
    expect(probes).toBe(1);
    expect(breaker.state).toBe('open');
    stripeUp = true;
    await new Promise((resolve) => setTimeout(resolve, settings.resetTimeoutMs + 50));
    expect(probes).toBe(2);
    expect(breaker.state).toBe('closed');
    await expect(breaker.call(() => Promise.resolve('written'))).resolves.toBe('written');
    breaker.shutdown();
  });
});
