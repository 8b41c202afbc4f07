import { afterAll, beforeAll, describe, it, expect } from '@jest/globals';
import { DEFAULT_RETRY_DELAYS_MS } from '@aegis/config';
import {
  baseAmqpUrl,
  createTestDatabase,
  createTestPrefix,
  createTestVhost,
  deleteServiceTopologies,
  waitFor,
  type ServiceProcess,
  type TestDatabase,
  type TestVhost,
} from '@aegis/testing';
import { topologyNames } from '@aegis/messaging';
import {
  EventTap,
  IngestDatabase,
  postWebhook,
  startIngest,
  syntheticEvent,
} from './ingest-harness.js';

const EVENTS = 300;
const IN_FLIGHT = 10;

describe('webhook-ingest through a broker outage', () => {
  let database: TestDatabase;
  let vhost: TestVhost;
  let ingest: ServiceProcess;
  let db: IngestDatabase;
  const prefix = createTestPrefix();

  beforeAll(async () => {
    database = await createTestDatabase();
    vhost = await createTestVhost();
    ingest = await startIngest({ databaseUrl: database.url, amqpUrl: vhost.url, prefix });
    db = new IngestDatabase(database.url);
  });

  afterAll(async () => {
    await ingest.stop();
    await db.close();
    await vhost.drop();
    await database.drop();
  });

  it('answers every webhook 200 while the broker connections are closed, and publishes all of them after', async () => {
    // Declared before the outage, so publications have a queue to land in while nobody consumes.
    const tap = await EventTap.open(vhost.url, prefix);
    await tap.close();
    const events = Array.from({ length: EVENTS }, () => syntheticEvent());
    const statuses: number[] = [];
    const send = async (lane: number): Promise<void> => {
      for (let index = lane; index < EVENTS; index += IN_FLIGHT) {
        const response = await postWebhook(ingest.url, JSON.stringify(events[index]));
        statuses.push(response.status);
        await response.body?.cancel();
      }
    };
    const sending = Promise.all(Array.from({ length: IN_FLIGHT }, (_, lane) => send(lane)));
    await waitFor(
      () => Promise.resolve(statuses.length),
      (n) => n >= EVENTS / 4,
      {
        what: 'a quarter of the webhooks answered',
      },
    );
    await vhost.closeAllConnections();
    await waitFor(
      () => Promise.resolve(statuses.length),
      (n) => n >= EVENTS / 2,
      {
        what: 'half of the webhooks answered',
      },
    );
    await vhost.closeAllConnections();
    await sending;
    expect(statuses.filter((status) => status !== 200)).toStrictEqual([]);
    expect(ingest.output()).toMatch(/lost the broker connection/);

    const { rows } = await waitFor(
      () =>
        db.query<{ unpublished: string }>(
          `SELECT count(*) FILTER (WHERE "published_at" IS NULL) AS unpublished FROM "ingest"."stripe_webhook_events"`,
        ),
      (result) => result.rows[0]?.unpublished === '0',
      { timeoutMs: 60_000, what: 'every stored event published' },
    );
    expect(rows[0]?.unpublished).toBe('0');
    const reopened = await EventTap.open(vhost.url, prefix);
    try {
      const published = await waitFor(
        () => Promise.resolve(new Set(reopened.messages.map((message) => message.messageId))),
        (ids) => events.every((event) => ids.has(event.id)),
        { timeoutMs: 30_000, what: 'every event in the tap queue' },
      );
      expect(published.size).toBe(EVENTS);
    } finally {
      await reopened.close();
    }
  });
});

describe('webhook-ingest without its database', () => {
  let database: TestDatabase;
  let ingest: ServiceProcess;
  const prefix = createTestPrefix();

  beforeAll(async () => {
    database = await createTestDatabase();
    ingest = await startIngest({ databaseUrl: database.url, amqpUrl: baseAmqpUrl(), prefix });
  });

  afterAll(async () => {
    await ingest.stop();
    await deleteServiceTopologies(baseAmqpUrl(), [
      topologyNames(prefix, 'webhook-ingest', DEFAULT_RETRY_DELAYS_MS),
    ]);
    await database.drop();
  });

  it('answers 503 while PostgreSQL cannot be reached, so that Stripe retries', async () => {
    const before = await postWebhook(ingest.url, JSON.stringify(syntheticEvent()));
    expect(before.status).toBe(200);
    await database.drop();

    const response = await postWebhook(ingest.url, JSON.stringify(syntheticEvent())).catch(
      (error: unknown) => {
        // Once seen in CI: the service had exited. Its own output says why.
        throw new Error(`webhook-ingest did not answer (${String(error)}):\n${ingest.output()}`);
      },
    );
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type') ?? '').toMatch(/application\/problem\+json/);
    const problem = (await response.json()) as { detail: string };
    expect(problem.detail).toMatch(/database is unavailable/);
  });
});

describe('webhook-ingest killed in the middle of a burst', () => {
  let database: TestDatabase;
  let vhost: TestVhost;
  let ingest: ServiceProcess | undefined;
  let db: IngestDatabase;
  const prefix = createTestPrefix();
  const BURST = 400;
  const BURST_IN_FLIGHT = 50;

  beforeAll(async () => {
    database = await createTestDatabase();
    vhost = await createTestVhost();
    db = new IngestDatabase(database.url);
  });

  afterAll(async () => {
    await ingest?.stop();
    await db.close();
    await vhost.drop();
    await database.drop();
  });

  it('loses no event answered or committed, and counts Stripe’s retry of an unanswered one once', async () => {
    const settings = { databaseUrl: database.url, amqpUrl: vhost.url, prefix };
    let running = await startIngest(settings);
    ingest = running;
    const tap = await EventTap.open(vhost.url, prefix);
    await tap.close();
    const events = Array.from({ length: BURST }, () => syntheticEvent());
    const answered = new Map<string, number>();
    const unanswered: string[] = [];
    let next = 0;
    const lane = async (): Promise<void> => {
      for (let index = next++; index < BURST; index = next++) {
        const event = events[index];
        if (event === undefined) return;
        try {
          const response = await postWebhook(running.url, JSON.stringify(event));
          answered.set(event.id, response.status);
          await response.body?.cancel();
        } catch {
          unanswered.push(event.id);
        }
      }
    };
    const sending = Promise.all(Array.from({ length: BURST_IN_FLIGHT }, lane));
    await waitFor(
      () => Promise.resolve(answered.size),
      (n) => n >= BURST / 4,
      { what: 'a quarter of the burst answered' },
    );
    await running.kill();
    await sending;
    expect([...answered.values()].filter((status) => status !== 200)).toStrictEqual([]);
    expect(unanswered.length).toBeGreaterThan(0);

    // Every answered event is stored: its answer came after its commit.
    const storedBeforeRetry = await db.storedIds();
    expect([...answered.keys()].filter((id) => !storedBeforeRetry.has(id))).toStrictEqual([]);

    // Stripe retries what went unanswered.
    running = await startIngest(settings);
    ingest = running;
    const byId = new Map(events.map((event) => [event.id, event]));
    for (const id of unanswered) {
      const response = await postWebhook(running.url, JSON.stringify(byId.get(id)));
      expect(response.status).toBe(200);
      const { outcome } = (await response.json()) as { outcome: string };
      // Committed before the kill though never answered: a duplicate now, stored once.
      expect(outcome).toBe(storedBeforeRetry.has(id) ? 'duplicate' : 'stored');
    }
    const { rows } = await db.query<{ events: string; distinct_ids: string }>(
      `SELECT count(*) AS events, count(DISTINCT "event_id") AS distinct_ids
         FROM "ingest"."stripe_webhook_events"`,
    );
    expect(rows[0]).toMatchObject({ events: String(BURST), distinct_ids: String(BURST) });
    for (const id of unanswered.filter((unansweredId) => storedBeforeRetry.has(unansweredId)))
      expect((await db.event(id))?.delivery_count).toBe(2);
    const outboxRows = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM "ingest"."outbox" WHERE "id" = ANY($1::text[])`,
      [events.map((event) => event.id)],
    );
    expect(outboxRows.rows[0]?.n).toBe(String(BURST));
    const reopened = await EventTap.open(vhost.url, prefix);
    try {
      const published = await waitFor(
        () => Promise.resolve(new Set(reopened.messages.map((message) => message.messageId))),
        (ids) => events.every((event) => ids.has(event.id)),
        { timeoutMs: 60_000, what: 'every event of the burst fanned out' },
      );
      expect(published.size).toBeGreaterThanOrEqual(BURST);
    } finally {
      await reopened.close();
    }
  });
});
