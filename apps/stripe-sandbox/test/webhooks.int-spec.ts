import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '@aegis/testing';
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
    assert.match(endpoint.secret ?? '', /^whsec_/);
    const receiver = new WebhookReceiver(endpoint.secret);
    await receiver.start();
    receivers.push(receiver);
    await stripe.webhookEndpoints.update(endpoint.id, { url: receiver.url });
    return { receiver, endpoint };
  }

  before(async () => {
    sandbox = await startSandbox();
    stripe = sandbox.stripe;
  });

  after(async () => {
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
    assert.match(first.id, /^we_/);
    assert.notEqual(first.secret, second.secret);
    const fetched = await stripe.webhookEndpoints.retrieve(first.id);
    assert.equal(fetched.secret, undefined);
    assert.deepEqual(fetched.enabled_events, ['customer.created']);
    const listed = await stripe.webhookEndpoints.list({ limit: 100 });
    assert.ok(listed.data.some((endpoint) => endpoint.id === second.id));
    assert.ok(listed.data.every((endpoint) => endpoint.secret === undefined));
    const disabled = await stripe.webhookEndpoints.update(first.id, { disabled: true });
    assert.equal(disabled.status, 'disabled');
    const deleted = await stripe.webhookEndpoints.del(first.id);
    assert.equal(deleted.deleted, true);
    await stripe.webhookEndpoints.del(second.id);
    await assert.rejects(
      stripe.webhookEndpoints.retrieve(first.id),
      Stripe.errors.StripeInvalidRequestError,
    );
    await assert.rejects(
      stripe.webhookEndpoints.create({ url: 'not a url', enabled_events: ['*'] }),
      (error: unknown) =>
        error instanceof Stripe.errors.StripeInvalidRequestError && error.param === 'url',
    );
  });

  it('delivers signed events that constructEvent verifies, only the types an endpoint wants', async () => {
    const { receiver } = await receiverFor(['customer.created']);
    const customer = await stripe.customers.create({ email: 'signed@example.com' });
    await stripe.customers.update(customer.id, { name: 'Signed' });
    const event = await receiver.waitForEvent('customer.created', customer.id);
    assert.equal(event.api_version, Stripe.API_VERSION);
    assert.equal(event.livemode, false);
    assert.match(event.request?.id ?? '', /^req_/);
    assert.equal((event.data.object as Stripe.Customer).email, 'signed@example.com');
    const stored = await stripe.events.retrieve(event.id);
    assert.equal(stored.type, 'customer.created');
    // The update happened after the create; had it been delivered, it would be here by now.
    await waitFor(
      () => stripe.events.retrieve(event.id),
      (current) => current.pending_webhooks === 0,
      { what: 'the delivery to be settled' },
    );
    assert.equal(receiver.ofType('customer.updated').length, 0);
    assert.deepEqual(receiver.rejected, []);
  });

  it('retries a delivery the receiver answered with 500 until it is accepted', async () => {
    const { receiver } = await receiverFor(['customer.created']);
    receiver.failNext = 2;
    const customer = await stripe.customers.create({ email: 'retry@example.com' });
    const event = await receiver.waitForEvent('customer.created', customer.id);
    assert.equal(receiver.failNext, 0);
    assert.equal(receiver.ofType('customer.created').filter((e) => e.id === event.id).length, 1);
    const settled = await waitFor(
      () => stripe.events.retrieve(event.id),
      (current) => current.pending_webhooks === 0,
      { what: 'pending_webhooks to reach 0' },
    );
    assert.equal(settled.pending_webhooks, 0);
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
    for (const id of ids) assert.ok(customersInEvents.includes(id));
    const wildcard = await stripe.events.list({ type: 'customer.*', limit: 2 });
    assert.equal(wildcard.data.length, 2);
    assert.ok(wildcard.data.every((event) => event.type.startsWith('customer.')));
    const next = await stripe.events.list({
      type: 'customer.*',
      limit: 2,
      starting_after: wildcard.data[1]?.id,
    });
    assert.ok(next.data.every((event) => !wildcard.data.some((seen) => seen.id === event.id)));
    await assert.rejects(
      stripe.events.retrieve('evt_missing'),
      Stripe.errors.StripeInvalidRequestError,
    );
  });
});

describe('sandbox webhook delivery in shuffled order with duplicates', () => {
  let sandbox: RunningSandbox;
  const receiver = new WebhookReceiver();

  before(async () => {
    await receiver.start();
    sandbox = await startSandbox({
      SANDBOX_WEBHOOK_URL: receiver.url,
      STRIPE_WEBHOOK_SECRET: `whsec_rotated_old,${TEST_WEBHOOK_SECRET}`,
      SANDBOX_WEBHOOK_ORDER: 'shuffled',
      SANDBOX_WEBHOOK_DUPLICATES: 'true',
    });
  });

  after(async () => {
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
      assert.equal(copies.length, 2);
      assert.equal(copies[0]?.id, copies[1]?.id);
    }
    assert.deepEqual(receiver.rejected, []);
    // While a secret is rolled, each delivery carries a signature for the old and the new one.
    for (const { payload, signature } of receiver.deliveries) {
      for (const secret of ['whsec_rotated_old', TEST_WEBHOOK_SECRET]) {
        assert.doesNotThrow(() => Stripe.webhooks.constructEvent(payload, signature, secret));
      }
    }
  });
});
