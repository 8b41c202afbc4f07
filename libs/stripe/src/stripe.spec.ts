import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import { freshnessOf } from './convergence.js';
import { RateLimiter } from './rate-limiter.js';
import { SANDBOX_SECRET_KEY, stripeTargetOf } from './stripe-client.js';
import type { StripeServiceEnv } from './stripe-env.js';
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
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof WebhookVerificationError);
    return error.reason;
  }
  assert.fail('the webhook was accepted');
}

describe(verifyStripeWebhook.name, () => {
  it('returns the event a current secret signed', () => {
    const event = verifyStripeWebhook(payload, header(SECRET), [SECRET], 300);
    assert.equal(event.id, 'evt_1');
  });

  it('accepts any of several secrets while one is rolled', () => {
    assert.equal(
      verifyStripeWebhook(payload, header(OLD_SECRET), [SECRET, OLD_SECRET], 300).id,
      'evt_1',
    );
  });

  it('refuses a missing, malformed, forged or stale signature with a one-line reason', () => {
    assert.match(
      reasonOf(() => verifyStripeWebhook(payload, undefined, [SECRET], 300)),
      /missing/,
    );
    assert.match(
      reasonOf(() => verifyStripeWebhook(payload, 'nonsense', [SECRET], 300)),
      /malformed/,
    );
    assert.match(
      reasonOf(() => verifyStripeWebhook(payload, header('whsec_forged'), [SECRET], 300)),
      /no signature matches/,
    );
    const anHourAgo = Math.floor(Date.now() / 1000) - 3_600;
    assert.match(
      reasonOf(() => verifyStripeWebhook(payload, header(SECRET, anHourAgo), [SECRET], 300)),
      /stale/,
    );
    const tampered = Buffer.from(payload.toString('utf8').replace('evt_1', 'evt_2'));
    assert.match(
      reasonOf(() => verifyStripeWebhook(tampered, header(SECRET), [SECRET], 300)),
      /no signature matches/,
    );
  });
});

describe(stripeTargetOf.name, () => {
  const env = (settings: Partial<StripeServiceEnv>): StripeServiceEnv =>
    settings as StripeServiceEnv;

  it('talks to the sandbox when no key is set', () => {
    const target = stripeTargetOf(env({}));
    assert.equal(target.sandbox, true);
    assert.equal(target.key, SANDBOX_SECRET_KEY);
    assert.equal(target.apiUrl?.toString(), 'http://127.0.0.1:12111/');
  });

  it('talks to Stripe itself with a key, unless told another URL', () => {
    assert.equal(stripeTargetOf(env({ STRIPE_SECRET_KEY: 'sk_test_x' })).apiUrl, undefined);
    const elsewhere = stripeTargetOf(
      env({ STRIPE_SECRET_KEY: 'sk_test_x', STRIPE_API_URL: 'http://localhost:4000' }),
    );
    assert.equal(elsewhere.sandbox, false);
    assert.equal(elsewhere.apiUrl?.port, '4000');
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
    assert.equal(third, false);
    await waiting;
    assert.equal(third, true);
  });
});

describe(freshnessOf.name, () => {
  it('applies the first event and newer ones, skips older ones, and doubts a tie', () => {
    assert.equal(freshnessOf(100, null), 'newer');
    assert.equal(freshnessOf(101, 100), 'newer');
    assert.equal(freshnessOf(99, 100), 'older');
    assert.equal(freshnessOf(100, 100), 'tie');
  });
});
