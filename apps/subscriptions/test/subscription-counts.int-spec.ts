import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  SUBSCRIPTION_STATUSES,
  SUBSCRIPTIONS_COUNT_V1,
  type SubscriptionStatus,
} from '@aegis/contracts';
import { AmqpRpcClient, topologyNames } from '@aegis/messaging';
import type { RunningService } from '@aegis/platform';
import {
  baseAmqpUrl,
  createTestDatabase,
  createTestPrefix,
  deleteServiceTopologies,
  startTestService,
  useTestEnvironment,
  waitUntilReady,
  type TestDatabase,
} from '@aegis/testing';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module.js';
import { Subscription } from '../src/subscription-mirror/entities/subscription.entity.js';

const RETRY_DELAYS_MS = [100, 200];

describe('subscriptions counts its mirrored subscriptions by status over RPC', () => {
  let database: TestDatabase;
  let service: RunningService;
  const prefix = createTestPrefix();

  beforeAll(async () => {
    database = await createTestDatabase();
    useTestEnvironment({
      databaseUrl: database.url,
      amqpUrl: baseAmqpUrl(),
      prefix,
      // Nothing here calls Stripe: an address where nothing listens.
      env: {
        STRIPE_API_URL: 'http://127.0.0.1:9',
        MESSAGING_RETRY_DELAYS_MS: RETRY_DELAYS_MS.join(','),
      },
    });
    service = await startTestService(AppModule, 'subscriptions');
    await waitUntilReady(service.url, { what: 'subscriptions to be ready' });
  });

  afterAll(async () => {
    await service.app.close();
    await deleteServiceTopologies(baseAmqpUrl(), [
      topologyNames(prefix, 'subscriptions', RETRY_DELAYS_MS),
    ]);
    await database.drop();
  });

  const count = (customerId?: string) =>
    service.app
      .get(AmqpRpcClient)
      .call(SUBSCRIPTIONS_COUNT_V1, customerId === undefined ? {} : { customerId });

  async function mirror(status: SubscriptionStatus, customerId?: string): Promise<void> {
    const now = new Date();
    const suffix = randomUUID().replaceAll('-', '');
    await service.app.get(DataSource).manager.insert(Subscription, {
      subscriptionId: randomUUID(),
      stripeSubscriptionId: `sub_${suffix}`,
      customerId: customerId ?? `cust_${suffix}`,
      stripeCustomerId: `cus_${suffix}`,
      planId: null,
      priceId: null,
      quantity: 1,
      currency: 'usd',
      unitAmount: 99_900,
      billingInterval: 'month',
      billingIntervalCount: 1,
      status,
      currentPeriodStart: now,
      currentPeriodEnd: now,
      cancelAtPeriodEnd: false,
      cancelAt: null,
      canceledAt: null,
      endedAt: null,
      trialStart: null,
      trialEnd: null,
      metadata: {},
      lastEventCreated: now,
      refetchedAhead: false,
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
  }

  it('answers every status, 0 when there are none, and none active', async () => {
    const reply = await count();
    expect(reply.counts).toEqual(SUBSCRIPTION_STATUSES.map((status) => ({ status, count: 0 })));
    expect(reply.active).toBe(0);
  });

  it('counts each status, and active, trialing and past-due ones as active', async () => {
    const made: SubscriptionStatus[] = [
      'active',
      'active',
      'active',
      'trialing',
      'past_due',
      'canceled',
      'canceled',
      'incomplete',
      'incomplete_expired',
      'unpaid',
      'paused',
    ];
    for (const status of made) await mirror(status);
    const reply = await count();
    expect(
      Object.fromEntries(reply.counts.map(({ status, count }) => [status, count])),
    ).toStrictEqual({
      incomplete: 1,
      incomplete_expired: 1,
      trialing: 1,
      active: 3,
      past_due: 1,
      canceled: 2,
      unpaid: 1,
      paused: 1,
    });
    expect(reply.counts.map(({ status }) => status)).toStrictEqual([...SUBSCRIPTION_STATUSES]);
    expect(reply.active).toBe(5);
  });

  it("counts one customer's subscriptions only when asked for that customer", async () => {
    await mirror('active', 'cust_counted_one');
    await mirror('canceled', 'cust_counted_one');
    const reply = await count('cust_counted_one');
    expect(reply.active).toBe(1);
    expect(reply.counts.filter(({ count }) => count > 0)).toEqual([
      { status: 'active', count: 1 },
      { status: 'canceled', count: 1 },
    ]);
    expect((await count('cust_counted_none')).active).toBe(0);
    expect((await count()).active).toBe(6);
  });
});
