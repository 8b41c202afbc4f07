import { randomUUID } from 'node:crypto';
import { DEFAULT_RETRY_DELAYS_MS } from '@aegis/config';
import { afterAll, beforeAll, describe, it, expect } from '@jest/globals';
import {
  INGEST_ADMIN_PATHS,
  STRIPE_EVENT_APPLIED_V1,
  type ReplayResultV1,
  type StripeEventAppliedV1,
  type StripeEventReceiptV1,
} from '@aegis/contracts';
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
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import type Stripe from 'stripe';
import {
  ADMIN_TOKEN,
  EventTap,
  IngestDatabase,
  adminRequest,
  postWebhook,
  startIngest,
  syntheticEvent,
} from './ingest-harness.js';

interface Problem {
  status: number;
  detail: string;
  errors?: { field: string }[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('webhook-ingest admin routes: receipts and replay', () => {
  let database: TestDatabase;
  let ingest: ServiceProcess;
  let tap: EventTap;
  let db: IngestDatabase;
  let broker: ChannelModel;
  let channel: ConfirmChannel;
  const prefix = createTestPrefix();
  const amqpUrl = baseAmqpUrl();

  const store = async (overrides: Partial<Stripe.Event> = {}): Promise<Stripe.Event> => {
    const event = syntheticEvent(overrides);
    const response = await postWebhook(ingest.url, JSON.stringify(event));
    expect(response.status).toBe(200);
    await tap.waitFor(event.id);
    await db.waitUntilPublished(event.id);
    return event;
  };

  const receipt = async (eventId: string): Promise<StripeEventReceiptV1> => {
    const response = await adminRequest(
      ingest.url,
      'GET',
      INGEST_ADMIN_PATHS.eventReceipt(eventId),
    );
    expect(response.status).toBe(200);
    return (await response.json()) as StripeEventReceiptV1;
  };

  const replay = async (body: object): Promise<ReplayResultV1> => {
    const response = await adminRequest(ingest.url, 'POST', '/admin/events/replay', body);
    expect(response.status).toBe(200);
    return (await response.json()) as ReplayResultV1;
  };

  /** What a consuming service's outbox sends after applying a Stripe event. */
  const sendReceipt = async (
    receipt: StripeEventAppliedV1,
    messageId: string = randomUUID(),
  ): Promise<void> => {
    const envelope = {
      id: messageId,
      type: STRIPE_EVENT_APPLIED_V1,
      version: 1,
      occurredAt: receipt.appliedAt,
      source: receipt.service,
      correlationId: randomUUID(),
      data: receipt,
    };
    channel.publish(
      `${prefix}.events`,
      STRIPE_EVENT_APPLIED_V1,
      Buffer.from(JSON.stringify(envelope)),
      { persistent: true, messageId },
    );
    await channel.waitForConfirms();
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    ingest = await startIngest({ databaseUrl: database.url, amqpUrl, prefix });
    tap = await EventTap.open(amqpUrl, prefix);
    db = new IngestDatabase(database.url);
    broker = await connect(amqpUrl);
    channel = await broker.createConfirmChannel();
  });

  afterAll(async () => {
    await tap.close();
    await broker.close();
    await ingest.stop();
    await db.close();
    await EventTap.delete(amqpUrl, prefix);
    await deleteServiceTopologies(amqpUrl, [
      topologyNames(prefix, 'webhook-ingest', DEFAULT_RETRY_DELAYS_MS),
    ]);
    await database.drop();
  });

  it('refuses the admin routes without the token or with a wrong one', async () => {
    const wrong = ADMIN_TOKEN.replace(/.$/, (last) => (last === '0' ? '1' : '0'));
    for (const [method, path] of [
      ['GET', '/admin/events/evt_anything'],
      ['POST', '/admin/events/replay'],
      ['POST', '/admin/backfills'],
    ] as const) {
      for (const token of [null, wrong, '']) {
        const body = method === 'POST' ? {} : undefined;
        const response = await adminRequest(ingest.url, method, path, body, token);
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate') ?? '').toMatch(/^Bearer/);
      }
    }
    const basic = await fetch(`${ingest.url}/admin/events/evt_anything`, {
      headers: { authorization: `Basic ${ADMIN_TOKEN}` },
    });
    expect(basic.status).toBe(401);
    const unknown = await adminRequest(ingest.url, 'GET', '/admin/events/evt_anything');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { code?: string }).code).toBe('event_not_found');
  });

  it('keeps the admin routes off (403) when no admin token is configured', async () => {
    const withoutToken = await startIngest({
      databaseUrl: database.url,
      amqpUrl,
      prefix,
      env: { INGEST_ADMIN_TOKEN: '' },
    });
    try {
      const response = await adminRequest(withoutToken.url, 'GET', '/admin/events/evt_anything');
      expect(response.status).toBe(403);
      expect(((await response.json()) as Problem).detail).toMatch(/INGEST_ADMIN_TOKEN/);
    } finally {
      await withoutToken.stop();
    }
  });

  it('shows an event received, published, and applied by which services with which outcome', async () => {
    const event = await store();
    const appliedAt = new Date().toISOString();
    const billingMessage = randomUUID();
    const billing = {
      eventId: event.id,
      service: 'billing',
      outcome: 'applied',
      appliedAt,
    } as const;
    await sendReceipt(billing, billingMessage);
    await sendReceipt(billing, billingMessage);
    await sendReceipt({
      eventId: event.id,
      service: 'subscriptions',
      outcome: 'ignored',
      appliedAt,
    });

    const shown = await waitFor(
      () => receipt(event.id),
      (current) => current.appliedBy.length === 2,
      { what: 'two receipts' },
    );
    expect(shown.type).toBe('customer.created');
    expect(shown.receivedVia).toBe('webhook');
    expect(shown.deliveryCount).toBe(1);
    expect(shown.publishedAt).not.toBe(null);
    expect(shown.appliedBy).toEqual([
      { service: 'billing', outcome: 'applied', appliedAt, receipts: 1 },
      { service: 'subscriptions', outcome: 'ignored', appliedAt, receipts: 1 },
    ]);

    // A forced replay's receipt replaces the outcome; one older than what is shown changes nothing.
    const later = new Date(Date.parse(appliedAt) + 60_000).toISOString();
    const earlier = new Date(Date.parse(appliedAt) - 60_000).toISOString();
    await sendReceipt({ ...billing, outcome: 'stale', appliedAt: later });
    await sendReceipt({ ...billing, outcome: 'refetched', appliedAt: earlier });
    const updated = await waitFor(
      () => receipt(event.id),
      (current) => current.appliedBy.find((by) => by.service === 'billing')?.receipts === 3,
      { what: 'the later receipts' },
    );
    expect(updated.appliedBy.find((by) => by.service === 'billing')).toEqual({
      service: 'billing',
      outcome: 'stale',
      appliedAt: later,
      receipts: 3,
    });
  });

  it('answers a malformed event id with 400 naming it', async () => {
    const response = await adminRequest(ingest.url, 'GET', '/admin/events/not-an-event');
    expect(response.status).toBe(400);
    const problem = (await response.json()) as Problem;
    expect(problem.errors?.map((error) => error.field)).toEqual(['eventId']);
  });

  it('replays stored events by id, type or time range under their own ids', async () => {
    const now = Math.floor(Date.now() / 1_000);
    const byId = await store({ created: now - 7_200 });
    const byType = await store({ created: now - 3_600, type: 'customer.updated' });
    const byRange = await store({ created: now - 1_800 });

    expect(await replay({ eventIds: [byId.id, 'evt_never_received'] })).toEqual({
      forced: false,
      matched: 1,
      republished: 1,
      alreadyPending: 0,
      notFound: ['evt_never_received'],
    });
    expect(await replay({ type: 'customer.updated' })).toEqual({
      forced: false,
      matched: 1,
      republished: 1,
      alreadyPending: 0,
      notFound: [],
    });
    const from = new Date((now - 2_000) * 1_000).toISOString();
    const to = new Date((now - 1_000) * 1_000).toISOString();
    expect((await replay({ from, to })).matched).toBe(1);

    for (const event of [byId, byType, byRange]) {
      const [first, second, ...more] = await tap.waitFor(event.id, 2);
      expect(more).toStrictEqual([]);
      expect(first?.messageId).toBe(event.id);
      const again = defined(second, 'the replayed publication');
      expect(again.messageId).toBe(event.id);
      expect(again.routingKey).toBe(`stripe.${event.type}`);
      const shown = await waitFor(
        () => receipt(event.id),
        (current) => current.publishedAt !== null,
        { what: 'the replay published' },
      );
      expect(shown.replayCount).toBe(1);
      expect(await db.outboxRowsOf(event.id)).toBe(1);
    }
  });

  it('publishes a forced replay under a new message id, so consumers apply it again', async () => {
    const event = await store();
    expect(await replay({ eventIds: [event.id], force: true })).toEqual({
      forced: true,
      matched: 1,
      republished: 1,
      alreadyPending: 0,
      notFound: [],
    });
    const [first, second] = await tap.waitFor(event.id, 2);
    const original = defined(first, 'the original publication');
    const forced = defined(second, 'the forced publication');
    expect(original.messageId).toBe(event.id);
    expect(forced.messageId ?? '').toMatch(UUID);
    expect(forced.envelope.id).toBe(forced.messageId);
    expect(forced.envelope.data.id).toBe(event.id);
    expect(forced.envelope.data).toStrictEqual(original.envelope.data);
  });

  it('refuses a replay that selects nothing, mixes ids with filters or names a bad id', async () => {
    const cases: [object, string][] = [
      [{}, 'eventIds'],
      [{ eventIds: ['evt_1'], type: 'invoice.paid' }, 'type'],
      [{ eventIds: ['not-an-event'] }, 'eventIds'],
      [{ from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, 'to'],
      [{ type: 'invoice.paid', force: 'yes' }, 'force'],
    ];
    for (const [body, field] of cases) {
      const response = await adminRequest(ingest.url, 'POST', '/admin/events/replay', body);
      expect(response.status).toBe(400);
      const problem = (await response.json()) as Problem;
      expect(problem.errors?.map((error) => error.field)).toEqual([field]);
    }
  });
});
