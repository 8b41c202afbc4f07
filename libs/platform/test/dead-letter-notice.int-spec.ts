import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  MESSAGE_DEAD_LETTERED_V1,
  USAGE_RECORDED_V1,
  type Envelope,
  type MessageDeadLetteredV1,
} from '@aegis/contracts';
import {
  baseAmqpUrl,
  createTestDatabase,
  createTestPrefix,
  deleteServiceTopologies,
  listenForEvents,
  waitFor,
  type TestDatabase,
} from '@aegis/testing';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import {
  MAX_ATTEMPTS,
  TEST_SCHEMA,
  startMessagingHarness,
  type MessagingHarness,
} from './messaging-harness.js';

/**
 * A dead-lettered message raises `platform.message.dead_lettered.v1` through the
 * service's outbox, once per message, and a dead-lettered notice raises none.
 */
describe('dead-letter notices', () => {
  let database: TestDatabase;
  let harness: MessagingHarness;
  let probe: ChannelModel;
  let channel: ConfirmChannel;
  const prefix = createTestPrefix();
  const notices: Envelope<string, MessageDeadLetteredV1>[] = [];

  const usage = (meter: string, id: string = randomUUID()): Record<string, unknown> => ({
    id,
    type: USAGE_RECORDED_V1,
    version: 1,
    occurredAt: new Date().toISOString(),
    source: 'test',
    correlationId: randomUUID(),
    data: { customerId: 'cus_test', meter, quantity: 1, recordedAt: new Date().toISOString() },
  });

  /** Straight into the service's queue, as the broker delivers what is bound to it. */
  const deliver = async (body: Buffer, messageId?: string): Promise<void> => {
    channel.sendToQueue(harness.names.queue, body, {
      persistent: true,
      ...(messageId === undefined ? {} : { messageId }),
    });
    await channel.waitForConfirms();
  };

  const deliverEnvelope = (envelope: Record<string, unknown>): Promise<void> =>
    deliver(Buffer.from(JSON.stringify(envelope)), String(envelope.id));

  /** The notice rows in the service's outbox: every notice there will ever be. */
  const outboxNotices = async (): Promise<{ id: string; data: MessageDeadLetteredV1 }[]> =>
    harness.dataSource.query(
      `SELECT "id", "envelope" -> 'data' AS "data" FROM "${TEST_SCHEMA}"."outbox" WHERE "message_type" = $1 ORDER BY "created_at"`,
      [MESSAGE_DEAD_LETTERED_V1],
    );

  const deadLetterCount = async (): Promise<number> =>
    (await channel.checkQueue(harness.names.deadLetterQueue)).messageCount;

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
    await listenForEvents(
      channel,
      harness.names.eventsExchange,
      [MESSAGE_DEAD_LETTERED_V1],
      (envelope) => notices.push(envelope as Envelope<string, MessageDeadLetteredV1>),
    );
  });

  afterAll(async () => {
    await harness.close();
    await channel.close();
    await probe.close();
    await deleteServiceTopologies(baseAmqpUrl(), [harness.names]);
    await database.drop();
  });

  it('a message dead-lettered twice (a redelivery) is noticed once, with its service, queue, type, reason and attempts', async () => {
    const id = randomUUID();
    const before = await deadLetterCount();
    await deliverEnvelope(usage('dead-letter-now', id));
    await deliverEnvelope(usage('dead-letter-now', id));
    await waitFor(deadLetterCount, (count) => count === before + 2, {
      what: 'both copies dead-lettered',
    });

    const rows = (await outboxNotices()).filter((row) => row.data.messageId === id);
    expect(rows.map((row) => row.id)).toEqual([`dead_lettered:metering:${id}`]);
    expect(rows[0]?.data).toMatchObject({
      service: 'metering',
      queue: harness.names.queue,
      messageType: USAGE_RECORDED_V1,
      messageId: id,
      reason: 'DeadLetterError: this usage can never be recorded',
      attempts: 1,
    });
    const published = await waitFor(
      () => Promise.resolve(notices.filter((notice) => notice.data.messageId === id)),
      (found) => found.length === 1,
      { what: 'the notice published' },
    );
    expect(published[0]?.id).toBe(`dead_lettered:metering:${id}`);
    expect(published[0]?.type).toBe(MESSAGE_DEAD_LETTERED_V1);
  });

  it('a message failing every attempt is noticed after its last one', async () => {
    const id = randomUUID();
    await deliverEnvelope(usage('always-fails', id));
    const [row, ...more] = await waitFor(
      async () => (await outboxNotices()).filter((notice) => notice.data.messageId === id),
      (found) => found.length > 0,
      { what: 'the notice of the failing message' },
    );
    expect(more).toEqual([]);
    expect(row?.data.attempts).toBe(MAX_ATTEMPTS);
    expect(row?.data.reason).toContain(`failed ${MAX_ATTEMPTS} times`);
  });

  it('a body that is no envelope is noticed under a digest of its bytes, once', async () => {
    const before = await deadLetterCount();
    const body = Buffer.from(`not json ${randomUUID()}`);
    await deliver(body);
    await deliver(body);
    await waitFor(deadLetterCount, (count) => count === before + 2, {
      what: 'both copies dead-lettered',
    });
    const rows = (await outboxNotices()).filter((row) => row.data.messageId.startsWith('sha256:'));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.data).toMatchObject({ messageType: 'unknown', reason: 'body is not JSON' });
  });

  it('a dead-lettered notice raises no notice of its own', async () => {
    const before = await deadLetterCount();
    const noticesBefore = (await outboxNotices()).length;
    const notice = {
      id: `dead_lettered:metering:${randomUUID()}`,
      type: MESSAGE_DEAD_LETTERED_V1,
      version: 1,
      occurredAt: new Date().toISOString(),
      source: 'metering',
      correlationId: randomUUID(),
      data: {
        service: 'metering',
        queue: harness.names.queue,
        messageType: USAGE_RECORDED_V1,
        messageId: randomUUID(),
        reason: 'test',
        attempts: 1,
        deadLetteredAt: new Date().toISOString(),
      },
    };
    // This service has no handler for it: dead-lettered at once.
    await deliverEnvelope(notice);
    // A healthy message after it, applied only once the notice was settled (prefetch 1).
    const healthy = randomUUID();
    await deliverEnvelope(usage('ok', healthy));
    await waitFor(
      () =>
        harness.dataSource.query<{ event_id: string }[]>(
          `SELECT "event_id" FROM "${TEST_SCHEMA}"."applied" WHERE "event_id" = $1`,
          [healthy],
        ),
      (rows) => rows.length === 1,
      { what: 'the healthy message after the notice' },
    );
    expect(await deadLetterCount()).toBe(before + 1);
    expect(await outboxNotices()).toHaveLength(noticesBefore);
  });
});
