import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  METERING_USAGE_CLAIM_V1,
  METERING_USAGE_CUSTOMERS_V1,
  METERING_USAGE_PERIOD_V1,
  METERING_USAGE_RECORD_V1,
} from '@aegis/contracts';
import type { AmqpRpcClient } from '@aegis/messaging';
import { TestRpcCaller, baseAmqpUrl } from '@aegis/testing';
import { DataSource } from 'typeorm';
import { MeteringHarness } from './metering-harness.js';

const HOUR_MS = 3_600_000;

describe('the usage claims migration', () => {
  let harness: MeteringHarness;
  let caller: TestRpcCaller;
  let rpc: AmqpRpcClient;
  let dataSource: DataSource;

  beforeAll(async () => {
    harness = await MeteringHarness.start();
    dataSource = harness.dataSource;
    caller = await TestRpcCaller.open(baseAmqpUrl(), harness.prefix);
    rpc = caller.rpc;
    await harness.addMeter('mig_call', 'sum');
  });

  afterAll(async () => {
    await caller.close();
    await harness.stop();
  });

  const columnsOf = async (table: string): Promise<string[]> =>
    (
      await dataSource.query<{ column_name: string }[]>(
        `SELECT "column_name" FROM information_schema.columns
          WHERE table_schema = 'metering' AND table_name = $1 ORDER BY "column_name"`,
        [table],
      )
    ).map((row) => row.column_name);

  it('goes down to the schema before claims and up again, backfilling first event times, unclaimed counts and the customers of each period', async () => {
    const billingPeriod = new Date(Date.now() - 3 * HOUR_MS).toISOString().slice(0, 7);
    const start = Date.parse(`${billingPeriod}-01T00:00:00Z`);
    const at = (minutes: number): string => new Date(start + minutes * 60_000).toISOString();
    const event = (customerId: string, minutes: number) => ({
      customerId,
      productId: 'mig_call',
      quantity: '1',
      timestamp: at(minutes),
      idempotencyKey: randomUUID(),
    });
    await rpc.call(METERING_USAGE_RECORD_V1, {
      events: [event('c_mig_open', 40), event('c_mig_open', 12), event('c_mig_open', 75)],
    });
    await rpc.call(METERING_USAGE_RECORD_V1, {
      events: [event('c_mig_closed', 3), event('c_mig_closed', 4)],
    });
    await rpc.call(METERING_USAGE_PERIOD_V1, {
      customerId: 'c_mig_closed',
      billingPeriod,
      close: true,
    });
    await rpc.call(METERING_USAGE_RECORD_V1, { events: [event('c_mig_closed', 5)] });

    await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await columnsOf('usage_claims')).toStrictEqual([]);
    expect(await columnsOf('usage_period_customers')).toStrictEqual([]);
    expect(await columnsOf('usage_hourly')).not.toContain('earliest_at');
    expect(await columnsOf('closed_periods')).toStrictEqual([
      'billing_period',
      'closed_at',
      'customer_id',
    ]);
    expect(await columnsOf('usage_events')).not.toContain('billing_generation');

    expect(
      (await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name),
    ).toStrictEqual(['UsageClaims1766000000000']);
    const hourly = await dataSource.query<{ hour: Date; earliest_at: Date }[]>(
      `SELECT "hour", "earliest_at" FROM "metering"."usage_hourly"
        WHERE "customer_id" = 'c_mig_open' ORDER BY "hour"`,
    );
    expect(hourly.map((row) => row.earliest_at.toISOString())).toStrictEqual([at(12), at(75)]);
    const closed = await dataSource.query<{ generation: number; unclaimed_event_count: string }[]>(
      `SELECT "generation", "unclaimed_event_count" FROM "metering"."closed_periods"
        WHERE "customer_id" = 'c_mig_closed'`,
    );
    expect(closed).toStrictEqual([{ generation: 0, unclaimed_event_count: '3' }]);

    // Everything works on the backfilled rows.
    const listed = await rpc.call(METERING_USAGE_CUSTOMERS_V1, { billingPeriod });
    expect(listed.customerIds).toStrictEqual(['c_mig_closed', 'c_mig_open']);
    const claimed = await rpc.call(METERING_USAGE_CLAIM_V1, {
      customerId: 'c_mig_closed',
      billingPeriod,
      claimId: 'inv_mig',
    });
    expect(claimed.periods).toMatchObject([
      {
        generation: 0,
        claimedEventCount: 3,
        products: [{ eventCount: 3, lateEventCount: 1, firstEventAt: at(3), lastEventAt: at(5) }],
      },
    ]);
  });
});
