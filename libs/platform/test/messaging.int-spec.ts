import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, it, expect } from '@jest/globals';
import { SYSTEM_PING_V1, USAGE_RECORDED_V1 } from '@aegis/contracts';
import {
  DEAD_LETTER_REASON_HEADER,
  DELIVERY_LIMIT,
  RpcRemoteError,
  RpcTimeoutError,
  RpcUnreachableError,
} from '@aegis/messaging';
import {
  baseAmqpUrl,
  createTestDatabase,
  createTestPrefix,
  deleteServiceTopologies,
  rejectionOf,
  waitFor,
  type TestDatabase,
  consumedCount,
} from '@aegis/testing';
import { connect, type Channel, type ChannelModel, type GetMessage } from 'amqplib';
import request from 'supertest';
import {
  MAX_ATTEMPTS,
  TEST_SCHEMA,
  startMessagingHarness,
  type MessagingHarness,
} from './messaging-harness.js';

interface UsageData {
  customerId: string;
  meter: string;
  quantity: number;
  recordedAt: string;
}

interface TestEnvelope extends Record<string, unknown> {
  id: string;
  data: UsageData;
}

function usage(meter: string): UsageData {
  return { customerId: 'cus_test', meter, quantity: 1, recordedAt: new Date().toISOString() };
}

function envelope(meter: string, id = randomUUID()): TestEnvelope {
  return {
    id,
    type: USAGE_RECORDED_V1,
    version: 1,
    occurredAt: new Date().toISOString(),
    source: 'test',
    correlationId: randomUUID(),
    data: usage(meter),
  };
}

describe('messaging against the real broker and database', () => {
  let database: TestDatabase;
  let prefix: string;
  let harness: MessagingHarness;
  let probe: ChannelModel;
  let channel: Channel;

  const appliedCount = async (eventId: string): Promise<number> => {
    const rows: { n: string }[] = await harness.dataSource.query(
      `SELECT count(*) AS n FROM "${TEST_SCHEMA}"."applied" WHERE "event_id" = $1`,
      [eventId],
    );
    return Number(rows[0]?.n);
  };

  const publishRaw = (
    body: Buffer | Record<string, unknown>,
    routingKey = USAGE_RECORDED_V1,
  ): void => {
    const content = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    channel.publish(harness.names.eventsExchange, routingKey, content, { persistent: true });
  };

  const drainDeadLetters = async (): Promise<GetMessage[]> => {
    const messages: GetMessage[] = [];
    for (;;) {
      const message = await channel.get(harness.names.deadLetterQueue, { noAck: true });
      if (message === false) return messages;
      messages.push(message);
    }
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    prefix = createTestPrefix();
    harness = await startMessagingHarness({
      databaseUrl: database.url,
      amqpUrl: baseAmqpUrl(),
      prefix,
    });
    probe = await connect(baseAmqpUrl());
    channel = await probe.createConfirmChannel();
  });

  afterAll(async () => {
    await harness.close();
    await channel.close();
    await probe.close();
    const { names } = harness;
    await deleteServiceTopologies(baseAmqpUrl(), [names]);
    await database.drop();
  });

  it('declares the exchange, a quorum queue with retry queues and a dead-letter queue', async () => {
    const { names } = harness;
    await channel.checkExchange(names.eventsExchange);
    const declared = await Promise.all(
      [names.queue, names.deadLetterQueue, ...names.retryQueues].map((queue) =>
        channel.checkQueue(queue),
      ),
    );
    expect(declared.length).toBe(2 + names.retryQueues.length);
    // Re-declaring with the same arguments succeeds: declaration is idempotent.
    const scratch = await probe.createChannel();
    await scratch.assertQueue(names.queue, {
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': names.deadLetterQueue,
        'x-dead-letter-strategy': 'at-least-once',
        'x-overflow': 'reject-publish',
        'x-delivery-limit': DELIVERY_LIMIT,
      },
    });
    await scratch.close();
    const health = (await request(harness.app.getHttpServer()).get('/health/ready')).body as {
      status: string;
    };
    expect(health.status).toBe('ok');
  });

  it('applies a duplicated message once and acks both copies', async () => {
    const duplicated = envelope('ok');
    publishRaw(duplicated);
    publishRaw(duplicated);
    const id = duplicated.id;
    await waitFor(
      () => appliedCount(id),
      (n) => n >= 1,
      { what: 'the first copy to apply' },
    );
    await waitFor(
      async () => (await channel.checkQueue(harness.names.queue)).messageCount,
      (n) => n === 0,
      { what: 'both copies acked' },
    );
    const inbox: { n: string }[] = await harness.dataSource.query(
      `SELECT count(*) AS n FROM "${TEST_SCHEMA}"."inbox" WHERE "message_id" = $1`,
      [id],
    );
    expect(await appliedCount(id)).toBe(1);
    expect(Number(inbox[0]?.n)).toBe(1);
  });

  it('retries a handler that throws twice, then applies it on the third attempt', async () => {
    const flaky = envelope('fails-2');
    publishRaw(flaky);
    const id = flaky.id;
    await waitFor(
      () => appliedCount(id),
      (n) => n === 1,
      { what: 'the third attempt to apply' },
    );
    const rows: { attempt: number }[] = await harness.dataSource.query(
      `SELECT "attempt" FROM "${TEST_SCHEMA}"."applied" WHERE "event_id" = $1`,
      [id],
    );
    expect(rows).toStrictEqual([{ attempt: 3 }]);
  });

  it('sends poison messages to the dead-letter queue with the reason, without blocking the queue', async () => {
    await drainDeadLetters();
    const invalid = { ...envelope('ok'), data: { ...usage('ok'), quantity: -5 } };
    publishRaw(Buffer.from('{not json'));
    publishRaw(invalid);
    publishRaw(envelope('always-fails'));
    const healthy = envelope('ok');
    publishRaw(healthy);

    await waitFor(
      () => appliedCount(healthy.id),
      (n) => n === 1,
      { what: 'the healthy message' },
    );
    const deadLetters = await waitFor(
      async () => {
        const found = await channel.checkQueue(harness.names.deadLetterQueue);
        return found.messageCount;
      },
      (n) => n === 3,
      { what: 'three dead letters' },
    );
    expect(deadLetters).toBe(3);
    const reasons = (await drainDeadLetters()).map((message) =>
      String(message.properties.headers?.[DEAD_LETTER_REASON_HEADER]),
    );
    // Matched against the whole list, so that a failure shows every reason.
    expect(reasons).toContainEqual(expect.stringContaining('not JSON'));
    expect(reasons).toContainEqual(expect.stringContaining('quantity'));
    // One reason that has both, in either order.
    expect(reasons).toContainEqual(
      expect.stringMatching(
        new RegExp(`^(?=.*failed ${MAX_ATTEMPTS} times)(?=.*planned failure)`, 's'),
      ),
    );
    expect(await appliedCount(invalid.id)).toBe(0);
  });

  it('an event written to the outbox in a transaction reaches the consumer; a rolled-back one never does', async () => {
    const committed = await harness.dataSource.transaction((manager) =>
      harness.publisher.publish(manager, USAGE_RECORDED_V1, usage('ok')),
    );
    const rolledBackId = randomUUID();
    await expect(
      harness.dataSource.transaction(async (manager) => {
        await harness.publisher.publish(manager, USAGE_RECORDED_V1, usage('ok'), {
          id: rolledBackId,
        });
        throw new Error('state change failed');
      }),
    ).rejects.toThrow(/state change failed/);
    await waitFor(
      () => appliedCount(committed.id),
      (n) => n === 1,
      { what: 'the committed event' },
    );
    const outbox: { published: boolean }[] = await harness.dataSource.query(
      `SELECT "published_at" IS NOT NULL AS published FROM "${TEST_SCHEMA}"."outbox" WHERE "id" = ANY($1)`,
      [[committed.id, rolledBackId]],
    );
    expect(outbox).toStrictEqual([{ published: true }]);
    expect(await appliedCount(rolledBackId)).toBe(0);
  });

  it('publishes a sent id again when asked, and only once while a publication is pending', async () => {
    const id = randomUUID();
    const sentRow = async (): Promise<{ published: boolean }[]> =>
      harness.dataSource.query(
        `SELECT "published_at" IS NOT NULL AS published FROM "${TEST_SCHEMA}"."outbox" WHERE "id" = $1`,
        [id],
      );
    const first = await harness.dataSource.transaction((manager) =>
      harness.publisher.publishAgain(manager, USAGE_RECORDED_V1, usage('ok'), { id }),
    );
    expect(first).toBe('published');
    await waitFor(sentRow, (rows) => rows[0]?.published === true, { what: 'the first send' });
    // Sent already: forgotten, written anew, and out again (the inbox then absorbs the copy).
    const duplicatesBefore = await consumedCount(harness.url, 'duplicate');
    const outcomes = await harness.dataSource.transaction(async (manager) => [
      await harness.publisher.publishAgain(manager, USAGE_RECORDED_V1, usage('ok'), { id }),
      await harness.publisher.publishAgain(manager, USAGE_RECORDED_V1, usage('ok'), { id }),
    ]);
    expect(outcomes).toStrictEqual(['published', 'pending']);
    await waitFor(sentRow, (rows) => rows[0]?.published === true, { what: 'the second send' });
    expect(await sentRow()).toHaveLength(1);
    // The copy reached the consumer, whose inbox absorbed it.
    await waitFor(
      () => consumedCount(harness.url, 'duplicate'),
      (count) => count === duplicatesBefore + 1,
      { what: 'the second send to arrive as a duplicate' },
    );
    expect(await appliedCount(id)).toBe(1);
  });

  it('refuses to write an event whose payload breaks its contract', async () => {
    await expect(
      harness.dataSource.transaction((manager) =>
        harness.publisher.publish(manager, USAGE_RECORDED_V1, {
          customerId: 'cus_test',
          meter: 'ok',
          quantity: 0,
          recordedAt: new Date().toISOString(),
        }),
      ),
    ).rejects.toThrow(/quantity/);
  });

  it('answers an RPC call, and maps a timeout, an unreachable route and a remote error', async () => {
    const pong = await harness.rpc.call(
      SYSTEM_PING_V1,
      { caller: 'test' },
      { service: 'metering' },
    );
    expect(pong.service).toBe('metering');

    // A queue bound to the route but with no consumer: the request waits, then expires.
    const { names } = harness;
    const silentQueue = `${prefix}.billing.rpc`;
    await channel.assertQueue(silentQueue, { durable: false, autoDelete: false });
    await channel.bindQueue(silentQueue, names.rpcExchange, 'billing.system.ping.v1');
    try {
      const timeout = await rejectionOf(
        harness.rpc.call(
          SYSTEM_PING_V1,
          { caller: 'test' },
          { service: 'billing', timeoutMs: 300 },
        ),
        RpcTimeoutError,
      );
      expect(timeout.timeoutMs).toBe(300);
    } finally {
      await channel.deleteQueue(silentQueue);
    }

    const unreachable = await rejectionOf(
      harness.rpc.call(SYSTEM_PING_V1, { caller: 'test' }, { service: 'disputes' }),
      RpcUnreachableError,
    );
    expect(unreachable.message).toContain('disputes.system.ping.v1');

    const remote = await rejectionOf(
      harness.rpc.call(SYSTEM_PING_V1, { caller: '' }, { service: 'metering' }),
      RpcRemoteError,
    );
    expect(remote.status).toBe(400);
    expect(remote.code).toBe('invalid_request');
    expect(remote.message).toContain('caller');
  });

  it('refuses a reply that breaks its route reply contract, as a 502 invalid_reply', async () => {
    // A stand-in for billing that answers the ping with the wrong shape.
    const { names } = harness;
    const impostorQueue = `${prefix}.billing.rpc.impostor`;
    await channel.assertQueue(impostorQueue, { durable: false, autoDelete: true });
    await channel.bindQueue(impostorQueue, names.rpcExchange, 'billing.system.ping.v1');
    const { consumerTag } = await channel.consume(impostorQueue, (message) => {
      if (message === null) return;
      const { replyTo, correlationId } = message.properties as {
        replyTo: string;
        correlationId: string;
      };
      channel.sendToQueue(
        replyTo,
        Buffer.from(JSON.stringify({ ok: true, data: { service: 'billing', pong: true } })),
        { correlationId, contentType: 'application/json' },
      );
      channel.ack(message);
    });
    try {
      const invalid = await rejectionOf(
        harness.rpc.call(SYSTEM_PING_V1, { caller: 'test' }, { service: 'billing' }),
        RpcRemoteError,
      );
      expect(invalid.code).toBe('invalid_reply');
      expect(invalid.status).toBe(502);
      expect(invalid.message).toContain('instanceId');
    } finally {
      await channel.cancel(consumerTag);
      await channel.deleteQueue(impostorQueue);
    }
  });
});
