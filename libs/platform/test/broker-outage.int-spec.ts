import { afterAll, beforeAll, describe, it, expect } from '@jest/globals';
import { USAGE_RECORDED_V1 } from '@aegis/contracts';
import { OutboxRelay } from '@aegis/messaging';
import {
  createTestDatabase,
  createTestPrefix,
  createTestVhost,
  waitFor,
  type TestDatabase,
  type TestVhost,
} from '@aegis/testing';
import request from 'supertest';
import { TEST_SCHEMA, startMessagingHarness, type MessagingHarness } from './messaging-harness.js';

const EVENTS = 1_000;
const PER_TRANSACTION = 10;

describe('messaging through a broker outage', () => {
  let database: TestDatabase;
  let vhost: TestVhost;
  let harness: MessagingHarness;

  const counts = async (): Promise<{ rows: number; distinct: number; unpublished: number }> => {
    const [applied]: { rows: string; distinct: string }[] = await harness.dataSource.query(
      `SELECT count(*) AS rows, count(DISTINCT "event_id") AS distinct FROM "${TEST_SCHEMA}"."applied"`,
    );
    const [outbox]: { unpublished: string }[] = await harness.dataSource.query(
      `SELECT count(*) AS unpublished FROM "${TEST_SCHEMA}"."outbox" WHERE "published_at" IS NULL`,
    );
    return {
      rows: Number(applied?.rows),
      distinct: Number(applied?.distinct),
      unpublished: Number(outbox?.unpublished),
    };
  };

  const writeEvents = async (count: number, meter: string): Promise<string[]> => {
    const ids: string[] = [];
    for (let written = 0; written < count; written += PER_TRANSACTION) {
      const batch = await harness.dataSource.transaction(async (manager) => {
        const envelopes = [];
        for (let i = 0; i < Math.min(PER_TRANSACTION, count - written); i++) {
          envelopes.push(
            await harness.publisher.publish(manager, USAGE_RECORDED_V1, {
              customerId: 'cus_outage',
              meter,
              quantity: 1,
              recordedAt: new Date().toISOString(),
            }),
          );
        }
        return envelopes.map((envelope) => envelope.id);
      });
      ids.push(...batch);
    }
    return ids;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    vhost = await createTestVhost();
    harness = await startMessagingHarness({
      databaseUrl: database.url,
      amqpUrl: vhost.url,
      prefix: createTestPrefix(),
    });
  });

  afterAll(async () => {
    await harness.close();
    await vhost.drop();
    await database.drop();
  });

  it('delivers 1,000 events exactly once in effect while the broker connections are closed mid-way', async () => {
    const writing = writeEvents(EVENTS, 'ok');
    await waitFor(counts, (c) => c.distinct >= EVENTS / 4, {
      what: 'a quarter of the events applied',
    });
    await vhost.closeAllConnections();
    // Publishing goes on while the broker is away: the events wait in the outbox.
    await waitFor(counts, (c) => c.distinct >= EVENTS / 2 || c.unpublished > 0, {
      what: 'writes during the outage',
    });
    await vhost.closeAllConnections();
    const ids = await writing;
    expect(new Set(ids).size).toBe(EVENTS);

    const final = await waitFor(counts, (c) => c.distinct === EVENTS && c.unpublished === 0, {
      timeoutMs: 60_000,
      what: 'every event applied and every outbox row published',
    });
    // More rows than events would mean an event was applied more than once.
    expect(final.rows).toBe(EVENTS);
    // The connection came back by itself. Waited for: the second outage can take effect
    // (rabbitmqctl is slow to start) after the last event went through, so the final
    // state may be reached before the reconnection, which takes at least 200 ms.
    expect(await harness.connection.waitUntilConnected(10_000)).toBe(true);
    await request(harness.app.getHttpServer()).get('/health/ready').expect(200);
  });

  it('two relays on one outbox claim disjoint rows: each row is published by exactly one', async () => {
    await harness.relay.stop();
    const before = await counts();
    await writeEvents(EVENTS, 'ok');
    const relayOptions = {
      schema: TEST_SCHEMA,
      exchange: harness.names.eventsExchange,
      databaseUrl: database.url,
      batchSize: 50,
      pollIntervalMs: 100,
      retentionMs: 60_000,
    };
    const relays = [
      new OutboxRelay(harness.dataSource, harness.connection, relayOptions),
      new OutboxRelay(harness.dataSource, harness.connection, relayOptions),
    ];
    const drain = async (relay: OutboxRelay): Promise<number> => {
      let total = 0;
      for (;;) {
        const sent = await relay.publishBatch();
        if (sent === 0) return total;
        total += sent;
      }
    };
    const published = await Promise.all(relays.map(drain));
    expect((published[0] ?? 0) + (published[1] ?? 0)).toBe(EVENTS);

    const final = await waitFor(counts, (c) => c.distinct === before.distinct + EVENTS, {
      what: 'the second thousand applied',
    });
    expect(final.rows).toBe(before.rows + EVENTS);
    expect(final.unpublished).toBe(0);
  });
});
