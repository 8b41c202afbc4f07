import { ApiProperty } from '@nestjs/swagger';
import {
  AGGREGATIONS,
  PRICING_TYPES,
  type AggregationV1,
  type PricingTypeV1,
  type RecordUsageReplyV1,
  type RecordUsageResultV1,
  type UsageEventResourceV1,
  type UsageEventV1,
  type UsagePeriodReplyV1,
  type UsageQueryReplyV1,
  type UsageResourceV1,
  type UsageSummaryV1,
  type UsageValueResourceV1,
  type UsageValueV1,
} from '@aegis/contracts';
import { listOf } from '../http/list.js';

export class RecordUsageResult implements RecordUsageResultV1 {
  @ApiProperty({ description: 'events stored by this request' }) accepted!: number;
  @ApiProperty({
    description: 'events already stored, or repeated within the request: not stored again',
  })
  duplicates!: number;
  @ApiProperty({
    type: [String],
    description: 'each event’s id, in request order; a duplicate’s is the stored event’s',
  })
  ids!: string[];
  @ApiProperty({ type: [Number], description: 'the indexes of the duplicates in the request' })
  duplicate_indexes!: number[];
}

export class UsageValueResource implements UsageValueResourceV1 {
  @ApiProperty() product_id!: string;
  @ApiProperty({ enum: PRICING_TYPES }) pricing_type!: PricingTypeV1;
  @ApiProperty({ enum: AGGREGATIONS, description: 'outcome products add up deliverables: sum' })
  aggregation!: AggregationV1;
  @ApiProperty({ type: String, nullable: true }) aggregation_field!: string | null;
  @ApiProperty({ description: 'the aggregation’s result, exact decimal text', example: '1500' })
  value!: string;
  @ApiProperty({ description: 'the sum of the quantities, whatever the aggregation' })
  total_quantity!: string;
  @ApiProperty() event_count!: number;
  @ApiProperty({ description: 'of those, recorded after billing closed their period' })
  late_event_count!: number;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'the earliest event’s timestamp in the range; null without events',
  })
  first_event_at!: string | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'the latest event’s timestamp in the range; null without events',
  })
  last_event_at!: string | null;
}

export class UsageEventResource implements UsageEventResourceV1 {
  @ApiProperty() id!: string;
  @ApiProperty() customer_id!: string;
  @ApiProperty() product_id!: string;
  @ApiProperty({ description: 'exact decimal text' }) quantity!: string;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
  @ApiProperty() idempotency_key!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  metadata!: Record<string, string>;
  @ApiProperty({ description: 'recorded for a billing period already invoiced' }) late!: boolean;
  @ApiProperty({ type: String, nullable: true }) api_key_id!: string | null;
  @ApiProperty({ format: 'date-time' }) received_at!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'the invoice that billed the event; null until one has',
  })
  invoice_id!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'the line of that invoice that billed it; null until one has',
  })
  invoice_line_id!: string | null;
}

class UsageEventList {
  @ApiProperty({ enum: ['list'] }) object!: 'list';
  @ApiProperty({ type: [UsageEventResource] }) data!: UsageEventResource[];
  @ApiProperty() has_more!: boolean;
}

export class UsageResource extends UsageValueResource implements UsageResourceV1 {
  @ApiProperty() customer_id!: string;
  @ApiProperty({ format: 'date' }) start_date!: string;
  @ApiProperty({ format: 'date', description: 'included' }) end_date!: string;
  @ApiProperty({
    format: 'date-time',
    description: 'every event committed before this instant is counted',
  })
  usage_through!: string;
  @ApiProperty({ type: UsageEventList, description: 'the range’s events, newest first' })
  events!: UsageEventList;
}

export class UsageSummary implements UsageSummaryV1 {
  @ApiProperty() customer_id!: string;
  @ApiProperty({ example: '2026-03' }) billing_period!: string;
  @ApiProperty({
    format: 'date-time',
    description: 'every event committed before this instant is counted',
  })
  usage_through!: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'when billing closed (invoiced) the period, if it has',
  })
  closed_at!: string | null;
  @ApiProperty({
    type: [UsageValueResource],
    description: 'every product with usage for the customer in the period',
  })
  products!: UsageValueResource[];
}

export function recordUsageResultOf(reply: RecordUsageReplyV1): RecordUsageResultV1 {
  return {
    accepted: reply.accepted,
    duplicates: reply.duplicates,
    ids: reply.ids,
    duplicate_indexes: reply.duplicateIndexes,
  };
}

export function usageValueResourceOf(value: UsageValueV1): UsageValueResourceV1 {
  return {
    product_id: value.productId,
    pricing_type: value.pricingType,
    aggregation: value.aggregation,
    aggregation_field: value.aggregationField,
    value: value.value,
    total_quantity: value.totalQuantity,
    event_count: value.eventCount,
    late_event_count: value.lateEventCount,
    first_event_at: value.firstEventAt,
    last_event_at: value.lastEventAt,
  };
}

export function usageEventResourceOf(event: UsageEventV1): UsageEventResourceV1 {
  return {
    id: event.id,
    customer_id: event.customerId,
    product_id: event.productId,
    quantity: event.quantity,
    timestamp: event.timestamp,
    idempotency_key: event.idempotencyKey,
    metadata: event.metadata,
    late: event.late,
    api_key_id: event.apiKeyId,
    received_at: event.receivedAt,
    invoice_id: event.invoiceId,
    invoice_line_id: event.invoiceLineId,
  };
}

export function usageResourceOf(
  customerId: string,
  range: { readonly startDate: string; readonly endDate: string },
  reply: UsageQueryReplyV1,
): UsageResourceV1 {
  return {
    customer_id: customerId,
    ...usageValueResourceOf(reply.usage),
    start_date: range.startDate,
    end_date: range.endDate,
    usage_through: reply.usageThrough,
    events: listOf(reply.events.map(usageEventResourceOf), reply.hasMore),
  };
}

export function usageSummaryOf(reply: UsagePeriodReplyV1): UsageSummaryV1 {
  return {
    customer_id: reply.customerId,
    billing_period: reply.billingPeriod,
    usage_through: reply.usageThrough,
    closed_at: reply.closedAt,
    products: reply.products.map(usageValueResourceOf),
  };
}
