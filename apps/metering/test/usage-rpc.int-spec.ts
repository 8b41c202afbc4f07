import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  METERING_USAGE_PERIOD_V1,
  METERING_USAGE_QUERY_V1,
  METERING_USAGE_RECORD_V1,
  type Aggregation,
  type CatalogProductV1,
  type UsageEventInputV1,
} from '@aegis/contracts';
import { RpcRemoteError, type AmqpRpcClient } from '@aegis/messaging';
import { TestRpcCaller, baseAmqpUrl, rejectionOf } from '@aegis/testing';
import { DataSource } from 'typeorm';
import { MeteringHarness } from './metering-harness.js';

/** An hour of this month well in the past, so events are neither future nor beyond the horizon. */
function recentHour(hoursAgo: number): Date {
  const at = new Date(Date.now() - hoursAgo * 3_600_000);
  at.setUTCMinutes(0, 0, 0);
  return at;
}

describe('metering records and reads usage over RPC', () => {
  let harness: MeteringHarness;
  let caller: TestRpcCaller;
  let rpc: AmqpRpcClient;
  let dataSource: DataSource;

  const product = async (
    productId: string,
    aggregation: Aggregation | null,
    extra: Partial<CatalogProductV1> = {},
  ): Promise<string> => {
    await harness.addMeter(productId, aggregation, extra);
    return productId;
  };

  const event = (overrides: Partial<UsageEventInputV1> = {}): UsageEventInputV1 => ({
    customerId: 'cust_rpc',
    productId: 'api_call',
    quantity: '1',
    idempotencyKey: randomUUID(),
    ...overrides,
  });

  const storedCount = async (customerId: string): Promise<number> => {
    const [row] = await dataSource.query<{ n: string }[]>(
      `SELECT count(*) AS n FROM "metering"."usage_events" WHERE "customer_id" = $1`,
      [customerId],
    );
    return Number(row?.n);
  };

  const rangeOf = (from: Date, hours: number) => ({
    from: from.toISOString(),
    to: new Date(from.getTime() + hours * 3_600_000).toISOString(),
    limit: 100,
  });

  beforeAll(async () => {
    harness = await MeteringHarness.start();
    dataSource = harness.dataSource;
    caller = await TestRpcCaller.open(baseAmqpUrl(), harness.prefix);
    rpc = caller.rpc;
    await product('api_call', 'sum');
  });

  afterAll(async () => {
    await caller.close();
    await harness.stop();
  });

  it('stores a batch and answers each id; the same batch again is all duplicates with the same ids', async () => {
    const events = [event(), event({ quantity: '2.5' }), event({ quantity: '0' })];
    const first = await rpc.call(METERING_USAGE_RECORD_V1, { events });
    expect(first.accepted).toBe(3);
    expect(first.duplicates).toBe(0);
    expect(first.duplicateIndexes).toStrictEqual([]);
    expect(new Set(first.ids).size).toBe(3);

    const again = await rpc.call(METERING_USAGE_RECORD_V1, { events });
    expect(again).toEqual({
      accepted: 0,
      duplicates: 3,
      ids: first.ids,
      duplicateIndexes: [0, 1, 2],
    });
    expect(await storedCount('cust_rpc')).toBe(3);
  });

  it('counts a key repeated within a batch once, and reports the repeat with the first one id', async () => {
    const customerId = 'cust_repeat';
    const once = event({ customerId, quantity: '4' });
    const reply = await rpc.call(METERING_USAGE_RECORD_V1, {
      events: [
        once,
        event({ customerId }),
        event({ customerId, idempotencyKey: once.idempotencyKey, quantity: '40' }),
      ],
    });
    expect(reply.accepted).toBe(2);
    expect(reply.duplicateIndexes).toStrictEqual([2]);
    expect(reply.ids[2]).toBe(reply.ids[0]);
    const period = await rpc.call(METERING_USAGE_PERIOD_V1, {
      customerId,
      billingPeriod: new Date().toISOString().slice(0, 7),
    });
    expect(period.products.map((p) => [p.productId, p.value, p.eventCount])).toStrictEqual([
      ['api_call', '5', 2],
    ]);
  });

  it('refuses a whole batch naming each bad event by index, and stores nothing of it', async () => {
    const customerId = 'cust_refused';
    await product('retired', 'sum', { archived: true });
    const error = await rejectionOf(
      rpc.call(METERING_USAGE_RECORD_V1, {
        events: [
          event({ customerId }),
          event({ customerId, quantity: '1.5' }),
          event({ customerId, productId: 'retired' }),
          event({ customerId, timestamp: new Date(Date.now() + 10 * 60_000).toISOString() }),
          event({ customerId, timestamp: new Date(Date.now() - 36 * 86_400_000).toISOString() }),
        ],
      }),
      RpcRemoteError,
    );
    expect(error.code).toBe('invalid_usage');
    expect(error.status).toBe(400);
    expect(error.fields.map((f) => f.field)).toStrictEqual([
      'events.2.product_id',
      'events.3.timestamp',
      'events.4.timestamp',
    ]);
    expect(await storedCount(customerId)).toBe(0);
  });

  it('asks billing for a product its copy of the catalogue lacks, and answers 503 while billing is unreachable', async () => {
    // This harness runs metering alone: the gateway's tests cover billing's "no such product".
    const error = await rejectionOf(
      rpc.call(METERING_USAGE_RECORD_V1, {
        events: [event({ customerId: 'cust_unknown', productId: 'not_in_our_copy' })],
      }),
      RpcRemoteError,
    );
    expect(error.status).toBe(503);
    expect(await storedCount('cust_unknown')).toBe(0);
  });

  it('accepts an event back-dated within the horizon and one a little in the future (clock skew)', async () => {
    const customerId = 'cust_dated';
    const reply = await rpc.call(METERING_USAGE_RECORD_V1, {
      events: [
        event({ customerId, timestamp: new Date(Date.now() - 34 * 86_400_000).toISOString() }),
        event({ customerId, timestamp: new Date(Date.now() + 4 * 60_000).toISOString() }),
      ],
    });
    expect(reply.accepted).toBe(2);
  });

  it('refuses an outcome product a fractional quantity, and a unique_count event without its field', async () => {
    await product('report', null, { pricingType: 'outcome' });
    await product('active_users', 'unique_count');
    const error = await rejectionOf(
      rpc.call(METERING_USAGE_RECORD_V1, {
        events: [
          event({ productId: 'report', quantity: '1.5' }),
          event({ productId: 'report', quantity: '2.000' }),
          event({ productId: 'active_users', metadata: { other: 'x' } }),
        ],
      }),
      RpcRemoteError,
    );
    expect(error.fields.map((f) => f.field)).toStrictEqual([
      'events.0.quantity',
      'events.2.metadata.user',
    ]);
  });

  it('computes each aggregation on hand-computed cases, from the rollups, over whole hours', async () => {
    const customerId = 'cust_aggregations';
    const hour = recentHour(30);
    const at = (minutes: number): string =>
      new Date(hour.getTime() + minutes * 60_000).toISOString();
    const ids = {
      sum: await product('agg_sum', 'sum'),
      count: await product('agg_count', 'count'),
      max: await product('agg_max', 'max'),
      latest: await product('agg_latest', 'latest'),
      unique: await product('agg_unique', 'unique_count'),
    };
    const quantities = ['1.25', '3', '0.75', '2'];
    // Minutes spread over two hours; the latest event (minute 90) has quantity 2.
    const minutes = [5, 50, 65, 90];
    const events = Object.values(ids).flatMap((productId) =>
      quantities.map((quantity, n) =>
        event({
          customerId,
          productId,
          quantity,
          timestamp: at(minutes[n] ?? 0),
          metadata: { user: ['ann', 'bob', 'ann', 'cyd'][n] ?? '' },
        }),
      ),
    );
    expect((await rpc.call(METERING_USAGE_RECORD_V1, { events })).accepted).toBe(20);

    const valueOf = async (productId: string, hours = 2, from = hour) =>
      (await rpc.call(METERING_USAGE_QUERY_V1, { customerId, productId, ...rangeOf(from, hours) }))
        .usage;
    expect(await valueOf(ids.sum)).toMatchObject({ value: '7', totalQuantity: '7', eventCount: 4 });
    expect(await valueOf(ids.count)).toMatchObject({ value: '4', totalQuantity: '7' });
    expect(await valueOf(ids.max)).toMatchObject({ value: '3' });
    expect(await valueOf(ids.latest)).toMatchObject({ value: '2' });
    expect(await valueOf(ids.unique)).toMatchObject({
      value: '3',
      aggregation: 'unique_count',
      aggregationField: 'user',
    });
    // The first hour alone: minutes 5 and 50.
    expect(await valueOf(ids.sum, 1)).toMatchObject({ value: '4.25', eventCount: 2 });
    expect(await valueOf(ids.latest, 1)).toMatchObject({ value: '3' });
    expect(await valueOf(ids.unique, 1)).toMatchObject({ value: '2' });
    // The second hour alone: ann and cyd.
    const secondHour = new Date(hour.getTime() + 3_600_000);
    expect(await valueOf(ids.max, 1, secondHour)).toMatchObject({ value: '2' });
    expect(await valueOf(ids.unique, 1, secondHour)).toMatchObject({ value: '2' });
    // An hour with nothing in it.
    expect(await valueOf(ids.sum, 1, new Date(hour.getTime() - 3_600_000))).toMatchObject({
      value: '0',
      eventCount: 0,
    });
  });

  it('pages the events of a range newest first', async () => {
    const customerId = 'cust_pages';
    const hour = recentHour(5);
    const events = [0, 1, 2, 3, 4].map((n) =>
      event({ customerId, timestamp: new Date(hour.getTime() + n * 60_000).toISOString() }),
    );
    const { ids } = await rpc.call(METERING_USAGE_RECORD_V1, { events });
    const first = await rpc.call(METERING_USAGE_QUERY_V1, {
      customerId,
      productId: 'api_call',
      ...rangeOf(hour, 1),
      limit: 2,
    });
    expect(first.events.map((e) => e.id)).toStrictEqual([ids[4], ids[3]]);
    expect(first.hasMore).toBe(true);
    const second = await rpc.call(METERING_USAGE_QUERY_V1, {
      customerId,
      productId: 'api_call',
      ...rangeOf(hour, 1),
      limit: 2,
      startingAfter: ids[3],
    });
    expect(second.events.map((e) => e.id)).toStrictEqual([ids[2], ids[1]]);
    expect(first.usage.eventCount).toBe(5);
  });

  it('commits single events sent at once together, each key once, the later one a duplicate with its id', async () => {
    const customerId = 'cust_singles';
    const keys = Array.from({ length: 20 }, () => randomUUID());
    const replies = await Promise.all(
      [...keys, ...keys].map((idempotencyKey) =>
        rpc.call(METERING_USAGE_RECORD_V1, {
          events: [event({ customerId, idempotencyKey, quantity: '1.25' })],
        }),
      ),
    );
    expect(replies.reduce((sum, reply) => sum + reply.accepted, 0)).toBe(20);
    expect(replies.reduce((sum, reply) => sum + reply.duplicates, 0)).toBe(20);
    keys.forEach((_, n) => {
      expect(replies[n]?.ids[0]).toBe(replies[n + 20]?.ids[0]);
    });
    expect(await storedCount(customerId)).toBe(20);
    const period = await rpc.call(METERING_USAGE_PERIOD_V1, {
      customerId,
      billingPeriod: new Date().toISOString().slice(0, 7),
    });
    expect(period.products).toMatchObject([{ value: '25', eventCount: 20 }]);
  });

  it('answers many period reads at once (more than the connection pool holds)', async () => {
    const customerId = 'cust_many_reads';
    await rpc.call(METERING_USAGE_RECORD_V1, { events: [event({ customerId, quantity: '2' })] });
    const billingPeriod = new Date().toISOString().slice(0, 7);
    const answers = await Promise.all(
      Array.from({ length: 30 }, () =>
        rpc.call(METERING_USAGE_PERIOD_V1, { customerId, billingPeriod }),
      ),
    );
    expect(answers.map((answer) => answer.products[0]?.value)).toStrictEqual(
      Array.from({ length: 30 }, () => '2'),
    );
  });

  it('refuses a range that is not whole hours, and a product the catalogue lacks', async () => {
    const ragged = await rejectionOf(
      rpc.call(METERING_USAGE_QUERY_V1, {
        customerId: 'cust_rpc',
        productId: 'api_call',
        from: '2026-11-01T00:30:00.000Z',
        to: '2026-11-01T00:00:00.000Z',
        limit: 10,
      }),
      RpcRemoteError,
    );
    expect(ragged.code).toBe('invalid_range');
    expect(ragged.fields.map((f) => f.field)).toStrictEqual(['from', 'to']);
    expect(ragged.status).toBe(400);
  });

  it('marks late the events recorded for a period after it was closed, and counts them apart', async () => {
    const customerId = 'cust_late';
    const billingPeriod = new Date().toISOString().slice(0, 7);
    await rpc.call(METERING_USAGE_RECORD_V1, {
      events: [event({ customerId, quantity: '10' })],
    });
    const closed = await rpc.call(METERING_USAGE_PERIOD_V1, {
      customerId,
      billingPeriod,
      close: true,
    });
    expect(closed.closedAt).not.toBeNull();
    expect(closed.products).toMatchObject([{ value: '10', eventCount: 1, lateEventCount: 0 }]);

    const late = await rpc.call(METERING_USAGE_RECORD_V1, {
      events: [event({ customerId, quantity: '5' })],
    });
    const again = await rpc.call(METERING_USAGE_PERIOD_V1, {
      customerId,
      billingPeriod,
      close: true,
    });
    expect(again.closedAt).toBe(closed.closedAt);
    expect(again.products).toMatchObject([{ value: '15', eventCount: 2, lateEventCount: 1 }]);
    const rows = await dataSource.query<{ id: string; late: boolean }[]>(
      `SELECT "id", "late" FROM "metering"."usage_events" WHERE "customer_id" = $1 ORDER BY "late"`,
      [customerId],
    );
    expect(rows.map((r) => r.late)).toStrictEqual([false, true]);
    expect(rows[1]?.id).toBe(late.ids[0]);
    // Another customer's same period is not closed by it.
    const other = await rpc.call(METERING_USAGE_RECORD_V1, {
      events: [event({ customerId: 'cust_late_other' })],
    });
    const [otherRow] = await dataSource.query<{ late: boolean }[]>(
      `SELECT "late" FROM "metering"."usage_events" WHERE "id" = $1`,
      [other.ids[0]],
    );
    expect(otherRow?.late).toBe(false);
  });
});
