import { Injectable } from '@nestjs/common';
import type {
  ClaimedPeriodV1,
  ClaimUsageReplyV1,
  ClaimUsageRequestV1,
  UsageCustomersReplyV1,
  UsageCustomersRequestV1,
  UsageValueV1,
} from '@aegis/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { MeteringException, MeteringExceptionCode } from '../metering.exception.js';
import { claimOrderOf, type ClaimablePeriod } from './usage-claim-order.js';
import { UsageReader } from './usage-reader.js';
import { UsageStore } from './usage-store.js';

/** The page an invoice run reads when it does not say. */
const DEFAULT_CUSTOMERS_LIMIT = 1000;
/**
 * PostgreSQL's codes for a claim that lost a race and may simply run again:
 * a deadlock, or a claim id inserted meanwhile by a claim of other periods
 * (the next attempt finds it and answers claim_conflict).
 */
const RETRYABLE_CODES = new Set(['40P01', '23505']);
const ATTEMPTS = 3;

interface ClaimRow {
  readonly customer_id: string;
  readonly billing_period: string;
  readonly generation: number;
  readonly claimed_event_count: string;
  readonly products: UsageValueV1[];
  readonly usage_through: Date;
}

// Customers with usage stored in the period (a row per customer and period,
// kept by the insert), or with unclaimed events in a closed period (a partial
// index over the few such periods): each side read in customer order from its
// index, at most a page of each, merged. Byte order ("C"), as the client sorts.
const CUSTOMERS_PAGE = `
  SELECT "customer_id" FROM (
    (SELECT "customer_id" FROM "metering"."usage_period_customers"
      WHERE "billing_period" = $1 AND "customer_id" > $2
      ORDER BY "customer_id" LIMIT $3)
    UNION
    (SELECT DISTINCT "customer_id" COLLATE "C" AS "customer_id" FROM "metering"."closed_periods"
      WHERE "unclaimed_event_count" > 0 AND "customer_id" COLLATE "C" > $2
      ORDER BY 1 LIMIT $3)
  ) "listed"
  ORDER BY "customer_id" LIMIT $3`;

/**
 * Claims of usage for invoices (docs/metering.md, "Claims"), and the list of
 * customers an invoice run must invoice.
 */
@Injectable()
export class UsageClaims {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: UsageStore,
    private readonly reader: UsageReader,
  ) {}

  /**
   * Claims a customer's period, and every other closed period's unclaimed
   * events, for one claim id, in one transaction; the same claim id asked
   * again answers what it answered the first time (`created: false`).
   */
  async claim(request: ClaimUsageRequestV1): Promise<ClaimUsageReplyV1> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.dataSource.transaction('READ COMMITTED', (manager) =>
          this.claimIn(manager, request),
        );
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (attempt >= ATTEMPTS || typeof code !== 'string' || !RETRYABLE_CODES.has(code))
          throw error;
      }
    }
  }

  /** A page of the customers with usage in the period or unclaimed late usage, ascending. */
  async customers(request: UsageCustomersRequestV1): Promise<UsageCustomersReplyV1> {
    const limit = request.limit ?? DEFAULT_CUSTOMERS_LIMIT;
    const rows = await this.dataSource.query<{ customer_id: string }[]>(CUSTOMERS_PAGE, [
      request.billingPeriod,
      request.startingAfter ?? '',
      limit + 1,
    ]);
    return {
      customerIds: rows.slice(0, limit).map((row) => row.customer_id),
      hasMore: rows.length > limit,
    };
  }

  private async claimIn(
    manager: EntityManager,
    request: ClaimUsageRequestV1,
  ): Promise<ClaimUsageReplyV1> {
    const { customerId, billingPeriod, claimId } = request;
    const stored = await this.answerOf(manager, request, false);
    if (stored !== undefined) return stored;

    // Read without locks to know which locks to take; read again under them.
    // A period that got late events in between is left to the next claim.
    const candidates = (
      await manager.query<{ billing_period: string }[]>(
        `SELECT "billing_period" FROM "metering"."closed_periods"
          WHERE "customer_id" = $1 AND "billing_period" <> $2 AND "unclaimed_event_count" > 0`,
        [customerId, billingPeriod],
      )
    ).map((row) => row.billing_period);
    const locked = [billingPeriod, ...candidates];
    await this.store.lockPeriods(manager, customerId, locked);
    // The same claim, run meanwhile, committed before this one got the locks.
    const raced = await this.answerOf(manager, request, false);
    if (raced !== undefined) return raced;

    await this.store.closePeriod(manager, customerId, billingPeriod);
    const periods = claimOrderOf(
      billingPeriod,
      (
        await manager.query<
          { billing_period: string; generation: number; unclaimed_event_count: string }[]
        >(
          `SELECT "billing_period", "generation", "unclaimed_event_count"
             FROM "metering"."closed_periods"
            WHERE "customer_id" = $1 AND "billing_period" = ANY($2::text[])`,
          [customerId, locked],
        )
      ).map((row): ClaimablePeriod => ({
        billingPeriod: row.billing_period,
        generation: row.generation,
        unclaimedEventCount: Number(row.unclaimed_event_count),
      })),
    );
    // Under the exclusive locks every event of these periods committed before
    // now is visible, and none can commit until this transaction ends.
    const [clock] = await manager.query<{ now: Date }[]>(`SELECT clock_timestamp() AS "now"`);
    const usageThrough = (clock?.now ?? new Date()).toISOString();
    for (const [position, period] of periods.entries()) {
      const products = await this.reader.periodValuesOf(manager, customerId, period.billingPeriod);
      await manager.query(
        `INSERT INTO "metering"."usage_claims"
           ("claim_id", "position", "customer_id", "billing_period", "generation",
            "claimed_event_count", "products", "usage_through")
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)`,
        [
          claimId,
          position,
          customerId,
          period.billingPeriod,
          period.generation,
          period.unclaimedEventCount,
          JSON.stringify(products),
          usageThrough,
        ],
      );
    }
    await manager.query(
      `UPDATE "metering"."closed_periods"
          SET "generation" = "generation" + 1, "unclaimed_event_count" = 0
        WHERE "customer_id" = $1 AND "billing_period" = ANY($2::text[])`,
      [customerId, periods.map((period) => period.billingPeriod)],
    );
    // Answered as it is stored, so that a repeat answers exactly the same.
    const answer = await this.answerOf(manager, request, true);
    if (answer === undefined) throw new Error(`claim ${claimId} was not stored`);
    return answer;
  }

  /**
   * The stored answer of the request's claim id, if it has one; a claim id
   * already used for another customer or period is refused.
   */
  private async answerOf(
    manager: EntityManager,
    request: ClaimUsageRequestV1,
    created: boolean,
  ): Promise<ClaimUsageReplyV1 | undefined> {
    const rows = await manager.query<ClaimRow[]>(
      `SELECT "customer_id", "billing_period", "generation", "claimed_event_count", "products",
              "usage_through"
         FROM "metering"."usage_claims" WHERE "claim_id" = $1 ORDER BY "position"`,
      [request.claimId],
    );
    const [first] = rows;
    if (first === undefined) return undefined;
    if (first.customer_id !== request.customerId || first.billing_period !== request.billingPeriod)
      throw new MeteringException(
        MeteringExceptionCode.CLAIM_CONFLICT,
        `claim ${request.claimId} was made for another customer or period`,
        [{ field: 'claimId', message: 'already used by a claim of another customer or period' }],
      );
    return {
      customerId: first.customer_id,
      claimId: request.claimId,
      created,
      periods: rows.map((row): ClaimedPeriodV1 => ({
        billingPeriod: row.billing_period,
        generation: row.generation,
        claimedEventCount: Number(row.claimed_event_count),
        products: row.products,
        usageThrough: row.usage_through.toISOString(),
      })),
    };
  }
}
