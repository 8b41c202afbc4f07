import { afterAll, beforeAll, describe, it, expect } from '@jest/globals';
import { DEFAULT_RETRY_DELAYS_MS } from '@aegis/config';
import { stripeEventName } from '@aegis/contracts';
import { topologyNames } from '@aegis/messaging';
import {
  baseAmqpUrl,
  createTestDatabase,
  createTestPrefix,
  defined,
  deleteServiceTopologies,
  waitFor,
  type ServiceProcess,
  type TestDatabase,
} from '@aegis/testing';
import type Stripe from 'stripe';
import {
  EventTap,
  IngestDatabase,
  deleteRedisKeys,
  PREVIOUS_WEBHOOK_SECRET,
  WEBHOOK_SECRET,
  pairedPorts,
  postWebhook,
  signatureFor,
  startIngest,
  startSandbox,
  syntheticEvent,
  type RunningSandbox,
} from './ingest-harness.js';

interface WebhookAnswer {
  received: boolean;
  outcome: 'stored' | 'duplicate';
}

interface Problem {
  status: number;
  detail: string;
}

async function eventAbout(stripe: Stripe, type: string, objectId: string): Promise<Stripe.Event> {
  const found = await waitFor(
    async () =>
      (await stripe.events.list({ type, limit: 100 })).data.find(
        (event) => (event.data.object as { id?: string }).id === objectId,
      ),
    (event) => event !== undefined,
    { what: `the ${type} event of ${objectId}` },
  );
  if (found === undefined) throw new Error(`no ${type} event for ${objectId}`);
  return found;
}

describe('webhook-ingest stores each Stripe webhook once and fans it out', () => {
  let database: TestDatabase;
  let ingest: ServiceProcess;
  let sandbox: RunningSandbox;
  let tap: EventTap;
  let db: IngestDatabase;
  const prefix = createTestPrefix();
  const amqpUrl = baseAmqpUrl();

  /** Publishes a fresh event and waits until the relay has carried it: everything queued before it went out too. */
  const relayPassedMarker = async (): Promise<void> => {
    const marker = syntheticEvent();
    const response = await postWebhook(ingest.url, JSON.stringify(marker));
    expect(response.status).toBe(200);
    await tap.waitFor(marker.id);
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    const { sandboxPort, ingestPort } = await pairedPorts();
    ingest = await startIngest({
      databaseUrl: database.url,
      amqpUrl,
      prefix,
      env: { PORT: String(ingestPort), STRIPE_API_URL: `http://127.0.0.1:${sandboxPort}` },
    });
    tap = await EventTap.open(amqpUrl, prefix);
    // The sandbox signs with the secret being rolled out, the second one ingest accepts.
    sandbox = await startSandbox({
      PORT: String(sandboxPort),
      SANDBOX_WEBHOOK_URL: `${ingest.url}/webhooks/stripe`,
      STRIPE_WEBHOOK_SECRET: PREVIOUS_WEBHOOK_SECRET,
    });
    db = new IngestDatabase(database.url);
  });

  afterAll(async () => {
    await tap.close();
    await sandbox.process.stop();
    await ingest.stop();
    await db.close();
    await EventTap.delete(amqpUrl, prefix);
    await deleteServiceTopologies(amqpUrl, [
      topologyNames(prefix, 'webhook-ingest', DEFAULT_RETRY_DELAYS_MS),
    ]);
    await deleteRedisKeys(prefix);
    await database.drop();
  });

  it('stores a sandbox webhook and publishes it as stripe.<type> with the event id as message id', async () => {
    const customer = await sandbox.stripe.customers.create({ email: 'ingest@example.com' });
    const event = await eventAbout(sandbox.stripe, 'customer.created', customer.id);

    const stored = await db.waitUntilPublished(event.id);
    expect(stored.event_type).toBe('customer.created');
    expect(stored.delivery_count).toBe(1);
    expect(stored.received_via).toBe('webhook');

    const [first, ...others] = await tap.waitFor(event.id);
    expect(others).toStrictEqual([]);
    const message = defined(first, 'the publication');
    expect(message.routingKey).toBe('stripe.customer.created');
    expect(message.messageId).toBe(event.id);
    expect(message.envelope.id).toBe(event.id);
    expect(message.envelope.type).toBe(stripeEventName('customer.created'));
    expect((message.envelope.data.data.object as Stripe.Customer).id).toBe(customer.id);
    const { rows } = await db.query<{ payload: unknown }>(
      `SELECT "payload" FROM "ingest"."stripe_webhook_events" WHERE "event_id" = $1`,
      [event.id],
    );
    expect(rows[0]?.payload).toStrictEqual(message.envelope.data);
  });

  it('answers a redelivery 200, counts it, and publishes nothing again', async () => {
    const customer = await sandbox.stripe.customers.create({ email: 'again@example.com' });
    const event = await eventAbout(sandbox.stripe, 'customer.created', customer.id);
    await db.waitUntilPublished(event.id);

    const response = await postWebhook(ingest.url, JSON.stringify(event));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, outcome: 'duplicate' });

    expect((await db.event(event.id))?.delivery_count).toBe(2);
    expect(await db.outboxRowsOf(event.id)).toBe(1);
    await relayPassedMarker();
    expect(tap.of(event.id).length).toBe(1);
  });

  it('stores one row and publishes once when copies of a new event arrive at the same time', async () => {
    const event = syntheticEvent();
    const payload = JSON.stringify(event);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => postWebhook(ingest.url, payload)),
    );
    expect(responses.map((response) => response.status)).toStrictEqual(
      Array.from({ length: 20 }, () => 200),
    );
    const outcomes = await Promise.all(
      responses.map(async (response) => ((await response.json()) as WebhookAnswer).outcome),
    );
    expect(outcomes.filter((outcome) => outcome === 'stored').length).toBe(1);
    expect(outcomes.filter((outcome) => outcome === 'duplicate').length).toBe(19);

    expect((await db.event(event.id))?.delivery_count).toBe(20);
    expect(await db.outboxRowsOf(event.id)).toBe(1);
    await tap.waitFor(event.id);
    await relayPassedMarker();
    expect(tap.of(event.id).length).toBe(1);
  });

  it('refuses a missing, malformed, forged, stale or tampered signature with 400 and stores nothing', async () => {
    const event = syntheticEvent();
    const payload = JSON.stringify(event);
    const anHourAgo = Math.floor(Date.now() / 1_000) - 3_600;
    const tampered = payload.replace(event.id, `${event.id}x`);
    const cases: { body: string; signature: string | null; reason: RegExp }[] = [
      { body: payload, signature: null, reason: /missing Stripe-Signature/ },
      { body: payload, signature: 'not a signature', reason: /malformed/ },
      {
        body: payload,
        signature: signatureFor(payload, 'whsec_forged'),
        reason: /no signature matches/,
      },
      {
        body: payload,
        signature: signatureFor(payload, WEBHOOK_SECRET, anHourAgo),
        reason: /stale/,
      },
      { body: tampered, signature: signatureFor(payload), reason: /no signature matches/ },
    ];
    for (const { body, signature, reason } of cases) {
      const response = await postWebhook(ingest.url, body, signature);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type') ?? '').toMatch(/application\/problem\+json/);
      const problem = (await response.json()) as Problem;
      expect(problem.detail).toMatch(reason);
      expect(problem.detail).not.toMatch(/\n/);
    }
    expect(await db.event(event.id)).toBe(undefined);
    expect(await db.event(`${event.id}x`)).toBe(undefined);
    expect(await db.outboxRowsOf(event.id)).toBe(0);
  });

  it('refuses a correctly signed body that is not a Stripe event, naming the field, and stores nothing', async () => {
    const notAnEvent = JSON.stringify({ ...syntheticEvent(), id: 'cus_123', object: 'customer' });
    const response = await postWebhook(ingest.url, notAnEvent);
    expect(response.status).toBe(400);
    const problem = (await response.json()) as Problem;
    expect(problem.detail).toMatch(/\bid\b/);
    expect(problem.detail).toMatch(/\bobject\b/);
    const badCreated = { ...syntheticEvent(), created: 'yesterday' };
    const refused = await postWebhook(ingest.url, JSON.stringify(badCreated));
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as Problem).detail).toMatch(/\bcreated\b/);
    expect(await db.event(badCreated.id)).toBe(undefined);
    const notJson = '{"id": "evt_broken",';
    const broken = await postWebhook(ingest.url, notJson, signatureFor(notJson));
    expect(broken.status).toBe(400);
    expect(broken.headers.get('content-type') ?? '').toMatch(/application\/problem\+json/);
    expect(await db.event('evt_broken')).toBe(undefined);
  });

  it('stores the rest of a group commit when one event in it cannot be stored, and refuses that one with 400', async () => {
    const events = Array.from({ length: 12 }, () => syntheticEvent());
    const poison = syntheticEvent();
    // Valid JSON, signed, but PostgreSQL's jsonb refuses the NUL character.
    (poison.data.object as Stripe.Customer).metadata = { note: 'nul \u0000 here' };
    const responses = await Promise.all(
      [...events.slice(0, 6), poison, ...events.slice(6)].map((event) =>
        postWebhook(ingest.url, JSON.stringify(event)),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(12);
    const refused = responses[6];
    expect(refused?.status).toBe(400);
    expect(((await refused?.json()) as Problem).detail).toMatch(/cannot be stored/);
    expect(await db.event(poison.id)).toBe(undefined);
    for (const event of events) expect((await db.event(event.id))?.delivery_count).toBe(1);
  });

  it('accepts either secret while one is rolled', async () => {
    const current = syntheticEvent();
    const previous = syntheticEvent();
    const both = syntheticEvent();
    const bothPayload = JSON.stringify(both);
    // As Stripe signs while a secret is rolled: one timestamp, a signature per secret.
    const now = Math.floor(Date.now() / 1_000);
    const currentSignature = signatureFor(bothPayload, WEBHOOK_SECRET, now).split('v1=')[1] ?? '';
    const twoSignatures = `${signatureFor(bothPayload, 'whsec_retired', now)},v1=${currentSignature}`;
    for (const [event, secret] of [
      [current, WEBHOOK_SECRET],
      [previous, PREVIOUS_WEBHOOK_SECRET],
    ] as const) {
      const payload = JSON.stringify(event);
      const response = await postWebhook(ingest.url, payload, signatureFor(payload, secret));
      expect(response.status).toBe(200);
      expect((await db.event(event.id))?.delivery_count).toBe(1);
    }
    const response = await postWebhook(ingest.url, bothPayload, twoSignatures);
    expect(response.status).toBe(200);
    expect((await db.event(both.id))?.delivery_count).toBe(1);
  });

  it('answers 413 to a body over 1 MiB and stores nothing, and accepts one just under', async () => {
    const withBlob = (size: number): Stripe.Event => {
      const event = syntheticEvent();
      (event.data.object as Stripe.Customer).metadata = { blob: 'x'.repeat(size) };
      return event;
    };
    const tooBig = withBlob(1024 * 1024);
    const response = await postWebhook(ingest.url, JSON.stringify(tooBig));
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type') ?? '').toMatch(/application\/problem\+json/);
    expect(await db.event(tooBig.id)).toBe(undefined);

    const large = withBlob(1000 * 1024);
    expect(JSON.stringify(large).length).toBeLessThan(1024 * 1024);
    const accepted = await postWebhook(ingest.url, JSON.stringify(large));
    expect(accepted.status).toBe(200);
    expect((await db.event(large.id))?.delivery_count).toBe(1);
  });
});
