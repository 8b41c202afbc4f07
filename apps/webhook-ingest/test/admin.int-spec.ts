import { randomUUID } from 'node:crypto';
import { DEFAULT_RETRY_DELAYS_MS } from '@aegis/config';
import { afterAll, beforeAll, describe, it, expect } from '@jest/globals';
import {
  INGEST_STRIPE_EVENT_GET_V1,
  INGEST_STRIPE_EVENT_REPLAY_V1,
  MAX_REPLAY_EVENT_IDS,
  STRIPE_EVENT_APPLIED_V1,
  type ReplayRequestV1,
  type ReplayResultV1,
  type StripeEventAppliedV1,
  type StripeEventReceiptV1,
} from '@aegis/contracts';
import { RpcRemoteError, topologyNames } from '@aegis/messaging';
import {
  baseAmqpUrl,
  createTestDatabase,
  createTestPrefix,
  defined,
  deleteServiceTopologies,
  rejectionOf,
  waitFor,
  type ServiceProcess,
  type TestDatabase,
  TestRpcCaller,
} from '@aegis/testing';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import type Stripe from 'stripe';
import {
  EventTap,
  IngestDatabase,
  fieldsAtFault,
  postWebhook,
  startIngest,
  syntheticEvent,
} from './ingest-harness.js';

/** Where the admin HTTP API was; the routes are RPC only now. */
const FORMER_ADMIN_PATHS = [
  ['GET', '/admin/events/evt_anything'],
  ['POST', '/admin/events/replay'],
  ['POST', '/admin/backfills'],
  ['GET', '/admin/backfills/00000000-0000-4000-8000-000000000000'],
] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('webhook-ingest receipts and replay over RPC', () => {
  let database: TestDatabase;
  let ingest: ServiceProcess;
  let tap: EventTap;
  let db: IngestDatabase;
  let broker: ChannelModel;
  let channel: ConfirmChannel;
  let caller: TestRpcCaller;
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

  const receipt = (eventId: string): Promise<StripeEventReceiptV1> =>
    caller.rpc.call(INGEST_STRIPE_EVENT_GET_V1, { eventId });

  const replay = (request: ReplayRequestV1): Promise<ReplayResultV1> =>
    caller.rpc.call(INGEST_STRIPE_EVENT_REPLAY_V1, request);

  const refusalOf = (call: Promise<unknown>): Promise<RpcRemoteError> =>
    rejectionOf(call, RpcRemoteError);

  /** An HTTP request to webhook-ingest, with the `Authorization` header given (none if null). */
  const httpRequest = (
    url: string,
    method: 'GET' | 'POST',
    path: string,
    authorization: string | null,
  ): Promise<Response> =>
    fetch(`${url}${path}`, {
      method,
      headers: {
        ...(authorization === null ? {} : { authorization }),
        ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
      },
      ...(method === 'POST' ? { body: '{}' } : {}),
    });

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
    caller = await TestRpcCaller.open(amqpUrl, prefix);
  });

  afterAll(async () => {
    await caller.close();
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

  it('answers the former admin paths with 404 over HTTP, whatever the token, and an unknown event over RPC with event_not_found', async () => {
    for (const [method, path] of FORMER_ADMIN_PATHS) {
      for (const authorization of [
        null,
        `Bearer ${'a'.repeat(48)}`,
        'Bearer',
        `Basic ${'a'.repeat(48)}`,
      ]) {
        const response = await httpRequest(ingest.url, method, path, authorization);
        expect(response.status).toBe(404);
        expect(response.headers.get('www-authenticate')).toBe(null);
      }
    }
    const unknown = await refusalOf(receipt('evt_anything'));
    expect(unknown.status).toBe(404);
    expect(unknown.code).toBe('event_not_found');
    expect(unknown.message).toContain('evt_anything');
  });

  it('opens nothing over HTTP when a leftover INGEST_ADMIN_TOKEN is still configured', async () => {
    const leftoverToken = 'b'.repeat(48);
    const withLeftoverToken = await startIngest({
      databaseUrl: database.url,
      amqpUrl,
      prefix,
      env: { INGEST_ADMIN_TOKEN: leftoverToken },
    });
    try {
      for (const [method, path] of FORMER_ADMIN_PATHS) {
        const response = await httpRequest(
          withLeftoverToken.url,
          method,
          path,
          `Bearer ${leftoverToken}`,
        );
        expect(response.status).toBe(404);
      }
    } finally {
      await withLeftoverToken.stop();
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
    for (const eventId of ['not-an-event', '', 'evt_with space']) {
      const refused = await refusalOf(receipt(eventId));
      expect(refused.status).toBe(400);
      expect(refused.code).toBe('invalid_request');
      expect(fieldsAtFault(refused)).toEqual(['eventId']);
    }
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
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'eventIds'],
      [{ eventIds: ['evt_1'], type: 'invoice.paid' }, 'type'],
      [{ eventIds: ['not-an-event'] }, 'eventIds'],
      [{ eventIds: [] }, 'eventIds'],
      [{ eventIds: Array.from({ length: MAX_REPLAY_EVENT_IDS + 1 }, () => 'evt_1') }, 'eventIds'],
      [{ from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, 'to'],
      [{ from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, 'to'],
      [{ from: 'last tuesday' }, 'from'],
      [{ type: 'invoice.paid', to: '2026-13-01T00:00:00Z' }, 'to'],
      [{ type: 'Invoice Paid' }, 'type'],
      [{ type: 'invoice.paid', force: 'yes' }, 'force'],
    ];
    const replayCountsBefore = await db.query<{ total: string }>(
      `SELECT coalesce(sum("replay_count"), 0) AS total FROM "ingest"."stripe_webhook_events"`,
    );
    for (const [request, field] of cases) {
      const refused = await refusalOf(replay(request));
      expect(refused.status).toBe(400);
      expect(refused.code).toBe('invalid_request');
      expect(fieldsAtFault(refused)).toEqual([field]);
    }
    const replayCountsAfter = await db.query<{ total: string }>(
      `SELECT coalesce(sum("replay_count"), 0) AS total FROM "ingest"."stripe_webhook_events"`,
    );
    expect(replayCountsAfter.rows).toStrictEqual(replayCountsBefore.rows);
  });
});
