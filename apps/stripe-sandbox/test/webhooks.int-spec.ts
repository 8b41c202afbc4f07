import { afterAll, beforeAll, describe, it, expect } from '@jest/globals';
import { rejectionOf, waitFor } from '@aegis/testing';
import Stripe from 'stripe';
import {
  startSandbox,
  TEST_WEBHOOK_SECRET,
  WebhookReceiver,
  type RunningSandbox,
} from './sandbox-harness.js';

describe('sandbox webhook delivery', () => {
  let sandbox: RunningSandbox;
  let stripe: Stripe;
  const receivers: WebhookReceiver[] = [];

  async function receiverFor(enabledEvents: string[]): Promise<{
    receiver: WebhookReceiver;
    endpoint: Stripe.WebhookEndpoint;
  }> {
    // The receiver verifies against the secret the sandbox hands out on create.
    const placeholder = new WebhookReceiver('whsec_placeholder');
    await placeholder.start();
    const endpoint = await stripe.webhookEndpoints.create({
      url: placeholder.url,
      enabled_events: enabledEvents as Stripe.WebhookEndpointCreateParams.EnabledEvent[],
    });
    await placeholder.stop();
    expect(endpoint.secret ?? '').toMatch(/^whsec_/);
    const receiver = new WebhookReceiver(endpoint.secret);
    await receiver.start();
    receivers.push(receiver);
    await stripe.webhookEndpoints.update(endpoint.id, { url: receiver.url });
    return { receiver, endpoint };
  }

  beforeAll(async () => {
    sandbox = await startSandbox();
    stripe = sandbox.stripe;
  });

  afterAll(async () => {
    await sandbox.stop();
    for (const receiver of receivers) await receiver.stop();
  });

  it('manages endpoints, each with its own signing secret shown only on create', async () => {
    const first = await stripe.webhookEndpoints.create({
      url: 'https://example.com/one',
      enabled_events: ['customer.created'],
    });
    const second = await stripe.webhookEndpoints.create({
      url: 'https://example.com/two',
      enabled_events: ['*'],
      description: 'all events',
    });
    expect(first.id).toMatch(/^we_/);
    expect(first.secret).not.toBe(second.secret);
    const fetched = await stripe.webhookEndpoints.retrieve(first.id);
    expect(fetched.secret).toBe(undefined);
    expect(fetched.enabled_events).toStrictEqual(['customer.created']);
    const listed = await stripe.webhookEndpoints.list({ limit: 100 });
    expect(listed.data.some((endpoint) => endpoint.id === second.id)).toBeTruthy();
    expect(listed.data.every((endpoint) => endpoint.secret === undefined)).toBeTruthy();
    const disabled = await stripe.webhookEndpoints.update(first.id, { disabled: true });
    expect(disabled.status).toBe('disabled');
    const deleted = await stripe.webhookEndpoints.del(first.id);
    expect(deleted.deleted).toBe(true);
    await stripe.webhookEndpoints.del(second.id);
    await expect(stripe.webhookEndpoints.retrieve(first.id)).rejects.toThrow(
      Stripe.errors.StripeInvalidRequestError,
    );
    const badUrl = await rejectionOf(
      stripe.webhookEndpoints.create({ url: 'not a url', enabled_events: ['*'] }),
      Stripe.errors.StripeInvalidRequestError,
    );
    expect(badUrl.param).toBe('url');
  });

  it('delivers signed events that constructEvent verifies, only the types an endpoint wants', async () => {
    const { receiver } = await receiverFor(['customer.created']);
    const customer = await stripe.customers.create({ email: 'signed@example.com' });
    await stripe.customers.update(customer.id, { name: 'Signed' });
    const event = await receiver.waitForEvent('customer.created', customer.id);
    expect(event.api_version).toBe(Stripe.API_VERSION);
    expect(event.livemode).toBe(false);
    expect(event.request?.id ?? '').toMatch(/^req_/);
    expect((event.data.object as Stripe.Customer).email).toBe('signed@example.com');
    const stored = await stripe.events.retrieve(event.id);
    expect(stored.type).toBe('customer.created');
    // The update happened after the create; had it been delivered, it would be here by now.
    await waitFor(
      () => stripe.events.retrieve(event.id),
      (current) => current.pending_webhooks === 0,
      { what: 'the delivery to be settled' },
    );
    expect(receiver.ofType('customer.updated').length).toBe(0);
    expect(receiver.rejected).toStrictEqual([]);
  });

  it('retries a delivery the receiver answered with 500 until it is accepted', async () => {
    const { receiver } = await receiverFor(['customer.created']);
    receiver.failNext = 2;
    const customer = await stripe.customers.create({ email: 'retry@example.com' });
    const event = await receiver.waitForEvent('customer.created', customer.id);
    expect(receiver.failNext).toBe(0);
    expect(receiver.ofType('customer.created').filter((e) => e.id === event.id).length).toBe(1);
    const settled = await waitFor(
      () => stripe.events.retrieve(event.id),
      (current) => current.pending_webhooks === 0,
      { what: 'pending_webhooks to reach 0' },
    );
    expect(settled.pending_webhooks).toBe(0);
  });

  it('lists events by type and creation time, and pages through them', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const ids: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      ids.push((await stripe.customers.create({ email: `events${index}@example.com` })).id);
    }
    const events = await stripe.events.list({
      type: 'customer.created',
      created: { gte: since },
      limit: 100,
    });
    const customersInEvents = events.data.map((event) => (event.data.object as Stripe.Customer).id);
    for (const id of ids) expect(customersInEvents).toContain(id);
    const wildcard = await stripe.events.list({ type: 'customer.*', limit: 2 });
    expect(wildcard.data.length).toBe(2);
    expect(wildcard.data.every((event) => event.type.startsWith('customer.'))).toBeTruthy();
    const next = await stripe.events.list({
      type: 'customer.*',
      limit: 2,
      starting_after: wildcard.data[1]?.id,
    });
    expect(
      next.data.every((event) => !wildcard.data.some((seen) => seen.id === event.id)),
    ).toBeTruthy();
    await expect(stripe.events.retrieve('evt_missing')).rejects.toThrow(
      Stripe.errors.StripeInvalidRequestError,
    );
  });
});

describe('sandbox webhook delivery in shuffled order with duplicates', () => {
  let sandbox: RunningSandbox;
  const receiver = new WebhookReceiver();

  beforeAll(async () => {
    await receiver.start();
    sandbox = await startSandbox({
      SANDBOX_WEBHOOK_URL: receiver.url,
      STRIPE_WEBHOOK_SECRET: `whsec_rotated_old,${TEST_WEBHOOK_SECRET}`,
      SANDBOX_WEBHOOK_ORDER: 'shuffled',
      SANDBOX_WEBHOOK_DUPLICATES: 'true',
    });
  });

  afterAll(async () => {
    await sandbox.stop();
    await receiver.stop();
  });

  it('delivers every event twice, signed with every active secret', async () => {
    const created: string[] = [];
    for (let index = 0; index < 10; index += 1) {
      created.push(
        (await sandbox.stripe.customers.create({ email: `dup${index}@example.com` })).id,
      );
    }
    await waitFor(
      () => Promise.resolve(receiver.ofType('customer.created').length),
      (count) => count >= 20,
      { what: '20 deliveries' },
    );
    for (const id of created) {
      const copies = receiver
        .ofType('customer.created')
        .filter((event) => (event.data.object as Stripe.Customer).id === id);
      expect(copies.length).toBe(2);
      expect(copies[0]?.id).toBe(copies[1]?.id);
    }
    expect(receiver.rejected).toStrictEqual([]);
    // While a secret is rolled, each delivery carries a signature for the old and the new one.
    for (const { payload, signature } of receiver.deliveries) {
      for (const secret of ['whsec_rotated_old', TEST_WEBHOOK_SECRET]) {
        expect(() => Stripe.webhooks.constructEvent(payload, signature, secret)).not.toThrow();
      }
    }
  });
});
