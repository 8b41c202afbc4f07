import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { USAGE_RECORDED_V1 } from '@aegis/contracts';
import { ATTEMPT_HEADER, DEAD_LETTER_REASON_HEADER } from '@aegis/messaging';
import {
  baseAmqpUrl,
  consumedCount,
  createTestDatabase,
  createTestPrefix,
  deleteServiceTopologies,
  waitFor,
  type TestDatabase,
} from '@aegis/testing';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import {
  deadLetterReader,
  TEST_SCHEMA,
  holdGate,
  startMessagingHarness,
  type MessagingHarness,
} from './messaging-harness.js';

interface AppliedRow {
  event_id: string;
  attempt: number;
  tx: string;
}

/**
 * The consumer applies the deliveries that gather while its batch slots are busy in one
 * transaction. Each test fills every slot with `hold` events (their handlers wait at the
 * gate), lets its own deliveries gather behind them, then opens the gate: what gathered
 * is one batch.
 */
describe('event deliveries applied in batches', () => {
  let database: TestDatabase;
  let harness: MessagingHarness;
  let probe: ChannelModel;
  let channel: ConfirmChannel;
  const prefix = createTestPrefix();

  const envelope = (meter: string, id: string = randomUUID()): Record<string, unknown> => ({
    id,
    type: USAGE_RECORDED_V1,
    version: 1,
    occurredAt: new Date().toISOString(),
    source: 'test',
    correlationId: randomUUID(),
    data: { customerId: 'cus_test', meter, quantity: 1, recordedAt: new Date().toISOString() },
  });

  const deliver = async (body: Record<string, unknown>): Promise<string> => {
    channel.sendToQueue(harness.names.queue, Buffer.from(JSON.stringify(body)), {
      persistent: true,
      messageId: String(body.id),
    });
    await channel.waitForConfirms();
    return String(body.id);
  };

  const appliedRows = async (eventIds: readonly string[]): Promise<AppliedRow[]> =>
    harness.dataSource.query(
      `SELECT "event_id", "attempt", "tx"::text AS "tx" FROM "${TEST_SCHEMA}"."applied"
        WHERE "event_id" = ANY($1::text[])`,
      [eventIds],
    );

  /**
   * Sends `hold` events until one of them has to wait for a batch slot (every slot is then
   * held at the gate), then `bodies`, and waits until they all wait too.
   */
  const gatherBehindHeldSlots = async (bodies: Record<string, unknown>[]): Promise<string[]> => {
    holdGate.close();
    const holds: string[] = [];
    for (;;) {
      holds.push(await deliver(envelope('hold')));
      await waitFor(
        () => Promise.resolve(holdGate.entered + harness.server.eventsWaiting),
        (seen) => seen === holds.length,
        { what: `hold event ${holds.length} at the gate or waiting` },
      );
      if (harness.server.eventsWaiting > 0) break;
    }
    const ids: string[] = [];
    for (const body of bodies) ids.push(await deliver(body));
    await waitFor(
      () => Promise.resolve(harness.server.eventsWaiting),
      (waiting) => waiting === 1 + bodies.length,
      { what: 'the deliveries to gather behind the held slots' },
    );
    return [...holds, ...ids];
  };

  const deadLetterOf = deadLetterReader(
    () => channel,
    () => harness.names.deadLetterQueue,
  );

  const queueSettled = (): Promise<unknown> =>
    waitFor(
      async () => {
        const queue = await channel.checkQueue(harness.names.queue);
        return queue.messageCount === 0 && harness.server.eventsWaiting === 0;
      },
      (settled) => settled,
      { what: 'every delivery settled' },
    );

  beforeAll(async () => {
    database = await createTestDatabase();
    harness = await startMessagingHarness({
      databaseUrl: database.url,
      amqpUrl: baseAmqpUrl(),
      prefix,
    });
    probe = await connect(baseAmqpUrl());
    channel = await probe.createConfirmChannel();
  });

  afterEach(() => {
    holdGate.release();
  });

  afterAll(async () => {
    holdGate.release();
    await harness.close();
    await channel.close();
    await probe.close();
    await deleteServiceTopologies(baseAmqpUrl(), [harness.names]);
    await database.drop();
  });

  it('applies the deliveries that gathered in one transaction and acks each', async () => {
    const bodies = [envelope('ok'), envelope('ok'), envelope('ok')];
    const ids = await gatherBehindHeldSlots(bodies);
    const gathered = ids.slice(-(bodies.length + 1));
    holdGate.release();
    const rows = await waitFor(
      () => appliedRows(ids),
      (found) => found.length === ids.length,
      { what: 'every event applied' },
    );
    const txOf = new Map(rows.map((row) => [row.event_id, row.tx]));
    // The hold event that waited and the three behind it: one batch, one transaction.
    expect(new Set(gathered.map((id) => txOf.get(id))).size).toBe(1);
    expect(rows.map((row) => row.attempt)).toStrictEqual(ids.map(() => 1));
    await queueSettled();
  });

  it('a batch with one poison message applies the others and dead-letters that one with its reason', async () => {
    const poison = envelope('dead-letter-now');
    const [first, second, third] = [envelope('ok'), envelope('ok'), envelope('ok')];
    const healthy = [first, second, third];
    const ids = await gatherBehindHeldSlots([first, second, poison, third]);
    holdGate.release();
    const healthyIds = healthy.map((body) => String(body.id));
    const rows = await waitFor(
      () => appliedRows(healthyIds),
      (found) => found.length === healthyIds.length,
      { what: 'the healthy events applied' },
    );
    // The batch rolled back and each was applied on its own, once, on its first attempt.
    expect(rows.map((row) => row.attempt)).toStrictEqual([1, 1, 1]);
    expect(new Set(rows.map((row) => row.tx)).size).toBe(3);
    const dead = await deadLetterOf(String(poison.id));
    expect(String(dead.properties.headers?.[DEAD_LETTER_REASON_HEADER])).toBe(
      'DeadLetterError: this usage can never be recorded',
    );
    expect(dead.properties.headers?.[ATTEMPT_HEADER]).toBeUndefined();
    expect(await appliedRows([String(poison.id)])).toStrictEqual([]);
    expect(await appliedRows(ids)).toHaveLength(ids.length - 1);
    await queueSettled();
  });

  it('a batch with a failing message applies the others; that one alone is retried', async () => {
    const flaky = envelope('fails-1');
    const [before, after] = [envelope('ok'), envelope('ok')];
    const healthy = [before, after];
    await gatherBehindHeldSlots([before, flaky, after]);
    holdGate.release();
    const rows = await waitFor(
      () => appliedRows([String(flaky.id), ...healthy.map((body) => String(body.id))]),
      (found) => found.length === 3,
      { what: 'the healthy events and the retried one applied' },
    );
    const attemptOf = new Map(rows.map((row) => [row.event_id, row.attempt]));
    expect(attemptOf.get(String(flaky.id))).toBe(2);
    expect(healthy.map((body) => attemptOf.get(String(body.id)))).toStrictEqual([1, 1]);
    await queueSettled();
  });

  it('a batch with a message delivered twice applies it once and acks both copies', async () => {
    const duplicated = envelope('ok');
    const other = envelope('ok');
    const duplicatesBefore = await consumedCount(harness.url, 'duplicate');
    await gatherBehindHeldSlots([duplicated, other, duplicated]);
    holdGate.release();
    const rows = await waitFor(
      () => appliedRows([String(duplicated.id), String(other.id)]),
      (found) => found.length === 2,
      { what: 'both events applied' },
    );
    await queueSettled();
    await waitFor(
      () => consumedCount(harness.url, 'duplicate'),
      (count) => count === duplicatesBefore + 1,
      { what: 'the second copy counted as a duplicate' },
    );
    // Applied in the one batch, the copy as a no-op.
    expect(new Set(rows.map((row) => row.tx)).size).toBe(1);
    expect(await appliedRows([String(duplicated.id)])).toHaveLength(1);
    const inbox: { n: string }[] = await harness.dataSource.query(
      `SELECT count(*) AS n FROM "${TEST_SCHEMA}"."inbox" WHERE "message_id" = $1`,
      [duplicated.id],
    );
    expect(Number(inbox[0]?.n)).toBe(1);
    const queue = await channel.checkQueue(harness.names.queue);
    expect(queue.messageCount).toBe(0);
  });
});
