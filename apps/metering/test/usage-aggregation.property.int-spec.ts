import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  METERING_USAGE_PERIOD_V1,
  METERING_USAGE_QUERY_V1,
  METERING_USAGE_RECORD_V1,
  type Aggregation,
  type RecordUsageReplyV1,
  type UsageEventInputV1,
  type UsageValueV1,
} from '@aegis/contracts';
import type { AmqpRpcClient } from '@aegis/messaging';
import { TestRpcCaller, baseAmqpUrl } from '@aegis/testing';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { MeteringHarness } from './metering-harness.js';

/**
 * metering's aggregations against a naive in-memory model that shares no code
 * with it: random batches of usage events (repeated idempotency keys within
 * and across batches, whole batches sent again, events at the same instant)
 * are recorded over RPC and each reply's accepted, duplicates, ids and
 * duplicateIndexes checked; then every product's value, total quantity and
 * event count over whole-hour ranges (with the range's page of events) and
 * over billing periods must be what the model computes from the events it
 * kept, in exact decimals. Each run uses customers of its own, so runs (and
 * shrinking) start clean. Billing does not run here: products are seeded
 * into metering's copy of the catalogue.
 */

const NUM_RUNS = 50;
const HOUR_MS = 3_600_000;
const CUSTOMERS_PER_RUN = 3;

/** Exact decimals: a sum of a few hundred quantities of 18 integer and 12 decimal digits fits in 64. */
const Exact = Decimal.clone({ precision: 64 });
type Exact = InstanceType<typeof Exact>;

/** One product per aggregation; the unique_count one counts distinct metadata.user. */
const PRODUCTS = [
  { productId: 'prop_sum', aggregation: 'sum' },
  { productId: 'prop_count', aggregation: 'count' },
  { productId: 'prop_max', aggregation: 'max' },
  { productId: 'prop_latest', aggregation: 'latest' },
  { productId: 'prop_unique_count', aggregation: 'unique_count' },
] as const satisfies readonly { productId: string; aggregation: Aggregation }[];
type ProductSpec = (typeof PRODUCTS)[number];

interface EventDraft {
  readonly customer: number;
  readonly product: number;
  readonly key: string;
  readonly quantity: string;
  /** Index into the case's hours. */
  readonly hour: number;
  /** Milliseconds into that hour. */
  readonly offsetMs: number;
  readonly user: string;
  /** Whether a product other than unique_count's gets metadata.user too. */
  readonly withUser: boolean;
}

type Step =
  | { readonly kind: 'batch'; readonly events: readonly EventDraft[] }
  /** An earlier batch sent again, whole. */
  | { readonly kind: 'resend'; readonly batch: number }
  /** New events (keys of their own, other quantities) at the instants of an earlier batch's. */
  | { readonly kind: 'same-instants'; readonly batch: number; readonly quantities: string[] };

interface UsageCase {
  /** Distinct whole hours before the current one that events fall in. */
  readonly hoursAgo: readonly number[];
  readonly steps: readonly Step[];
  /** Pairs of indexes into the candidate range bounds (see rangesOf). */
  readonly ranges: readonly (readonly [number, number])[];
}

/** Exact decimal text as the contract allows it: 0–12 places, trailing zeros kept, up to 18 integer digits. */
const quantityArbitrary: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(
        fc.oneof(
          fc.constant(0n),
          fc.bigInt({ min: 0n, max: 9n }),
          fc.bigInt({ min: 0n, max: 99_999n }),
          fc.bigInt({ min: 0n, max: 10n ** 18n - 1n }),
        ),
        fc.integer({ min: 0, max: 12 }),
        fc.bigInt({ min: 0n, max: 10n ** 12n - 1n }),
      )
      .map(([whole, places, fraction]) =>
        places === 0
          ? String(whole)
          : `${whole}.${fraction.toString().padStart(12, '0').slice(0, places)}`,
      ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '0',
      '0.000000000000',
      '0.000000000001',
      '1.5',
      '1.50',
      '2',
      '999999999999999999',
      '999999999999999999.999999999999',
    ),
  },
);

const eventArbitrary: fc.Arbitrary<EventDraft> = fc.record({
  customer: fc.integer({ min: 0, max: CUSTOMERS_PER_RUN - 1 }),
  product: fc.integer({ min: 0, max: PRODUCTS.length - 1 }),
  // A few keys that repeat (within a batch, across batches, across customers), or a fresh one.
  key: fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom('k-0', 'k-1', 'k-2', 'k-3') },
    { weight: 2, arbitrary: fc.uuid() },
  ),
  quantity: quantityArbitrary,
  hour: fc.nat({ max: 3 }),
  // The edges of an hour and its middle often, so that timestamps tie and `latest` needs the id.
  offsetMs: fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(0, 1, 1_800_000, HOUR_MS - 1) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: HOUR_MS - 1 }) },
  ),
  user: fc.constantFrom('ann', 'bob', 'cyd', 'Ann'),
  withUser: fc.boolean(),
});

/** Events of one customer and product at the same instant: `latest` must break the tie by id. */
const burstArbitrary: fc.Arbitrary<EventDraft[]> = fc
  .tuple(
    eventArbitrary,
    fc.array(fc.tuple(fc.uuid(), quantityArbitrary, eventArbitrary), {
      minLength: 1,
      maxLength: 3,
    }),
  )
  .map(([first, others]) => [
    first,
    ...others.map(([key, quantity, other]) => ({ ...first, key, quantity, user: other.user })),
  ]);

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .array(
        fc.oneof(
          { weight: 3, arbitrary: eventArbitrary.map((event) => [event]) },
          { weight: 1, arbitrary: burstArbitrary },
        ),
        { minLength: 1, maxLength: 12 },
      )
      .map((groups): Step => ({ kind: 'batch', events: groups.flat() })),
  },
  { weight: 1, arbitrary: fc.nat({ max: 4 }).map((batch): Step => ({ kind: 'resend', batch })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.nat({ max: 4 }), fc.array(quantityArbitrary, { minLength: 1, maxLength: 4 }))
      .map(([batch, quantities]): Step => ({ kind: 'same-instants', batch, quantities })),
  },
);

const caseArbitrary: fc.Arbitrary<UsageCase> = fc.record({
  // Mostly the last four days (across a month's end early in a month), sometimes a month back.
  hoursAgo: fc.uniqueArray(
    fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 1, max: 96 }) },
      { weight: 1, arbitrary: fc.integer({ min: 24 * 30, max: 24 * 34 }) },
    ),
    { minLength: 1, maxLength: 4 },
  ),
  steps: fc.array(stepArbitrary, { minLength: 1, maxLength: 5 }),
  ranges: fc.array(fc.tuple(fc.nat({ max: 11 }), fc.nat({ max: 11 })), {
    minLength: 1,
    maxLength: 4,
  }),
});

function byProductId(a: UsageValueV1, b: UsageValueV1): number {
  return a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0;
}

/** A stored event as the model keeps it: the first of its (customer, idempotency key). */
interface ModelEvent {
  readonly id: string;
  readonly customerId: string;
  readonly productId: string;
  readonly quantity: Exact;
  readonly at: number;
  readonly user: string | undefined;
}

/** What metering should hold: events counted once per customer and idempotency key, forever. */
class UsageModel {
  private readonly stored = new Map<string, ModelEvent>();

  /**
   * Applies a batch in order and answers the reply metering owes for it. The
   * id of an event the model stores is the one metering answered: ids are
   * metering's to choose, the model only checks they are fresh and distinct.
   */
  record(events: readonly UsageEventInputV1[], answeredIds: readonly string[]): RecordUsageReplyV1 {
    const knownIds = new Set([...this.stored.values()].map((e) => e.id));
    const ids: string[] = [];
    const duplicateIndexes: number[] = [];
    events.forEach((event, index) => {
      const key = `${event.customerId}\u0000${event.idempotencyKey}`;
      const first = this.stored.get(key);
      if (first !== undefined) {
        ids.push(first.id);
        duplicateIndexes.push(index);
        return;
      }
      const id = answeredIds[index] ?? '';
      // A stored event's id is metering's, but it must be new: an empty or reused id is
      // replaced by a placeholder, so that the reply fails to match.
      const expectedId = id !== '' && !knownIds.has(id) ? id : '<a fresh id>';
      knownIds.add(id);
      ids.push(expectedId);
      this.stored.set(key, {
        id: expectedId,
        customerId: event.customerId,
        productId: event.productId,
        quantity: new Exact(event.quantity),
        at: Date.parse(event.timestamp ?? ''),
        user: event.metadata?.user,
      });
    });
    return {
      accepted: events.length - duplicateIndexes.length,
      duplicates: duplicateIndexes.length,
      ids,
      duplicateIndexes,
    };
  }

  /** The events of a customer's product with `from <= at < to`, newest first (ties: greatest id). */
  eventsOf(customerId: string, productId: string, from: number, to: number): ModelEvent[] {
    return [...this.stored.values()]
      .filter(
        (e) =>
          e.customerId === customerId && e.productId === productId && e.at >= from && e.at < to,
      )
      .sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  }

  valueOf(customerId: string, product: ProductSpec, from: number, to: number): UsageValueV1 {
    const events = this.eventsOf(customerId, product.productId, from, to);
    const total = events.reduce((sum, e) => sum.plus(e.quantity), new Exact(0));
    let max = new Exact(0);
    for (const e of events) if (e.quantity.greaterThan(max)) max = e.quantity;
    const values: Record<Aggregation, string> = {
      sum: text(total),
      count: String(events.length),
      max: text(max),
      latest: events[0] === undefined ? '0' : text(events[0].quantity),
      unique_count: String(new Set(events.map((e) => e.user)).size),
    };
    return {
      productId: product.productId,
      pricingType: 'usage',
      aggregation: product.aggregation,
      aggregationField: product.aggregation === 'unique_count' ? 'user' : null,
      value: values[product.aggregation],
      totalQuantity: text(total),
      eventCount: events.length,
      lateEventCount: 0,
      firstEventAt: timeOf(Math.min(...events.map((e) => e.at))),
      lastEventAt: timeOf(Math.max(...events.map((e) => e.at))),
    };
  }

  /** Every product with events for the customer in `[from, to)`. */
  productsOf(customerId: string, from: number, to: number): UsageValueV1[] {
    return PRODUCTS.filter(
      (product) => this.eventsOf(customerId, product.productId, from, to).length > 0,
    )
      .map((product) => this.valueOf(customerId, product, from, to))
      .sort(byProductId);
  }
}

/** A read and what the model says it should be, named for a failure's diff. */
interface Check {
  readonly where: string;
  readonly actual: Record<string, unknown>;
  readonly expected: Record<string, unknown>;
}

/** A reply as plain data, so that a failure's diff shows values, not class names. */
function plain<T>(value: T): T {
  return structuredClone(value);
}

/** An event time as metering answers it; null for no events (Math.min of nothing: Infinity). */
function timeOf(at: number): string | null {
  return Number.isFinite(at) ? new Date(at).toISOString() : null;
}

/** Decimal text without trailing zeros or an exponent: '1.5', '0', '0.000000000001'. */
function text(value: Exact): string {
  return value.toFixed();
}

/** A `YYYY-MM` period's first instant and the next period's, UTC. */
function monthBounds(billingPeriod: string): { from: number; to: number } {
  const [year, month] = billingPeriod.split('-').map(Number) as [number, number];
  return { from: Date.UTC(year, month - 1, 1), to: Date.UTC(year, month, 1) };
}

/**
 * Whole-hour ranges around the event hours: bounds are each event hour and
 * the hours either side; a pair of indexes picks a first and a last hour.
 * Always includes one range over everything.
 */
function rangesOf(
  hours: readonly number[],
  picks: UsageCase['ranges'],
): { from: number; to: number }[] {
  const bounds = [...new Set(hours.flatMap((h) => [h - HOUR_MS, h, h + HOUR_MS]))].sort(
    (a, b) => a - b,
  );
  const first = bounds[0] ?? 0;
  const last = bounds[bounds.length - 1] ?? 0;
  return [
    { from: first, to: last + HOUR_MS },
    ...picks.map(([a, b]) => {
      const [i, j] = [a % bounds.length, b % bounds.length].sort((x, y) => x - y) as [
        number,
        number,
      ];
      return { from: bounds[i] ?? first, to: (bounds[j] ?? last) + HOUR_MS };
    }),
  ];
}

describe('metering usage aggregations against a naive in-memory model', () => {
  let harness: MeteringHarness;
  let caller: TestRpcCaller;
  let rpc: AmqpRpcClient;

  beforeAll(async () => {
    harness = await MeteringHarness.start();
    caller = await TestRpcCaller.open(baseAmqpUrl(), harness.prefix);
    rpc = caller.rpc;
    for (const { productId, aggregation } of PRODUCTS)
      await harness.addMeter(productId, aggregation);
  });

  afterAll(async () => {
    await caller.close();
    await harness.stop();
  });

  it('answers each batch accepted/duplicates as the model does, and every range and period value (sum, count, max, latest, unique_count) is the model’s, exactly', async () => {
    await fc.assert(
      fc.asyncProperty(caseArbitrary, async (usageCase) => {
        const run = randomUUID().slice(0, 8);
        const customers = Array.from(
          { length: CUSTOMERS_PER_RUN },
          (_, n) => `cust_prop_${run}_${n}`,
        );
        const currentHour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
        const hours = usageCase.hoursAgo.map((ago) => currentHour - ago * HOUR_MS);
        const inputOf = (draft: EventDraft): UsageEventInputV1 => {
          const product = PRODUCTS[draft.product] ?? PRODUCTS[0];
          const hour = hours[draft.hour % hours.length] ?? currentHour - HOUR_MS;
          return {
            customerId: customers[draft.customer] ?? customers[0] ?? '',
            productId: product.productId,
            quantity: draft.quantity,
            timestamp: new Date(hour + draft.offsetMs).toISOString(),
            idempotencyKey: draft.key,
            metadata:
              product.aggregation === 'unique_count' || draft.withUser ? { user: draft.user } : {},
          };
        };

        const model = new UsageModel();
        const batches: (readonly EventDraft[])[] = [];
        for (const [index, step] of usageCase.steps.entries()) {
          let drafts: readonly EventDraft[];
          if (step.kind === 'batch') {
            drafts = step.events;
            batches.push(drafts);
          } else {
            const earlier = batches[step.batch % Math.max(batches.length, 1)];
            if (earlier === undefined) continue;
            if (step.kind === 'resend') drafts = earlier;
            else {
              drafts = earlier.map((draft, n) => ({
                ...draft,
                key: `${draft.key}+${index}`,
                quantity: step.quantities[n % step.quantities.length] ?? draft.quantity,
              }));
              batches.push(drafts);
            }
          }
          const events = drafts.map(inputOf);
          const reply = await rpc.call(METERING_USAGE_RECORD_V1, { events });
          // `where` names the case in a failure's diff.
          expect({ reply: plain(reply), where: `step ${index}` }).toEqual({
            reply: model.record(events, reply.ids),
            where: `step ${index}`,
          });
        }

        // Every read at once (metering's prefetch and pool bound them), compared in order after.
        const periods = [
          ...new Set([currentHour, ...hours].map((h) => new Date(h).toISOString().slice(0, 7))),
        ];
        const checks = customers.flatMap((customerId, n): Promise<Check>[] => [
          ...rangesOf(hours, usageCase.ranges).flatMap(({ from, to }) =>
            PRODUCTS.map(async (product): Promise<Check> => {
              const reply = await rpc.call(METERING_USAGE_QUERY_V1, {
                customerId,
                productId: product.productId,
                from: new Date(from).toISOString(),
                to: new Date(to).toISOString(),
                limit: 100,
              });
              const inRange = model.eventsOf(customerId, product.productId, from, to);
              return {
                where: `customer ${n}, ${product.productId}, ${new Date(from).toISOString()}..${new Date(to).toISOString()}`,
                actual: {
                  usage: plain(reply.usage),
                  // The page holds the range's stored events, newest first, as the model kept them.
                  events: reply.events.map((e) => [e.id, e.quantity]),
                  hasMore: reply.hasMore,
                },
                expected: {
                  usage: model.valueOf(customerId, product, from, to),
                  events: inRange.slice(0, 100).map((e) => [e.id, text(e.quantity)]),
                  hasMore: inRange.length > 100,
                },
              };
            }),
          ),
          ...periods.map(async (billingPeriod): Promise<Check> => {
            const reply = await rpc.call(METERING_USAGE_PERIOD_V1, { customerId, billingPeriod });
            const { from, to } = monthBounds(billingPeriod);
            return {
              where: `customer ${n}, period ${billingPeriod}`,
              actual: {
                closedAt: reply.closedAt,
                products: plain(reply.products).sort(byProductId),
              },
              expected: { closedAt: null, products: model.productsOf(customerId, from, to) },
            };
          }),
        ]);
        for (const { where, actual, expected } of await Promise.all(checks))
          expect({ ...actual, where }).toEqual({ ...expected, where });
      }),
      {
        numRuns: NUM_RUNS,
        // A failure's shrinking stops in time to be reported (Jest's timeout is 120 s).
        plugins: [fc.interruptAfterTimeLimit(90_000, { failOnInterrupt: true })],
      },
    );
  });
});
