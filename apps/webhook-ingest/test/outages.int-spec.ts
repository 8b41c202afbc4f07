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

    const response = await postWebhook(ingest.url, JSON.stringify(syntheticEvent()));
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type') ?? '').toMatch(/application\/problem\+json/);
    const problem = (await response.json()) as { detail: string };
    expect(problem.detail).toMatch(/database is unavailable/);
  });
});
