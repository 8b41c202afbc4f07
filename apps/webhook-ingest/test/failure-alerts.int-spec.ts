import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEFAULT_RETRY_DELAYS_MS } from '@aegis/config';
import {
  STRIPE_EVENT_APPLIED_V1,
  STRIPE_EVENT_NOT_APPLIED_V1,
  WEBHOOK_BAD_SIGNATURE_BURST_V1,
  type Envelope,
  type StripeEventAppliedV1,
  type StripeEventNotAppliedV1,
  type WebhookBadSignatureBurstV1,
} from '@aegis/contracts';
import { topologyNames } from '@aegis/messaging';
import {
  baseAmqpUrl,
  createTestDatabase,
  createTestPrefix,
  deleteServiceTopologies,
  listenForEvents,
  waitFor,
  type ServiceProcess,
  type TestDatabase,
} from '@aegis/testing';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { Redis } from 'ioredis';
import type Stripe from 'stripe';
import {
  IngestDatabase,
  REDIS_URL,
  deleteRedisKeys,
  postWebhook,
  redisPrefixOf,
  signatureFor,
  startIngest,
  syntheticEvent,
} from './ingest-harness.js';

const THRESHOLD = 5;
const DEADLINE_SECONDS = 2;

/**
 * Two webhook-ingest replicas on one database, broker prefix and Redis key
 * prefix: bad signatures counted together, the apply-deadline sweep run by both.
 */
describe('webhook-ingest raises webhook processing failures once per cause', () => {
  let database: TestDatabase;
  const replicas: ServiceProcess[] = [];
  let db: IngestDatabase;
  let broker: ChannelModel;
  let channel: ConfirmChannel;
  let redis: Redis;
  const prefix = createTestPrefix();
  const redisPrefix = redisPrefixOf(prefix);
  const amqpUrl = baseAmqpUrl();
  const published: Envelope[] = [];

  /** The outbox rows of an event type: every publication there will ever be of it. */
  const outboxOf = async (type: string): Promise<{ id: string; data: unknown }[]> => {
    const result = await db.query<{ id: string; data: unknown }>(
      `SELECT "id", "envelope" -> 'data' AS "data" FROM "ingest"."outbox" WHERE "message_type" = $1 ORDER BY "created_at"`,
      [type],
    );
    return result.rows;
  };
  const burstRows = async (): Promise<{ id: string; data: WebhookBadSignatureBurstV1 }[]> =>
    (await outboxOf(WEBHOOK_BAD_SIGNATURE_BURST_V1)) as {
      id: string;
      data: WebhookBadSignatureBurstV1;
    }[];
  const notAppliedRows = async (): Promise<{ id: string; data: StripeEventNotAppliedV1 }[]> =>
    (await outboxOf(STRIPE_EVENT_NOT_APPLIED_V1)) as {
      id: string;
      data: StripeEventNotAppliedV1;
    }[];

  const publishedOf = (type: string, id: string): Envelope[] =>
    published.filter((envelope) => envelope.type === type && envelope.id === id);

  /** What a consuming service's outbox sends after applying a Stripe event. */
  const sendReceipt = async (receipt: StripeEventAppliedV1): Promise<void> => {
    const id = randomUUID();
    const envelope = {
      id,
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
      { persistent: true, messageId: id, type: STRIPE_EVENT_APPLIED_V1 },
    );
    await channel.waitForConfirms();
  };

  const receiptsOf = async (eventId: string): Promise<string[]> =>
    (
      await db.query<{ service: string }>(
        `SELECT "service" FROM "ingest"."stripe_event_receipts" WHERE "event_id" = $1 ORDER BY "service"`,
        [eventId],
      )
    ).rows.map((row) => row.service);

  const store = async (event: Stripe.Event, replica: ServiceProcess): Promise<void> => {
    const response = await postWebhook(replica.url, JSON.stringify(event));
    expect(response.status).toBe(200);
    await db.waitUntilPublished(event.id);
  };

  const postForged = async (count: number): Promise<void> => {
    for (let index = 0; index < count; index += 1) {
      const body = JSON.stringify(syntheticEvent());
      const replica = replicas[index % replicas.length];
      if (replica === undefined) throw new Error('no replica');
      const response = await postWebhook(replica.url, body, signatureFor(body, 'whsec_forged'));
      expect(response.status).toBe(400);
    }
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = {
      WEBHOOK_BAD_SIGNATURE_ALERT_THRESHOLD: String(THRESHOLD),
      // The longest window: the test's requests fall in one, or at most two, of them.
      WEBHOOK_BAD_SIGNATURE_WINDOW_SECONDS: '86400',
      EVENT_APPLY_DEADLINE_SECONDS: String(DEADLINE_SECONDS),
      EVENT_APPLY_SWEEP_INTERVAL_MS: '200',
    };
    // One after the other: the second finds the schema migrated.
    replicas.push(await startIngest({ databaseUrl: database.url, amqpUrl, prefix, env }));
    replicas.push(await startIngest({ databaseUrl: database.url, amqpUrl, prefix, env }));
    db = new IngestDatabase(database.url);
    redis = new Redis(REDIS_URL);
    broker = await connect(amqpUrl);
    channel = await broker.createConfirmChannel();
    await listenForEvents(
      channel,
      `${prefix}.events`,
      [WEBHOOK_BAD_SIGNATURE_BURST_V1, STRIPE_EVENT_NOT_APPLIED_V1],
      (envelope) => published.push(envelope),
    );
  });

  afterAll(async () => {
    await broker.close();
    for (const replica of replicas) await replica.stop();
    await db.close();
    await redis.quit();
    await deleteRedisKeys(prefix);
    await deleteServiceTopologies(amqpUrl, [
      topologyNames(prefix, 'webhook-ingest', DEFAULT_RETRY_DELAYS_MS),
    ]);
    await database.drop();
  });

  it('bad signatures on both replicas: nothing below the threshold, then one burst per window with the count and the source', async () => {
    await postForged(THRESHOLD - 1);
    // Each rejection is counted (and a burst written) before its 400: nothing so far.
    expect(await burstRows()).toEqual([]);

    await postForged(THRESHOLD);
    const [burst, ...more] = await burstRows();
    expect(more).toEqual([]);
    expect(burst?.id).toBe(`bad_signature_burst:${burst?.data.windowStart ?? ''}`);
    expect(burst?.data).toMatchObject({ threshold: THRESHOLD, rejected: THRESHOLD });
    expect(burst?.data.windowSeconds).toBe(86_400);
    expect(burst?.data.sourceIps).toHaveLength(1);
    expect(burst?.data.sourceIps[0]).toMatch(/127\.0\.0\.1$/);
    await waitFor(
      () => Promise.resolve(publishedOf(WEBHOOK_BAD_SIGNATURE_BURST_V1, burst?.id ?? '')),
      (found) => found.length === 1,
      { what: 'the burst published' },
    );

    // More of them in the same window raise nothing more: one burst per window that reached the
    // threshold (the window's count is Redis's, summed over both replicas).
    await postForged(THRESHOLD - 1);
    const bursts = await burstRows();
    const countKeys = await redis.keys(`${redisPrefix}:ingest:bad-signatures:*:count`);
    const counts = await Promise.all(countKeys.map(async (key) => Number(await redis.get(key))));
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(3 * THRESHOLD - 2);
    expect(bursts).toHaveLength(counts.filter((count) => count >= THRESHOLD).length);
    expect(new Set(bursts.map((row) => row.id)).size).toBe(bursts.length);
  });

  it('an event not applied by a known consumer within the deadline: one alert for it with two sweeping replicas; none for applied events or types nobody applies', async () => {
    const [first, second] = replicas;
    if (first === undefined || second === undefined) throw new Error('two replicas expected');
    const aDayAgo = new Date(Date.now() - 86_400_000).toISOString();
    // billing and disputes have applied customer.updated before: they are its consumers.
    const earlier = syntheticEvent({ type: 'customer.updated' });
    await store(earlier, first);
    for (const service of ['billing', 'disputes'])
      await sendReceipt({ eventId: earlier.id, service, outcome: 'applied', appliedAt: aDayAgo });
    await waitFor(
      () =>
        db.query<{ service: string }>(
          `SELECT "service" FROM "ingest"."stripe_event_consumers" WHERE "event_type" = 'customer.updated'`,
        ),
      (result) => result.rows.length === 2,
      { what: 'the consumers of customer.updated' },
    );

    const applied = syntheticEvent({ type: 'customer.updated' });
    const notApplied = syntheticEvent({ type: 'customer.updated' });
    const nobodysType = syntheticEvent({ type: 'customer.created' });
    // Receipts can come before the event is stored: the applied one has both before its deadline.
    const now = new Date().toISOString();
    await sendReceipt({
      eventId: applied.id,
      service: 'billing',
      outcome: 'applied',
      appliedAt: now,
    });
    await sendReceipt({
      eventId: applied.id,
      service: 'disputes',
      outcome: 'ignored',
      appliedAt: now,
    });
    await sendReceipt({
      eventId: notApplied.id,
      service: 'billing',
      outcome: 'applied',
      appliedAt: now,
    });
    await waitFor(
      async () => [...(await receiptsOf(applied.id)), ...(await receiptsOf(notApplied.id))],
      (services) => services.length === 3,
      { what: 'the receipts recorded' },
    );
    await store(applied, first);
    await store(notApplied, second);
    await store(nobodysType, first);
    // A duplicate delivery of the late one: stored once, checked once.
    expect((await postWebhook(first.url, JSON.stringify(notApplied))).status).toBe(200);

    const ids = [applied.id, notApplied.id, nobodysType.id];
    await waitFor(
      () =>
        db.query<{ event_id: string }>(
          `SELECT "event_id" FROM "ingest"."stripe_webhook_events" WHERE "event_id" = ANY($1) AND "apply_checked_at" IS NOT NULL`,
          [ids],
        ),
      (result) => result.rows.length === ids.length,
      { what: 'the three events checked by a sweep' },
    );
    const about = async (
      eventId: string,
    ): Promise<{ id: string; data: StripeEventNotAppliedV1 }[]> =>
      (await notAppliedRows()).filter((row) => row.data.eventId === eventId);
    expect(await about(applied.id)).toEqual([]);
    expect(await about(nobodysType.id)).toEqual([]);
    const [late, ...again] = await about(notApplied.id);
    expect(again).toEqual([]);
    expect(late?.id).toBe(`not_applied:${notApplied.id}`);
    expect(late?.data).toMatchObject({
      eventType: 'customer.updated',
      deadlineSeconds: DEADLINE_SECONDS,
      missingServices: ['disputes'],
      appliedBy: ['billing'],
    });
    await waitFor(
      () => Promise.resolve(publishedOf(STRIPE_EVENT_NOT_APPLIED_V1, late?.id ?? '')),
      (found) => found.length === 1,
      { what: 'the not-applied event published' },
    );
    // Checked once: the late receipt now arriving changes nothing.
    await sendReceipt({
      eventId: notApplied.id,
      service: 'disputes',
      outcome: 'applied',
      appliedAt: new Date().toISOString(),
    });
    await waitFor(
      () => receiptsOf(notApplied.id),
      (services) => services.length === 2,
      { what: 'the late receipt' },
    );
    expect(await about(notApplied.id)).toHaveLength(1);
  });
});
