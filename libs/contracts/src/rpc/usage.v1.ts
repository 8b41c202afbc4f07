import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  ValidateBy,
  ValidateNested,
  isISO8601,
} from 'class-validator';
import {
  AGGREGATIONS,
  IsProductId,
  PRICING_TYPES,
  PRODUCT_ID_PATTERN,
  type Aggregation,
  type PricingType,
} from '../catalog.js';
import { IsCustomerId, isCustomerId } from '../customer-id.js';
import { IsMetadata, isMetadata } from '../metadata.js';
import { PageRequestV1 } from './paging.js';
import { defineRpcRoute } from './rpc-route.js';

/**
 * metering's usage over RPC: recording (the public `POST /api/v1/usage`), the
 * value of a product over a range, and the value of every product for a
 * billing period (billing's and subscriptions' read, which may also close the
 * period). Expected failures: `invalid_usage` (400, with the fields at fault,
 * named `events.<index>.<field>`: an unknown or archived product among them),
 * `product_not_found` (404, a query's product), `invalid_range` (400, a query's
 * range that is not whole hours or is empty). See docs/metering.md.
 */

/** The most events one record request (and one `POST /api/v1/usage`) may carry. */
export const MAX_USAGE_BATCH = 1000;

/**
 * A usage quantity as exact decimal text: never negative, up to 18 integer
 * digits and 12 decimal places (Stripe's `unit_amount_decimal` precision).
 */
export const USAGE_QUANTITY_PATTERN = /^(0|[1-9]\d{0,17})(\.\d{1,12})?$/;

/** `YYYY-MM`: a calendar month in UTC. */
export const BILLING_PERIOD_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

/** A `YYYY-MM` billing period's first instant and the next period's: calendar months in UTC. */
export function billingPeriodBounds(billingPeriod: string): { from: Date; to: Date } {
  const [year, month] = billingPeriod.split('-').map(Number) as [number, number];
  return { from: new Date(Date.UTC(year, month - 1, 1)), to: new Date(Date.UTC(year, month, 1)) };
}

/** A caller's key for one event, unique per customer forever. */
export const USAGE_IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export class UsageEventInputV1 {
  @IsCustomerId()
  customerId!: string;

  @IsProductId()
  productId!: string;

  @Matches(USAGE_QUANTITY_PATTERN, {
    message: 'quantity must be a non-negative decimal with at most 12 decimal places',
  })
  quantity!: string;

  /** When the usage happened; absent: when metering stores it. */
  @IsOptional()
  @IsISO8601({ strict: true })
  timestamp?: string;

  @Matches(USAGE_IDEMPOTENCY_KEY_PATTERN, {
    message: 'idempotency_key must be 1 to 255 printable ASCII characters',
  })
  idempotencyKey!: string;

  @IsOptional()
  @IsMetadata()
  metadata?: Record<string, string>;

  /** The key the event was sent with (the gateway's key id), kept beside the event. */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  apiKeyId?: string;
}

/**
 * The first field at fault of a batch of UsageEventInputV1, as
 * `events.<index>.<field>: <why>`, or undefined when every event is one. The
 * same rules as UsageEventInputV1's decorators, checked in one pass: nested
 * class-validator would build and walk an instance per event, tens of
 * milliseconds for a batch of 1000 (the gateway names every field at fault
 * before a batch gets here).
 */
export function usageBatchFaultOf(events: unknown): string | undefined {
  if (!Array.isArray(events)) return 'events must be an array';
  for (const [index, event] of events.entries()) {
    const at = (field: string, why: string): string => `events.${index}.${field}: ${why}`;
    if (event === null || typeof event !== 'object' || Array.isArray(event))
      return `events.${index} must be an object`;
    const fields = event as Record<string, unknown>;
    if (!isCustomerId(fields.customerId)) return at('customerId', 'not a customer id');
    if (typeof fields.productId !== 'string' || !PRODUCT_ID_PATTERN.test(fields.productId))
      return at('productId', 'not a product id');
    if (typeof fields.quantity !== 'string' || !USAGE_QUANTITY_PATTERN.test(fields.quantity))
      return at('quantity', 'not a non-negative decimal with at most 12 decimal places');
    if (fields.timestamp !== undefined && !isISO8601(fields.timestamp, { strict: true }))
      return at('timestamp', 'not an ISO 8601 time');
    if (
      typeof fields.idempotencyKey !== 'string' ||
      !USAGE_IDEMPOTENCY_KEY_PATTERN.test(fields.idempotencyKey)
    )
      return at('idempotencyKey', 'not 1 to 255 printable ASCII characters');
    if (fields.metadata !== undefined && !isMetadata(fields.metadata))
      return at('metadata', 'not a bounded object of strings');
    if (
      fields.apiKeyId !== undefined &&
      (typeof fields.apiKeyId !== 'string' || fields.apiKeyId.length > 255)
    )
      return at('apiKeyId', 'not a key id');
  }
  return undefined;
}

function IsUsageEventBatch(): PropertyDecorator {
  return ValidateBy({
    name: 'isUsageEventBatch',
    validator: {
      validate: (value: unknown) => usageBatchFaultOf(value) === undefined,
      defaultMessage: (args) => usageBatchFaultOf(args?.value) ?? 'events are not usage events',
    },
  });
}

export class RecordUsageRequestV1 {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_USAGE_BATCH)
  @IsUsageEventBatch()
  events!: UsageEventInputV1[];
}

export class RecordUsageReplyV1 {
  /** Events stored by this request. */
  @IsInt()
  @Min(0)
  accepted!: number;

  /** Events whose `(customerId, idempotencyKey)` was already stored, or repeated in the request. */
  @IsInt()
  @Min(0)
  duplicates!: number;

  /** The id of each event, in request order; a duplicate's is the stored event's. */
  @IsArray()
  @IsString({ each: true })
  ids!: string[];

  /** The indexes of the duplicates in the request. */
  @IsArray()
  @IsInt({ each: true })
  duplicateIndexes!: number[];
}

/** One stored usage event. */
export class UsageEventV1 {
  @IsString()
  id!: string;

  @IsCustomerId()
  customerId!: string;

  @IsProductId()
  productId!: string;

  @Matches(USAGE_QUANTITY_PATTERN)
  quantity!: string;

  @IsISO8601({ strict: true })
  timestamp!: string;

  @IsString()
  idempotencyKey!: string;

  @IsMetadata()
  metadata!: Record<string, string>;

  /** Recorded for a billing period that was already closed (invoiced): billed as an adjustment. */
  @IsBoolean()
  late!: boolean;

  @IsOptional()
  @IsString()
  apiKeyId!: string | null;

  @IsISO8601({ strict: true })
  receivedAt!: string;

  /** The invoice that billed the event, once one has (its claim: docs/metering.md, "Claims"). */
  @IsOptional()
  @IsString()
  invoiceId!: string | null;

  /** The line of that invoice that billed it: invoiceLineIdOf(invoiceId, its period, productId). */
  @IsOptional()
  @IsString()
  invoiceLineId!: string | null;
}

/** What a product's events add up to over a range. */
export class UsageValueV1 {
  @IsProductId()
  productId!: string;

  @IsIn(PRICING_TYPES)
  pricingType!: PricingType;

  /** Outcome products add up their deliverables: `sum`. */
  @IsIn(AGGREGATIONS)
  aggregation!: Aggregation;

  @IsOptional()
  @IsString()
  aggregationField!: string | null;

  /** The aggregation's result, exact decimal text. */
  @IsString()
  value!: string;

  /** The sum of the quantities, whatever the aggregation. */
  @IsString()
  totalQuantity!: string;

  @IsInt()
  @Min(0)
  eventCount!: number;

  /** Of those, the events marked late. */
  @IsInt()
  @Min(0)
  lateEventCount!: number;

  /** The earliest event's timestamp (`occurred_at`), null without events. */
  @IsOptional()
  @IsISO8601({ strict: true })
  firstEventAt!: string | null;

  /** The latest event's timestamp, null without events. */
  @IsOptional()
  @IsISO8601({ strict: true })
  lastEventAt!: string | null;
}

export class UsageQueryRequestV1 extends PageRequestV1 {
  @IsCustomerId()
  customerId!: string;

  @IsProductId()
  productId!: string;

  /** Inclusive; a whole UTC hour. */
  @IsISO8601({ strict: true })
  from!: string;

  /** Exclusive; a whole UTC hour after `from`. */
  @IsISO8601({ strict: true })
  to!: string;
}

export class UsageQueryReplyV1 {
  @ValidateNested()
  @Type(() => UsageValueV1)
  usage!: UsageValueV1;

  /** The range's events, newest first (one page). */
  @ValidateNested({ each: true })
  @Type(() => UsageEventV1)
  events!: UsageEventV1[];

  @IsBoolean()
  hasMore!: boolean;

  /** Every event committed before this instant is in the value. */
  @IsISO8601({ strict: true })
  usageThrough!: string;
}

export class UsagePeriodRequestV1 {
  @IsCustomerId()
  customerId!: string;

  @Matches(BILLING_PERIOD_PATTERN, { message: 'billingPeriod must be YYYY-MM' })
  billingPeriod!: string;

  /**
   * Close the period for billing (idempotent; `closedAt` stays the first
   * close's): events recorded for it from then on are kept, marked late and
   * counted in `lateEventCount`. Every event committed before the close is
   * in the values; none recorded after it is unmarked.
   */
  @IsOptional()
  @IsBoolean()
  close?: boolean;
}

export class UsagePeriodReplyV1 {
  @IsCustomerId()
  customerId!: string;

  @IsString()
  @IsNotEmpty()
  billingPeriod!: string;

  @IsISO8601({ strict: true })
  from!: string;

  @IsISO8601({ strict: true })
  to!: string;

  /** Every product with events for the customer in the period. */
  @ValidateNested({ each: true })
  @Type(() => UsageValueV1)
  products!: UsageValueV1[];

  /** Every event committed before this instant is in the values. */
  @IsISO8601({ strict: true })
  usageThrough!: string;

  /** When the period was closed for billing, if it was. */
  @IsOptional()
  @IsISO8601({ strict: true })
  closedAt!: string | null;
}

/** Stores a batch of usage events, all or nothing; duplicates are reported, not stored again. */
export const METERING_USAGE_RECORD_V1 = defineRpcRoute({
  name: 'metering.usage.record.v1',
  service: 'metering',
  request: RecordUsageRequestV1,
  reply: RecordUsageReplyV1,
});

/** One product's value for a customer over a range, with a page of its events. */
export const METERING_USAGE_QUERY_V1 = defineRpcRoute({
  name: 'metering.usage.query.v1',
  service: 'metering',
  request: UsageQueryRequestV1,
  reply: UsageQueryReplyV1,
});

/** Every product's value for a customer and billing period; optionally closes the period. */
export const METERING_USAGE_PERIOD_V1 = defineRpcRoute({
  name: 'metering.usage.period.v1',
  service: 'metering',
  request: UsagePeriodRequestV1,
  reply: UsagePeriodReplyV1,
});
