import { afterAll, beforeAll, describe, it, expect } from '@jest/globals';
import { EnvValidationError } from '@aegis/config';
import { createTestDatabase, rejectionOf, waitFor, type TestDatabase } from '@aegis/testing';
import Stripe from 'stripe';
import {
  startSandbox,
  TEST_WEBHOOK_SECRET,
  WebhookReceiver,
  type RunningSandbox,
} from './sandbox-harness.js';

describe('sandbox state in PostgreSQL', () => {
  let database: TestDatabase;
  const receiver = new WebhookReceiver();

  beforeAll(async () => {
    database = await createTestDatabase();
    await receiver.start();
  });

  afterAll(async () => {
    await receiver.stop();
    await database.drop();
  });

  const start = (): Promise<RunningSandbox> =>
    startSandbox({
      SANDBOX_DATABASE_URL: database.url,
      SANDBOX_WEBHOOK_URL: receiver.url,
      STRIPE_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
      SANDBOX_WEBHOOK_RETRY_DELAYS_MS: '300',
    });

  it('keeps objects, events, idempotency keys and undelivered webhooks across a restart', async () => {
    const first = await start();
    // Every delivery fails while the first instance runs, so the event is still pending at the restart.
    receiver.failNext = Number.MAX_SAFE_INTEGER;
    const customer = await first.stripe.customers.create(
      { email: 'durable@example.com', metadata: { kept: 'yes' } },
      { idempotencyKey: 'durable-create' },
    );
    const paymentMethod = await first.stripe.paymentMethods.attach('pm_card_visa', {
      customer: customer.id,
    });
    await waitFor(
      () => Promise.resolve(receiver.deliveries.length),
      (count) => count >= 1,
      { what: 'a first, failed delivery' },
    );
    await first.stop();

    receiver.failNext = 0;
    const second = await start();
    try {
      const kept = (await second.stripe.customers.retrieve(customer.id)) as Stripe.Customer;
      expect(kept.email).toBe('durable@example.com');
      expect(kept.metadata).toStrictEqual({ kept: 'yes' });
      const methods = await second.stripe.customers.listPaymentMethods(customer.id);
      expect(methods.data.map((method) => method.id)).toStrictEqual([paymentMethod.id]);
      const replayed = await second.stripe.customers.create(
        { email: 'durable@example.com', metadata: { kept: 'yes' } },
        { idempotencyKey: 'durable-create' },
      );
      expect(replayed.id).toBe(customer.id);
      const events = await second.stripe.events.list({ type: 'customer.created', limit: 100 });
      expect(
        events.data.some((event) => (event.data.object as Stripe.Customer).id === customer.id),
      ).toBeTruthy();
      const delivered = await receiver.waitForEvent('customer.created', customer.id);
      expect(delivered.type).toBe('customer.created');
      const newer = await second.stripe.customers.create({ email: 'after-restart@example.com' });
      const listed = await second.stripe.customers.list({ limit: 2 });
      expect(listed.data.map((listedCustomer) => listedCustomer.id)).toStrictEqual([
        newer.id,
        customer.id,
      ]);
    } finally {
      await second.stop();
    }
  });
});

describe('sandbox start-up', () => {
  it('refuses to start with a live-mode key', async () => {
    const error = await rejectionOf(
      startSandbox({ STRIPE_SECRET_KEY: 'sk_live_51Hxxxxxxxxxxxxxxxxxxxxxx' }),
      EnvValidationError,
    );
    expect(error.message).toMatch(/STRIPE_SECRET_KEY/);
    expect(error.message).toMatch(/live key/);
    delete process.env.STRIPE_SECRET_KEY;
  });
});
