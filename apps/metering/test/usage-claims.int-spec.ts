import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  METERING_USAGE_CLAIM_V1,
  METERING_USAGE_CUSTOMERS_V1,
  METERING_USAGE_PERIOD_V1,
  METERING_USAGE_QUERY_V1,
  METERING_USAGE_RECORD_V1,
  invoiceLineIdOf,
  type ClaimUsageReplyV1,
  type UsageEventInputV1,
} from '@aegis/contracts';
import { RpcRemoteError, type AmqpRpcClient } from '@aegis/messaging';
import { TestRpcCaller, baseAmqpUrl, rejectionOf } from '@aegis/testing';
import { DataSource } from 'typeorm';
import { MeteringHarness } from './metering-harness.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** A reply as plain data: the RPC client answers class instances. */
const plain = <T>(value: T): T => structuredClone(value);

/** A claim's answer but for `created`, as plain data. */
const withoutCreated = ({ customerId, claimId, periods }: ClaimUsageReplyV1) => ({
  customerId,
  claimId,
  periods: plain(periods),
});

/** `YYYY-MM` of a moment, UTC. */
const periodOf = (at: number): string => new Date(at).toISOString().slice(0, 7);

const periodStart = (billingPeriod: string): number => Date.parse(`${billingPeriod}-01T00:00:00Z`);

/** The period `months` after `billingPeriod`. */
const periodAfter = (billingPeriod: string, months = 1): string => {
  const start = new Date(periodStart(billingPeriod));
  return periodOf(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + months, 1));
};

/**
 * The period the tests record in: three hours ago's, so that its first three
 * hours are in the past, and within the back-dating horizon (35 days) even
 * when it is last month.
 */
const period = periodOf(Date.now() - 3 * HOUR_MS);
/** An instant `minutes` into the period (under three hours: in the past). */
const at = (minutes: number): string =>
  new Date(periodStart(period) + minutes * MINUTE_MS).toISOString();
/** The period before `period`: its last hour is within the horizon too. */
const earlier = periodAfter(period, -1);
const inEarlier = (minutesBeforeEnd: number): string =>
  new Date(periodStart(period) - minutesBeforeEnd * MINUTE_MS).toISOString();
/** Periods after `period`, claimed without usage. */
const later = periodAfter(period);

describe('metering claims usage for invoices', () => {
  let harness: MeteringHarness;
  let caller: TestRpcCaller;
  let rpc: AmqpRpcClient;
  let dataSource: DataSource;
  const run = randomUUID().slice(0, 8);

  const event = (customerId: string, overrides: Partial<UsageEventInputV1> = {}) => ({
    customerId,
    productId: 'claim_call',
    quantity: '1',
    timestamp: at(10),
    idempotencyKey: randomUUID(),
    ...overrides,
  });

  const record = async (...events: UsageEventInputV1[]): Promise<string[]> =>
    (await rpc.call(METERING_USAGE_RECORD_V1, { events })).ids;

  const claim = (customerId: string, billingPeriod: string, claimId: string) =>
    rpc.call(METERING_USAGE_CLAIM_V1, { customerId, billingPeriod, claimId });

  const eventsOf = async (customerId: string, productId = 'claim_call') =>
    (
      await rpc.call(METERING_USAGE_QUERY_V1, {
        customerId,
        productId,
        from: new Date(periodStart(earlier)).toISOString(),
        to: new Date(periodStart(later)).toISOString(),
        limit: 100,
      })
    ).events;

  beforeAll(async () => {
    harness = await MeteringHarness.start();
    dataSource = harness.dataSource;
    caller = await TestRpcCaller.open(baseAmqpUrl(), harness.prefix);
    rpc = caller.rpc;
    await harness.addMeter('claim_call', 'sum');
    await harness.addMeter('claim_users', 'unique_count');
  });

  afterAll(async () => {
    await caller.close();
    await harness.stop();
  });

  it('claims a period’s values, and the same claim id again answers exactly the same, even after new events', async () => {
    const customerId = `c_repeat_${run}`;
    await record(
      event(customerId, { quantity: '2.5', timestamp: at(5) }),
      event(customerId, { quantity: '4', timestamp: at(70) }),
      event(customerId, { productId: 'claim_users', metadata: { user: 'ann' }, timestamp: at(8) }),
    );
    const first = await claim(customerId, period, `inv_repeat_${run}`);
    expect(first).toMatchObject({
      customerId,
      claimId: `inv_repeat_${run}`,
      created: true,
      periods: [
        {
          billingPeriod: period,
          generation: 0,
          claimedEventCount: 3,
          products: [
            {
              productId: 'claim_call',
              aggregation: 'sum',
              value: '6.5',
              eventCount: 2,
              lateEventCount: 0,
              firstEventAt: at(5),
              lastEventAt: at(70),
            },
            { productId: 'claim_users', aggregation: 'unique_count', value: '1', eventCount: 1 },
          ],
        },
      ],
    });
    expect(first.periods).toHaveLength(1);
    expect(Date.parse(first.periods[0]?.usageThrough ?? '')).toBeLessThanOrEqual(Date.now());

    // New events of the period (late now), then the same claim again.
    await record(event(customerId, { quantity: '100' }));
    const again = await claim(customerId, period, `inv_repeat_${run}`);
    expect(again.created).toBe(false);
    expect(withoutCreated(again)).toStrictEqual(withoutCreated(first));

    // The claim closed the period: the read says so and counts the late event apart.
    const read = await rpc.call(METERING_USAGE_PERIOD_V1, { customerId, billingPeriod: period });
    expect(read.closedAt).not.toBeNull();
    expect(read.products[0]).toMatchObject({ value: '106.5', eventCount: 3, lateEventCount: 1 });
  });

  it('answers the same to one claim asked twice at once: one creates it, the other repeats it', async () => {
    const customerId = `c_twice_${run}`;
    await record(event(customerId), event(customerId));
    const claimId = `inv_twice_${run}`;
    const [a, b] = await Promise.all([
      claim(customerId, period, claimId),
      claim(customerId, period, claimId),
    ]);
    expect([a.created, b.created].sort()).toStrictEqual([false, true]);
    expect(withoutCreated(a)).toStrictEqual(withoutCreated(b));
    expect(a.periods[0]?.claimedEventCount).toBe(2);
  });

  it('refuses a claim id already used for another customer or period', async () => {
    const customerId = `c_conflict_${run}`;
    await claim(customerId, period, `inv_conflict_${run}`);
    const otherPeriod = await rejectionOf(
      claim(customerId, later, `inv_conflict_${run}`),
      RpcRemoteError,
    );
    expect(otherPeriod.code).toBe('claim_conflict');
    expect(otherPeriod.status).toBe(409);
    const otherCustomer = await rejectionOf(
      claim(`${customerId}_2`, period, `inv_conflict_${run}`),
      RpcRemoteError,
    );
    expect(otherCustomer.code).toBe('claim_conflict');
  });

  it('stamps events stored after a claim with the next generation, marks them late, and the next claim for a later period takes them with the earlier period’s whole value', async () => {
    const customerId = `c_late_${run}`;
    const onTime = await record(
      event(customerId, { quantity: '3', timestamp: at(1) }),
      event(customerId, { quantity: '4', timestamp: at(2) }),
    );
    const invoice1 = `inv_late1_${run}`;
    const first = await claim(customerId, period, invoice1);
    expect(first.periods).toMatchObject([
      { billingPeriod: period, generation: 0, claimedEventCount: 2 },
    ]);

    const late = await record(
      event(customerId, { quantity: '10', timestamp: at(3) }),
      event(customerId, { quantity: '20', timestamp: at(4) }),
      event(customerId, { quantity: '30', timestamp: at(130) }),
    );
    const stored = await dataSource.query<{ id: string; late: boolean; generation: number }[]>(
      `SELECT "id", "late", "billing_generation" AS "generation" FROM "metering"."usage_events"
        WHERE "customer_id" = $1 ORDER BY "occurred_at"`,
      [customerId],
    );
    expect(stored).toStrictEqual([
      { id: onTime[0], late: false, generation: 0 },
      { id: onTime[1], late: false, generation: 0 },
      { id: late[0], late: true, generation: 1 },
      { id: late[1], late: true, generation: 1 },
      { id: late[2], late: true, generation: 1 },
    ]);

    // The usage query names the invoice and line of the claimed events only.
    const lineOf = (invoiceId: string) => invoiceLineIdOf(invoiceId, period, 'claim_call');
    const billedBy = async () =>
      new Map(
        (await eventsOf(customerId)).map((e) => [e.id, [e.invoiceId, e.invoiceLineId]] as const),
      );
    expect(await billedBy()).toStrictEqual(
      new Map([
        [onTime[0], [invoice1, lineOf(invoice1)]],
        [onTime[1], [invoice1, lineOf(invoice1)]],
        [late[0], [null, null]],
        [late[1], [null, null]],
        [late[2], [null, null]],
      ]),
    );

    const invoice2 = `inv_late2_${run}`;
    const second = await claim(customerId, later, invoice2);
    expect(second).toMatchObject({ created: true });
    expect(second.periods).toMatchObject([
      { billingPeriod: later, generation: 0, claimedEventCount: 0, products: [] },
      {
        billingPeriod: period,
        generation: 1,
        claimedEventCount: 3,
        products: [
          {
            productId: 'claim_call',
            value: '67',
            eventCount: 5,
            lateEventCount: 3,
            firstEventAt: at(1),
            lastEventAt: at(130),
          },
        ],
      },
    ]);
    expect(second.periods).toHaveLength(2);
    expect(await billedBy()).toStrictEqual(
      new Map([
        [onTime[0], [invoice1, lineOf(invoice1)]],
        [onTime[1], [invoice1, lineOf(invoice1)]],
        [late[0], [invoice2, lineOf(invoice2)]],
        [late[1], [invoice2, lineOf(invoice2)]],
        [late[2], [invoice2, lineOf(invoice2)]],
      ]),
    );

    // Nothing is left unclaimed: a further claim lists its own period only.
    const third = await claim(customerId, periodAfter(period, 2), `inv_late3_${run}`);
    expect(third.periods.map((p) => [p.billingPeriod, p.claimedEventCount])).toStrictEqual([
      [periodAfter(period, 2), 0],
    ]);
    // A second invoice of the same period takes only what arrived since.
    await record(event(customerId, { quantity: '5', timestamp: at(6) }));
    const again = await claim(customerId, period, `inv_late4_${run}`);
    expect(again.periods).toMatchObject([
      {
        billingPeriod: period,
        generation: 2,
        claimedEventCount: 1,
        products: [{ value: '72', eventCount: 6, lateEventCount: 4 }],
      },
    ]);
  });

  it('claims a period closed by a period read (close) with all its events, and the close still marks later events late', async () => {
    const customerId = `c_closed_${run}`;
    await record(event(customerId, { quantity: '2' }));
    const closed = await rpc.call(METERING_USAGE_PERIOD_V1, {
      customerId,
      billingPeriod: period,
      close: true,
    });
    expect(closed.products).toMatchObject([{ value: '2', eventCount: 1, lateEventCount: 0 }]);
    await record(event(customerId, { quantity: '3' }));
    const claimed = await claim(customerId, later, `inv_closed_${run}`);
    expect(claimed.periods).toMatchObject([
      { billingPeriod: later, claimedEventCount: 0 },
      {
        billingPeriod: period,
        generation: 0,
        claimedEventCount: 2,
        products: [{ value: '5', eventCount: 2, lateEventCount: 1 }],
      },
    ]);
  });

  it('reports the exact first and last event times of a range, and none without events', async () => {
    const customerId = `c_times_${run}`;
    const times = [
      new Date(periodStart(period) + 5 * MINUTE_MS + 123).toISOString(),
      new Date(periodStart(period) + 50 * MINUTE_MS + 7).toISOString(),
      new Date(periodStart(period) + 17 * MINUTE_MS).toISOString(),
      new Date(periodStart(period) + 95 * MINUTE_MS + 999).toISOString(),
    ];
    // Two batches: the first hour's rollup is updated by the second.
    await record(
      event(customerId, { timestamp: times[1] }),
      event(customerId, { timestamp: times[3] }),
    );
    await record(
      event(customerId, { timestamp: times[0] }),
      event(customerId, { timestamp: times[2] }),
    );
    const range = (fromHour: number, hours: number) => ({
      customerId,
      productId: 'claim_call',
      from: new Date(periodStart(period) + fromHour * HOUR_MS).toISOString(),
      to: new Date(periodStart(period) + (fromHour + hours) * HOUR_MS).toISOString(),
      limit: 10,
    });
    expect((await rpc.call(METERING_USAGE_QUERY_V1, range(0, 2))).usage).toMatchObject({
      eventCount: 4,
      firstEventAt: times[0],
      lastEventAt: times[3],
    });
    expect((await rpc.call(METERING_USAGE_QUERY_V1, range(0, 1))).usage).toMatchObject({
      eventCount: 3,
      firstEventAt: times[0],
      lastEventAt: times[1],
    });
    expect((await rpc.call(METERING_USAGE_QUERY_V1, range(2, 1))).usage).toMatchObject({
      eventCount: 0,
      firstEventAt: null,
      lastEventAt: null,
    });
    const read = await rpc.call(METERING_USAGE_PERIOD_V1, { customerId, billingPeriod: period });
    expect(read.products).toMatchObject([{ firstEventAt: times[0], lastEventAt: times[3] }]);
  });

  it('lists the customers with usage in the period or unclaimed late usage, ascending, a page at a time', async () => {
    // `z_`: after every other customer of this file, so that the last page is this test's.
    const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((n) => `z_${run}_${n}`) as [
      string,
      string,
      string,
      string,
      string,
    ];
    await record(event(b), event(a), event(b));
    // c: late usage of the earlier period only; d: that period claimed, nothing late since.
    await record(event(c, { timestamp: inEarlier(30) }), event(d, { timestamp: inEarlier(30) }));
    await claim(c, earlier, `inv_list_c_${run}`);
    await claim(d, earlier, `inv_list_d_${run}`);
    await record(event(c, { timestamp: inEarlier(20) }));
    // e: usage of the earlier period, not closed: not late.
    await record(event(e, { timestamp: inEarlier(10) }));

    const page = (startingAfter?: string, limit?: number) =>
      rpc.call(METERING_USAGE_CUSTOMERS_V1, {
        billingPeriod: period,
        ...(startingAfter === undefined ? {} : { startingAfter }),
        ...(limit === undefined ? {} : { limit }),
      });
    const ours = (ids: string[]) => ids.filter((id) => id.startsWith(`z_${run}_`));
    const all = await page();
    expect(all.customerIds).toStrictEqual([...all.customerIds].sort());
    expect(ours(all.customerIds)).toStrictEqual([a, b, c]);
    expect(all.hasMore).toBe(false);

    const first = await page(`z_${run}_`, 2);
    expect(plain(first)).toStrictEqual({ customerIds: [a, b], hasMore: true });
    const second = await page(b, 2);
    expect(plain(second)).toStrictEqual({ customerIds: [c], hasMore: false });

    // The earlier period's list: its usage (c, d, e), c's late usage once.
    expect(
      ours((await rpc.call(METERING_USAGE_CUSTOMERS_V1, { billingPeriod: earlier })).customerIds),
    ).toStrictEqual([c, d, e]);

    // Once c's late usage is claimed, c has nothing left for this period's run.
    const swept = await claim(c, period, `inv_list_c2_${run}`);
    expect(swept.periods.map((p) => [p.billingPeriod, p.claimedEventCount])).toStrictEqual([
      [period, 0],
      [earlier, 1],
    ]);
    expect(ours((await page()).customerIds)).toStrictEqual([a, b]);
  });

  it('claims every event exactly once while writers and claims run at the same time', async () => {
    const customerId = `c_race_${run}`;
    const writers = 6;
    const batchesPerWriter = 15;
    const progress = { written: false };
    const writing = Array.from({ length: writers }, async (_, writer) => {
      for (let batch = 0; batch < batchesPerWriter; batch += 1) {
        // Single events (group commit) and small batches, in two periods.
        const size = (writer + batch) % 3 === 0 ? 1 : 5;
        await record(
          ...Array.from({ length: size }, (__, n) =>
            event(customerId, {
              timestamp: (writer + n) % 4 === 0 ? inEarlier(5 + n) : at(n),
              quantity: String(n + 1),
            }),
          ),
        );
      }
    });
    const claiming = (async () => {
      const answers: ClaimUsageReplyV1[] = [];
      // At least 8 rounds, and on until the writers are done.
      for (let n = 0; n < 8 || !progress.written; n += 1) {
        await new Promise((resolve) => setTimeout(resolve, 15));
        // Claims of this period, the earlier one and later ones, two at a time (a
        // later period asked twice is simply claimed again).
        const asked = [period, earlier, periodAfter(period, n + 1)];
        answers.push(
          ...(await Promise.all([
            claim(customerId, asked[n % 3] ?? period, `inv_race_${run}_${n}_a`),
            claim(customerId, periodAfter(period, n + 10), `inv_race_${run}_${n}_b`),
          ])),
        );
      }
      return answers;
    })();
    await Promise.all(writing);
    progress.written = true;
    const during = await claiming;
    // Claims ran between the writers' commits, and took some of their events.
    expect(during.flatMap((answer) => answer.periods).some((p) => p.claimedEventCount > 0)).toBe(
      true,
    );
    const answers = [
      ...during,
      // After the writers: the last claim takes whatever is left.
      await claim(customerId, periodAfter(period, 30), `inv_race_${run}_last`),
    ];

    const [stored] = await dataSource.query<{ n: string }[]>(
      `SELECT count(*) AS "n" FROM "metering"."usage_events" WHERE "customer_id" = $1`,
      [customerId],
    );
    const claimedTotal = answers
      .flatMap((answer) => answer.periods)
      .reduce((sum, p) => sum + p.claimedEventCount, 0);
    expect(claimedTotal).toBe(Number(stored?.n));
    expect(Number(stored?.n)).toBeGreaterThan(0);

    // Each event names exactly one claim, whose count is that of the events naming it.
    const [unclaimed] = await dataSource.query<{ n: string }[]>(
      `SELECT count(*) AS "n" FROM "metering"."usage_events" "event"
        WHERE "customer_id" = $1 AND NOT EXISTS (
          SELECT 1 FROM "metering"."usage_claims" "claim"
           WHERE "claim"."customer_id" = "event"."customer_id"
             AND "claim"."billing_period" = to_char("event"."occurred_at" AT TIME ZONE 'UTC', 'YYYY-MM')
             AND "claim"."generation" = "event"."billing_generation")`,
      [customerId],
    );
    expect(Number(unclaimed?.n)).toBe(0);
    const mismatched = await dataSource.query<unknown[]>(
      `SELECT "claim"."claim_id", "claim"."billing_period", "claim"."claimed_event_count", count("event"."id") AS "events"
         FROM "metering"."usage_claims" "claim"
         LEFT JOIN "metering"."usage_events" "event"
           ON "event"."customer_id" = "claim"."customer_id"
          AND to_char("event"."occurred_at" AT TIME ZONE 'UTC', 'YYYY-MM') = "claim"."billing_period"
          AND "event"."billing_generation" = "claim"."generation"
        WHERE "claim"."customer_id" = $1
        GROUP BY 1, 2, 3
       HAVING count("event"."id") <> "claim"."claimed_event_count"`,
      [customerId],
    );
    expect(mismatched).toStrictEqual([]);
    // And each claim's values are of every event stored before it: the last ones hold them all.
    const read = await rpc.call(METERING_USAGE_PERIOD_V1, { customerId, billingPeriod: period });
    const lastOfPeriod = answers
      .flatMap((answer) => answer.periods)
      .filter((p) => p.billingPeriod === period)
      .sort((x, y) => x.generation - y.generation)
      .at(-1);
    expect(lastOfPeriod?.products).toStrictEqual(read.products);
  }, 60_000);
});
