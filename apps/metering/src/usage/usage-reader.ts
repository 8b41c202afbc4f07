import { Injectable, Logger } from '@nestjs/common';
import {
  billingPeriodBounds,
  invoiceLineIdOf,
  type Aggregation,
  type UsageEventV1,
  type UsagePeriodReplyV1,
  type UsagePeriodRequestV1,
  type UsageQueryReplyV1,
  type UsageQueryRequestV1,
  type UsageValueV1,
} from '@aegis/contracts';
import { paginateNewestFirst } from '@aegis/persistence';
import { DataSource, type EntityManager } from 'typeorm';
import type { Meter } from '../meters/entities/meter.entity.js';
import { MetersService } from '../meters/meters.service.js';
import { MeteringException, MeteringExceptionCode } from '../metering.exception.js';
import { UsageEvent } from './entities/usage-event.entity.js';
import { UsageStore, billingPeriodOf } from './usage-store.js';

const HOUR_MS = 3_600_000;

interface HourlyTotals {
  readonly product_id: string;
  readonly event_count: string;
  readonly late_event_count: string;
  readonly total_quantity: string;
  readonly max_quantity: string;
  readonly latest_quantity: string;
  readonly first_event_at: Date;
  readonly last_event_at: Date;
}

// Rollups only: a period's value never reads raw events. Quantities leave as
// exact decimal text without trailing zeros.
const HOURLY_TOTALS = `
  SELECT "product_id",
         sum("event_count")::text AS "event_count",
         sum("late_event_count")::text AS "late_event_count",
         trim_scale(sum("total_quantity"))::text AS "total_quantity",
         trim_scale(max("max_quantity"))::text AS "max_quantity",
         trim_scale((array_agg("latest_quantity" ORDER BY "latest_at" DESC, "latest_id" DESC))[1])::text
           AS "latest_quantity",
         min("earliest_at") AS "first_event_at",
         max("latest_at") AS "last_event_at"
    FROM "metering"."usage_hourly"
   WHERE "customer_id" = $1 AND "hour" >= $2 AND "hour" < $3 AND ($4::text IS NULL OR "product_id" = $4)
   GROUP BY "product_id"
   ORDER BY "product_id"`;

const DISTINCT_COUNTS = `
  SELECT "product_id", count(DISTINCT "value")::text AS "count"
    FROM "metering"."usage_hourly_distinct"
   WHERE "customer_id" = $1 AND "hour" >= $2 AND "hour" < $3 AND ($4::text IS NULL OR "product_id" = $4)
   GROUP BY "product_id"`;

@Injectable()
export class UsageReader {
  private readonly logger = new Logger(UsageReader.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly meters: MetersService,
    private readonly store: UsageStore,
  ) {}

  /** One product's value over whole hours, with a page of its events; both from one snapshot. */
  async query(request: UsageQueryRequestV1): Promise<UsageQueryReplyV1> {
    const from = new Date(request.from);
    const to = new Date(request.to);
    const refusals = [
      ...(from.getTime() % HOUR_MS === 0
        ? []
        : [{ field: 'from', message: 'from must be a whole UTC hour' }]),
      ...(to.getTime() % HOUR_MS === 0
        ? []
        : [{ field: 'to', message: 'to must be a whole UTC hour' }]),
      ...(to > from ? [] : [{ field: 'to', message: 'to must be after from' }]),
    ];
    if (refusals.length > 0)
      throw new MeteringException(
        MeteringExceptionCode.INVALID_RANGE,
        'the range is not whole hours',
        refusals,
      );
    const meter = (await this.meters.resolve([request.productId])).get(request.productId);
    if (meter === undefined)
      throw new MeteringException(
        MeteringExceptionCode.PRODUCT_NOT_FOUND,
        `no product "${request.productId}" in the catalogue`,
      );
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const usageThrough = await this.snapshotTime(manager);
      const [usage] = await this.valuesOf(
        manager,
        request.customerId,
        from,
        to,
        new Map([[meter.productId, meter]]),
        meter.productId,
      );
      const page = await paginateNewestFirst(
        manager
          .createQueryBuilder(UsageEvent, 'event')
          .where('event.customerId = :customerId', { customerId: request.customerId })
          .andWhere('event.productId = :productId', { productId: request.productId })
          .andWhere('event.occurredAt >= :from AND event.occurredAt < :to', { from, to }),
        { alias: 'event', id: 'id', createdAt: 'occurredAt' },
        request,
      );
      const invoiceOf = await this.invoicesOf(manager, request.customerId, page.items);
      return {
        usage: usage ?? this.emptyValueOf(meter.productId, meter),
        events: page.items.map((event) => usageEventOf(event, invoiceOf)),
        hasMore: page.hasMore,
        usageThrough,
      };
    });
  }

  /**
   * Every product's value for a customer's billing period. With `close`, the
   * period is closed first, under its exclusive lock: every event committed
   * before is in the values, every later one is marked late. Closing does not
   * claim: the period's events stay unclaimed until a claim takes them.
   */
  async period(request: UsagePeriodRequestV1): Promise<UsagePeriodReplyV1> {
    const { from, to } = billingPeriodBounds(request.billingPeriod);
    const isolation = request.close === true ? 'READ COMMITTED' : 'REPEATABLE READ';
    return this.dataSource.transaction(isolation, async (manager) => {
      if (request.close === true) {
        await this.store.lockPeriods(manager, request.customerId, [request.billingPeriod]);
        await this.store.closePeriod(manager, request.customerId, request.billingPeriod);
      }
      const usageThrough = await this.snapshotTime(manager);
      const closed = await manager.query<{ closed_at: Date }[]>(
        `SELECT "closed_at" FROM "metering"."closed_periods" WHERE "customer_id" = $1 AND "billing_period" = $2`,
        [request.customerId, request.billingPeriod],
      );
      return {
        customerId: request.customerId,
        billingPeriod: request.billingPeriod,
        from: from.toISOString(),
        to: to.toISOString(),
        products: await this.periodValuesOf(manager, request.customerId, request.billingPeriod),
        usageThrough,
        closedAt: closed[0]?.closed_at.toISOString() ?? null,
      };
    });
  }

  /**
   * Every product's value for a customer's billing period, over all its
   * events (of every generation), from the rollups, through `manager`.
   */
  async periodValuesOf(
    manager: EntityManager,
    customerId: string,
    billingPeriod: string,
  ): Promise<UsageValueV1[]> {
    const { from, to } = billingPeriodBounds(billingPeriod);
    const productIds = (
      await manager.query<{ product_id: string }[]>(
        `SELECT DISTINCT "product_id" FROM "metering"."usage_hourly"
          WHERE "customer_id" = $1 AND "hour" >= $2 AND "hour" < $3`,
        [customerId, from, to],
      )
    ).map((row) => row.product_id);
    const meters = await this.meters.resolve(productIds, manager);
    return this.valuesOf(manager, customerId, from, to, meters);
  }

  /**
   * The claim that billed each event of a page, by its period and the
   * generation it was stamped with (docs/metering.md, "Claims"): joined at
   * read time, events are never updated. Keyed by claimKeyOf.
   */
  private async invoicesOf(
    manager: EntityManager,
    customerId: string,
    events: readonly UsageEvent[],
  ): Promise<ReadonlyMap<string, string>> {
    if (events.length === 0) return new Map();
    const wanted = [
      ...new Map(
        events.map((event) => {
          const period = billingPeriodOf(event.occurredAt);
          return [claimKeyOf(period, event.billingGeneration), [period, event.billingGeneration]];
        }),
      ).values(),
    ] as [string, number][];
    const rows = await manager.query<
      { billing_period: string; generation: number; claim_id: string }[]
    >(
      `SELECT "claim"."billing_period", "claim"."generation", "claim"."claim_id"
         FROM unnest($2::text[], $3::integer[]) AS "wanted"("billing_period", "generation")
         JOIN "metering"."usage_claims" "claim"
           ON "claim"."customer_id" = $1
          AND "claim"."billing_period" = "wanted"."billing_period"
          AND "claim"."generation" = "wanted"."generation"`,
      [customerId, wanted.map(([period]) => period), wanted.map(([, generation]) => generation)],
    );
    return new Map(
      rows.map((row) => [claimKeyOf(row.billing_period, row.generation), row.claim_id]),
    );
  }

  /**
   * The instant the caller's reads stand at: in a REPEATABLE READ transaction
   * the snapshot is taken by this first statement, after `now()`; under the
   * exclusive period lock every earlier commit is visible too.
   */
  private async snapshotTime(manager: EntityManager): Promise<string> {
    const [row] = await manager.query<{ now: Date }[]>(`SELECT now() AS "now"`);
    return (row?.now ?? new Date()).toISOString();
  }

  private async valuesOf(
    manager: EntityManager,
    customerId: string,
    from: Date,
    to: Date,
    meters: ReadonlyMap<string, Meter>,
    productId: string | null = null,
  ): Promise<UsageValueV1[]> {
    const totals = await manager.query<HourlyTotals[]>(HOURLY_TOTALS, [
      customerId,
      from,
      to,
      productId,
    ]);
    const distinct = new Map(
      (
        await manager.query<{ product_id: string; count: string }[]>(DISTINCT_COUNTS, [
          customerId,
          from,
          to,
          productId,
        ])
      ).map((row) => [row.product_id, row.count]),
    );
    return totals.map((row) => {
      const meter = meters.get(row.product_id);
      if (meter === undefined)
        this.logger.warn(
          `usage of product ${row.product_id}, unknown to the catalogue, reported as a sum`,
        );
      const aggregation = aggregationOf(meter);
      const value = {
        sum: row.total_quantity,
        count: row.event_count,
        max: row.max_quantity,
        latest: row.latest_quantity,
        unique_count: distinct.get(row.product_id) ?? '0',
      }[aggregation];
      return {
        productId: row.product_id,
        pricingType: meter?.pricingType ?? 'usage',
        aggregation,
        aggregationField: meter?.aggregationField ?? null,
        value,
        totalQuantity: row.total_quantity,
        eventCount: Number(row.event_count),
        lateEventCount: Number(row.late_event_count),
        firstEventAt: row.first_event_at.toISOString(),
        lastEventAt: row.last_event_at.toISOString(),
      };
    });
  }

  private emptyValueOf(productId: string, meter: Meter): UsageValueV1 {
    return {
      productId,
      pricingType: meter.pricingType,
      aggregation: aggregationOf(meter),
      aggregationField: meter.aggregationField,
      value: '0',
      totalQuantity: '0',
      eventCount: 0,
      lateEventCount: 0,
      firstEventAt: null,
      lastEventAt: null,
    };
  }
}

/** Outcome products add up their deliverables; a usage product without one sums. */
function aggregationOf(meter: Meter | undefined): Aggregation {
  return meter?.pricingType === 'usage' ? (meter.aggregation ?? 'sum') : 'sum';
}

function claimKeyOf(billingPeriod: string, generation: number): string {
  return `${billingPeriod}/${generation}`;
}

function usageEventOf(event: UsageEvent, invoiceOf: ReadonlyMap<string, string>): UsageEventV1 {
  const period = billingPeriodOf(event.occurredAt);
  const invoiceId = invoiceOf.get(claimKeyOf(period, event.billingGeneration)) ?? null;
  return {
    id: event.id,
    customerId: event.customerId,
    productId: event.productId,
    quantity: trimScale(event.quantity),
    timestamp: event.occurredAt.toISOString(),
    idempotencyKey: event.idempotencyKey,
    metadata: event.metadata,
    late: event.late,
    apiKeyId: event.apiKeyId,
    receivedAt: event.receivedAt.toISOString(),
    invoiceId,
    invoiceLineId: invoiceId === null ? null : invoiceLineIdOf(invoiceId, period, event.productId),
  };
}

/** Decimal text without trailing fractional zeros ("1.50" → "1.5", "2.0" → "2"). */
function trimScale(decimal: string): string {
  return decimal.includes('.') ? decimal.replace(/\.?0+$/, '') : decimal;
}
