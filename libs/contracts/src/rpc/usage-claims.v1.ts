import { createHash } from 'node:crypto';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsCustomerId } from '../customer-id.js';
import { defineRpcRoute } from './rpc-route.js';
import { BILLING_PERIOD_PATTERN, UsageValueV1 } from './usage.v1.js';

/**
 * Billing claims usage for an invoice (docs/metering.md, "Claims"). Each
 * customer's period has a generation, 0 until its first claim; every event is
 * stamped with its period's generation when it is stored. A claim, under the
 * period's exclusive lock, takes every event of the current generation and
 * moves the period to the next one, so each event is claimed by exactly one
 * claim, and one claim's values are those of every event stored before it.
 */
export const CLAIM_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export class ClaimUsageRequestV1 {
  @IsCustomerId()
  customerId!: string;

  /** The period invoiced: claimed (and closed) whether or not it has usage. */
  @Matches(BILLING_PERIOD_PATTERN, { message: 'billingPeriod must be YYYY-MM' })
  billingPeriod!: string;

  /**
   * The claimant's own id (billing's invoice id). A claim asked again with the
   * same id answers what it answered the first time, whatever arrived since.
   */
  @Matches(CLAIM_ID_PATTERN, { message: 'claimId must be letters, digits, "_" or "-"' })
  claimId!: string;
}

export class ClaimedPeriodV1 {
  @Matches(BILLING_PERIOD_PATTERN)
  billingPeriod!: string;

  /** The generation this claim took: its events are the ones stamped with it. */
  @IsInt()
  @Min(0)
  generation!: number;

  /** The events this claim took (of every product). */
  @IsInt()
  @Min(0)
  claimedEventCount!: number;

  /** Every product's value over ALL of the period's events stored before the claim, of every generation. */
  @ValidateNested({ each: true })
  @Type(() => UsageValueV1)
  products!: UsageValueV1[];

  /** Every event of the period committed before this instant is in the values. */
  @IsISO8601({ strict: true })
  usageThrough!: string;
}

export class ClaimUsageReplyV1 {
  @IsCustomerId()
  customerId!: string;

  @IsString()
  claimId!: string;

  /** True when this is the first answer to the claim, false when it repeats a stored one. */
  @IsBoolean()
  created!: boolean;

  /**
   * The period asked for first, then every other closed period of the
   * customer that had unclaimed events (late usage), oldest first.
   */
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ClaimedPeriodV1)
  periods!: ClaimedPeriodV1[];
}

export class UsageCustomersRequestV1 {
  @Matches(BILLING_PERIOD_PATTERN, { message: 'billingPeriod must be YYYY-MM' })
  billingPeriod!: string;

  /** Customers after this id (ascending order). */
  @IsOptional()
  @IsCustomerId()
  startingAfter?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  limit?: number;
}

export class UsageCustomersReplyV1 {
  /** Ascending; customers with any usage stored for the period, or unclaimed late usage of any closed period. */
  @IsArray()
  @IsString({ each: true })
  customerIds!: string[];

  @IsBoolean()
  hasMore!: boolean;
}

/** Claims a customer's usage of a period, and any late usage of its other closed periods, for one invoice. */
export const METERING_USAGE_CLAIM_V1 = defineRpcRoute({
  name: 'metering.usage.claim.v1',
  service: 'metering',
  request: ClaimUsageRequestV1,
  reply: ClaimUsageReplyV1,
});

/** The customers an invoice run for a period must invoice, a page at a time. */
export const METERING_USAGE_CUSTOMERS_V1 = defineRpcRoute({
  name: 'metering.usage.customers.v1',
  service: 'metering',
  request: UsageCustomersRequestV1,
  reply: UsageCustomersReplyV1,
});

/**
 * The id of the invoice line that bills `productId`'s usage of
 * `billingPeriod` on invoice `invoiceId`: derived, so that metering names the
 * line of a claimed event without being told, and Stripe's idempotency key of
 * the line's invoice item is known before the line is written.
 */
export function invoiceLineIdOf(
  invoiceId: string,
  billingPeriod: string,
  productId: string,
): string {
  const digest = createHash('sha256')
    .update(`${invoiceId}\n${billingPeriod}\n${productId}`)
    .digest('hex');
  return `il_${digest.slice(0, 24)}`;
}
