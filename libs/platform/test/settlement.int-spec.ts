import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { USAGE_RECORDED_V1 } from '@aegis/contracts';
import { ATTEMPT_HEADER, DEAD_LETTER_REASON_HEADER } from '@aegis/messaging';
import {
  baseAmqpUrl,
  createTestDatabase,
  createTestPrefix,
  deleteServiceTopologies,
  waitFor,
  type TestDatabase,
} from '@aegis/testing';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import {
  MAX_ATTEMPTS,
  TEST_SCHEMA,
  deadLetterReader,
  startMessagingHarness,
  type MessagingHarness,
} from './messaging-harness.js';

/**
 * With a prefetch of one, the consumer receives a message only once the one before it is
 * settled: a healthy message applied after each path's message proves that path acked or
 * nacked its delivery and left the consumer consuming.
 */
describe('every delivery is settled, whatever its handler does', () => {
  let database: TestDatabase;
  let harness: MessagingHarness;
  let probe: ChannelModel;
  let channel: ConfirmChannel;
  const prefix = createTestPrefix();

  const envelope = (
    meter: string,
    data: Record<string, unknown> = {},
  ): Record<string, unknown> => ({
    id: randomUUID(),
    type: USAGE_RECORDED_V1,
    version: 1,
    occurredAt: new Date().toISOString(),
    source: 'test',
    correlationId: randomUUID(),
    data: {
      customerId: 'cus_test',
      meter,
      quantity: 1,
      recordedAt: new Date().toISOString(),
      ...data,
    },
  });

  const publish = async (body: Record<string, unknown>): Promise<string> => {
    channel.publish(
      harness.names.eventsExchange,
      USAGE_RECORDED_V1,
      Buffer.from(JSON.stringify(body)),
      {
        persistent: true,
        messageId: String(body.id),
      },
    );
    await channel.waitForConfirms();
    return String(body.id);
  };

  const attemptsApplied = async (eventId: string): Promise<number[]> => {
    const rows: { attempt: number }[] = await harness.dataSource.query(
      `SELECT "attempt" FROM "${TEST_SCHEMA}"."applied" WHERE "event_id" = $1`,
      [eventId],
    );
    return rows.map((row) => row.attempt);
  };

  const deadLetterOf = deadLetterReader(
    () => channel,
    () => harness.names.deadLetterQueue,
  );

  /** Publishes `body`, then a healthy event, and waits until the healthy one is applied. */
  const publishThenHealthy = async (body: Record<string, unknown>): Promise<string> => {
    const id = await publish(body);
    const healthy = await publish(envelope('ok'));
    await waitFor(
      () => attemptsApplied(healthy),
      (attempts) => attempts.length === 1,
      { what: 'the healthy event after it' },
    );
    return id;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    harness = await startMessagingHarness({
      databaseUrl: database.url,
      amqpUrl: baseAmqpUrl(),
      prefix,
      env: { MESSAGING_PREFETCH: '1' },
    });
    probe = await connect(baseAmqpUrl());
    channel = await probe.createConfirmChannel();
  });

  afterAll(async () => {
    await harness.close();
    await channel.close();
    await probe.close();
    await deleteServiceTopologies(baseAmqpUrl(), [harness.names]);
    await database.drop();
  });

  it('success: applied once and acked', async () => {
    const id = await publishThenHealthy(envelope('ok'));
    expect(await attemptsApplied(id)).toStrictEqual([1]);
  });

  it('retry: a failing attempt is parked and applied on the next', async () => {
    const id = await publish(envelope('fails-1'));
    await publishThenHealthy(envelope('ok'));
    await waitFor(
      () => attemptsApplied(id),
      (attempts) => attempts.length === 1,
      { what: 'the retried event' },
    );
    expect(await attemptsApplied(id)).toStrictEqual([2]);
  });

  it('last attempt: dead-lettered with the reason, never applied', async () => {
    const id = await publishThenHealthy(envelope('always-fails'));
    const dead = await deadLetterOf(id);
    expect(String(dead.properties.headers?.[DEAD_LETTER_REASON_HEADER])).toContain(
      `failed ${MAX_ATTEMPTS} times`,
    );
    expect(await attemptsApplied(id)).toStrictEqual([]);
  });

  it('unexpected exception: a handler throwing a value that is no Error is still settled', async () => {
    const id = await publishThenHealthy(envelope('throws-opaque'));
    const dead = await deadLetterOf(id);
    expect(String(dead.properties.headers?.[DEAD_LETTER_REASON_HEADER])).toContain(
      `failed ${MAX_ATTEMPTS} times; last error: [object Object]`,
    );
    expect(await attemptsApplied(id)).toStrictEqual([]);
  });

  it('invalid payload: dead-lettered at once, naming the field', async () => {
    const id = await publishThenHealthy(envelope('ok', { quantity: -5 }));
    const dead = await deadLetterOf(id);
    expect(String(dead.properties.headers?.[DEAD_LETTER_REASON_HEADER])).toContain('quantity');
    expect(await attemptsApplied(id)).toStrictEqual([]);
  });

  it('dead-letter now: a handler throwing DeadLetterError is not retried', async () => {
    const id = await publishThenHealthy(envelope('dead-letter-now'));
    const dead = await deadLetterOf(id);
    expect(String(dead.properties.headers?.[DEAD_LETTER_REASON_HEADER])).toBe(
      'DeadLetterError: this usage can never be recorded',
    );
    // Dead-lettered from its first delivery: it never went through a retry queue.
    expect(dead.properties.headers?.[ATTEMPT_HEADER]).toBeUndefined();
    expect(await attemptsApplied(id)).toStrictEqual([]);
  });

  it('leaves nothing unsettled and the consumer still attached', async () => {
    const queue = await waitFor(
      () => channel.checkQueue(harness.names.queue),
      (state) => state.messageCount === 0,
      { what: 'the queue to be empty' },
    );
    expect(queue.consumerCount).toBe(1);
    const id = await publishThenHealthy(envelope('ok'));
    expect(await attemptsApplied(id)).toStrictEqual([1]);
  });
});
