import { describe, it, expect } from '@jest/globals';
import { thrownBy } from '@aegis/testing';
import Stripe from 'stripe';
import { freshnessOf } from './convergence.js';
import { RateLimiter } from './rate-limiter.js';
import { SANDBOX_SECRET_KEY, stripeTargetOf } from './stripe-client.js';
import type { StripeServiceEnv } from './stripe-env.js';
import { writeWithinRateLimit } from './stripe-writes.js';
import { WebhookVerificationError, verifyStripeWebhook } from './webhook-verification.js';

const SECRET = 'whsec_current';
const OLD_SECRET = 'whsec_previous';
const payload = Buffer.from(
  JSON.stringify({ id: 'evt_1', object: 'event', type: 'customer.created', data: { object: {} } }),
);

function header(secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return Stripe.webhooks.generateTestHeaderString({
    payload: payload.toString('utf8'),
    secret,
    timestamp,
  });
}

function reasonOf(run: () => unknown): string {
  return thrownBy(run, WebhookVerificationError).reason;
}

describe(verifyStripeWebhook.name, () => {
  it('returns the event a current secret signed', () => {
    const event = verifyStripeWebhook(payload, header(SECRET), [SECRET], 300);
    expect(event.id).toBe('evt_1');
  });

  it('accepts any of several secrets while one is rolled', () => {
    expect(verifyStripeWebhook(payload, header(OLD_SECRET), [SECRET, OLD_SECRET], 300).id).toBe(
      'evt_1',
    );
  });

  it('refuses a missing, malformed, forged or stale signature with a one-line reason', () => {
    expect(reasonOf(() => verifyStripeWebhook(payload, undefined, [SECRET], 300))).toMatch(
      /missing/,
    );
    expect(reasonOf(() => verifyStripeWebhook(payload, 'nonsense', [SECRET], 300))).toMatch(
      /malformed/,
    );
    expect(
      reasonOf(() => verifyStripeWebhook(payload, header('whsec_forged'), [SECRET], 300)),
    ).toMatch(/no signature matches/);
    const anHourAgo = Math.floor(Date.now() / 1000) - 3_600;
    expect(
      reasonOf(() => verifyStripeWebhook(payload, header(SECRET, anHourAgo), [SECRET], 300)),
    ).toMatch(/stale/);
    const tampered = Buffer.from(payload.toString('utf8').replace('evt_1', 'evt_2'));
    expect(reasonOf(() => verifyStripeWebhook(tampered, header(SECRET), [SECRET], 300))).toMatch(
      /no signature matches/,
    );
  });
});

describe(stripeTargetOf.name, () => {
  const env = (settings: Partial<StripeServiceEnv>): StripeServiceEnv =>
    settings as StripeServiceEnv;

  it('talks to the sandbox when no key is set', () => {
    const target = stripeTargetOf(env({}));
    expect(target.sandbox).toBe(true);
    expect(target.key).toBe(SANDBOX_SECRET_KEY);
    expect(target.apiUrl?.toString()).toBe('http://127.0.0.1:12111/');
  });

  it('talks to Stripe itself with a key, unless told another URL', () => {
    expect(stripeTargetOf(env({ STRIPE_SECRET_KEY: 'sk_test_x' })).apiUrl).toBeUndefined();
    const elsewhere = stripeTargetOf(
      env({ STRIPE_SECRET_KEY: 'sk_test_x', STRIPE_API_URL: 'http://localhost:4000' }),
    );
    expect(elsewhere.sandbox).toBe(false);
    expect(elsewhere.apiUrl?.port).toBe('4000');
  });
});

describe(RateLimiter.name, () => {
  it('lets a second’s worth of calls through at once and holds the next', async () => {
    const limiter = new RateLimiter(2);
    await limiter.take();
    await limiter.take();
    let third = false;
    const waiting = limiter.take().then(() => {
      third = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(third).toBe(false);
    await waiting;
    expect(third).toBe(true);
  });
});

describe(writeWithinRateLimit.name, () => {
  const fast = { retries: 3, baseDelayMs: 1, maxDelayMs: 2 };
  const rateLimited = (): Error =>
    new Stripe.errors.StripeRateLimitError({
      message: 'Too many requests',
      type: 'invalid_request_error',
    });

  it('retries a 429 with the same call until it goes through', async () => {
    let calls = 0;
    const result = await writeWithinRateLimit(
      new RateLimiter(100),
      () => {
        calls += 1;
        return calls < 3 ? Promise.reject(rateLimited()) : Promise.resolve('in_1');
      },
      fast,
    );
    expect(result).toBe('in_1');
    expect(calls).toBe(3);
  });

  it('gives up after its retries, and never retries another error', async () => {
    let calls = 0;
    await expect(
      writeWithinRateLimit(
        new RateLimiter(100),
        () => {
          calls += 1;
          return Promise.reject(rateLimited());
        },
        fast,
      ),
    ).rejects.toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect(calls).toBe(4);
    calls = 0;
    const declined = new Stripe.errors.StripeCardError({ message: 'declined', type: 'card_error' });
    await expect(
      writeWithinRateLimit(
        new RateLimiter(100),
        () => {
          calls += 1;
          return Promise.reject(declined);
        },
        fast,
      ),
    ).rejects.toBe(declined);
    expect(calls).toBe(1);
  });
});

describe(freshnessOf.name, () => {
  it('applies the first event and newer ones, skips older ones, and doubts a tie', () => {
    expect(freshnessOf(100, null)).toBe('newer');
    expect(freshnessOf(101, 100)).toBe('newer');
    expect(freshnessOf(99, 100)).toBe('older');
    expect(freshnessOf(100, 100)).toBe('tie');
  });
});
