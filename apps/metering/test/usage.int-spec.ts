import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, it, expect } from '@jest/globals';
import { METADATA_LIMITS, USAGE_RECORDED_V1, USAGE_RECORDED_V2 } from '@aegis/contracts';
import type { TopologyNames } from '@aegis/messaging';
import { defined, waitFor } from '@aegis/testing';
import type { ConfirmChannel } from 'amqplib';
import { DataSource } from 'typeorm';
import { MeteringHarness } from './metering-harness.js';
import { UsageEvent } from '../src/usage/entities/usage-event.entity.js';

describe('metering records usage events', () => {
  let harness: MeteringHarness;
  let dataSource: DataSource;
  let channel: ConfirmChannel;
  let names: TopologyNames;

  const publish = async (envelope: Record<string, unknown>): Promise<void> => {
    channel.publish(
      names.eventsExchange,
      USAGE_RECORDED_V1,
      Buffer.from(JSON.stringify(envelope)),
      { persistent: true },
    );
    await channel.waitForConfirms();
  };

  const usageEnvelope = (
    quantity: number,
    id = randomUUID(),
    extra: Record<string, unknown> = {},
  ): Record<string, unknown> => ({
    id,
    type: USAGE_RECORDED_V1,
    version: 1,
    occurredAt: new Date().toISOString(),
    source: 'gateway',
    correlationId: randomUUID(),
    data: {
      customerId: 'cus_42',
      meter: 'api_calls',
      quantity,
      recordedAt: '2026-11-22T10:00:00.000Z',
      ...extra,
    },
  });

  const storedMetadataOf = (eventId: unknown) =>
    waitFor(
      () =>
        dataSource.query<{ metadata: unknown }[]>(
          `SELECT "metadata" FROM "metering"."usage_events" WHERE "id" = $1`,
          [eventId],
        ),
      (found) => found.length === 1,
      { what: 'the usage row' },
    );

  const deadLetterReason = async (): Promise<string> => {
    const deadLetter = await waitFor(
      () => channel.get(names.deadLetterQueue, { noAck: true }),
      (message) => message !== false,
      { what: 'the dead letter' },
    );
    const letter = defined(deadLetter || undefined, 'the dead letter');
    return String(letter.properties.headers?.['x-aegis-dead-letter-reason']);
  };

  beforeAll(async () => {
    harness = await MeteringHarness.start();
    ({ dataSource, channel, names } = harness);
  });

  afterAll(async () => {
    await harness.stop();
  });

  it('stores a usage.recorded.v2 event with its exact decimal quantity, once, and rolls it up', async () => {
    const id = randomUUID();
    const envelope = {
      id,
      type: USAGE_RECORDED_V2,
      version: 2,
      occurredAt: new Date().toISOString(),
      source: 'gateway',
      correlationId: randomUUID(),
      data: {
        customerId: 'cus_v2',
        productId: 'hours',
        quantity: '1.5',
        recordedAt: '2026-11-22T10:15:00.000Z',
        apiKeyId: 'key_v2',
      },
    };
    channel.publish(
      names.eventsExchange,
      USAGE_RECORDED_V2,
      Buffer.from(JSON.stringify(envelope)),
      {
        persistent: true,
      },
    );
    channel.publish(
      names.eventsExchange,
      USAGE_RECORDED_V2,
      Buffer.from(JSON.stringify(envelope)),
      {
        persistent: true,
      },
    );
    await channel.waitForConfirms();
    const rows = await waitFor(
      () =>
        dataSource.query<{ quantity: string; idempotency_key: string; api_key_id: string }[]>(
          `SELECT "quantity", "idempotency_key", "api_key_id" FROM "metering"."usage_events" WHERE "customer_id" = 'cus_v2'`,
        ),
      (found) => found.length >= 1,
      { what: 'the v2 usage row' },
    );
    expect(rows).toStrictEqual([{ quantity: '1.5', idempotency_key: id, api_key_id: 'key_v2' }]);
    await waitFor(
      async () => (await channel.checkQueue(names.queue)).messageCount,
      (n) => n === 0,
      { what: 'the queue to drain' },
    );
    const rollup = await dataSource.query<{ event_count: string; total_quantity: string }[]>(
      `SELECT "event_count", "total_quantity" FROM "metering"."usage_hourly" WHERE "customer_id" = 'cus_v2'`,
    );
    expect(rollup).toStrictEqual([{ event_count: '1', total_quantity: '1.5' }]);
  });

  it('stores a usage event once, however often it is delivered', async () => {
    const envelope = usageEnvelope(7);
    await publish(envelope);
    await publish(envelope);
    const rows = await waitFor(
      () =>
        dataSource.query(
          `SELECT "customer_id", "product_id", "quantity" FROM "metering"."usage_events" WHERE "id" = $1`,
          [envelope.id],
        ),
      (found: unknown[]) => found.length === 1,
      { what: 'the usage row' },
    );
    expect(rows).toStrictEqual([{ customer_id: 'cus_42', product_id: 'api_calls', quantity: '7' }]);
    await waitFor(
      async () => (await channel.checkQueue(names.queue)).messageCount,
      (n) => n === 0,
      { what: 'the queue to drain' },
    );
    const [count]: { n: string }[] = await dataSource.query(
      `SELECT count(*) AS n FROM "metering"."usage_events" WHERE "id" = $1`,
      [envelope.id],
    );
    expect(Number(count?.n)).toBe(1);
  });

  it('dead-letters a usage event with a negative quantity and stores nothing', async () => {
    const envelope = usageEnvelope(-1);
    await publish(envelope);
    const deadLetter = await waitFor(
      () => channel.get(names.deadLetterQueue, { noAck: true }),
      (message) => message !== false,
      {
        what: 'the dead letter',
      },
    );
    const letter = defined(deadLetter || undefined, 'the dead letter');
    expect(String(letter.properties.headers?.['x-aegis-dead-letter-reason'])).toContain('quantity');
    const rows: unknown[] = await dataSource.query(
      `SELECT 1 FROM "metering"."usage_events" WHERE "id" = $1`,
      [envelope.id],
    );
    expect(rows.length).toBe(0);
  });

  it('stores the metadata a usage event carries, and {} when it carries none', async () => {
    const metered = usageEnvelope(1, randomUUID(), {
      metadata: { endpoint: '/proxy/intel/reports', status: '200' },
    });
    const bare = usageEnvelope(1);
    await publish(metered);
    await publish(bare);
    expect(await storedMetadataOf(metered.id)).toStrictEqual([
      { metadata: { endpoint: '/proxy/intel/reports', status: '200' } },
    ]);
    expect(await storedMetadataOf(bare.id)).toStrictEqual([{ metadata: {} }]);
  });

  it('dead-letters a usage event whose metadata is not a bounded object of strings, and stores nothing', async () => {
    const tooMany = Object.fromEntries(
      Array.from({ length: METADATA_LIMITS.entries + 1 }, (_, n) => [`key_${n}`, 'x']),
    );
    for (const metadata of [
      { status: 200 },
      ['endpoint'],
      tooMany,
      { endpoint: 'x'.repeat(METADATA_LIMITS.valueLength + 1) },
      { ['k'.repeat(METADATA_LIMITS.keyLength + 1)]: 'x' },
    ]) {
      const envelope = usageEnvelope(1, randomUUID(), { metadata });
      await publish(envelope);
      expect(await deadLetterReason()).toContain('metadata');
      const rows: unknown[] = await dataSource.query(
        `SELECT 1 FROM "metering"."usage_events" WHERE "id" = $1`,
        [envelope.id],
      );
      expect(rows.length).toBe(0);
    }
  });

  it('reads a stored quantity exactly, beyond what a JavaScript number holds, never rounded', async () => {
    const store = async (quantity: string): Promise<string> => {
      const eventId = randomUUID();
      await dataSource.query(
        `INSERT INTO "metering"."usage_events" ("id", "customer_id", "product_id", "quantity", "occurred_at", "idempotency_key")
         VALUES ($1, 'cus_42', 'api_calls', $2, now(), $1)`,
        [eventId, quantity],
      );
      return eventId;
    };
    const exact = await store(String(Number.MAX_SAFE_INTEGER));
    expect((await dataSource.manager.findOneByOrFail(UsageEvent, { id: exact })).quantity).toBe(
      String(Number.MAX_SAFE_INTEGER),
    );
    const tooLargeForANumber = await store('9007199254740993');
    expect(
      (await dataSource.manager.findOneByOrFail(UsageEvent, { id: tooLargeForANumber })).quantity,
    ).toBe('9007199254740993');
    const fractional = await store('1.000000000001');
    expect(
      (await dataSource.manager.findOneByOrFail(UsageEvent, { id: fractional })).quantity,
    ).toBe('1.000000000001');
  });
});
