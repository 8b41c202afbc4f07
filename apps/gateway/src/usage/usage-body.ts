import {
  MAX_USAGE_BATCH,
  PRODUCT_ID_PATTERN,
  USAGE_IDEMPOTENCY_KEY_PATTERN,
  isCustomerId,
  isMetadata,
  type UsageEventBodyV1,
} from '@aegis/contracts';
import { isISO8601 } from 'class-validator';
import { usageQuantityOf } from './usage-input.js';

/**
 * The two forms of a `POST /api/v1/usage` body: one event, whose fields are
 * named plainly, or `{events}`, whose fields are `events.<index>.<field>`.
 */
export type UsageBodyForm = 'single' | 'batch';

/** A valid event as sent: an optional field may also be null, which counts as absent (as `@IsOptional()` reads it). */
export type SentUsageEvent = {
  readonly [Field in keyof UsageEventBodyV1]:
    UsageEventBodyV1[Field] | (undefined extends UsageEventBodyV1[Field] ? null : never);
};

export interface UsageBody {
  readonly form: UsageBodyForm;
  readonly events: readonly SentUsageEvent[];
}

/** The fields of UsageEventDto: any other is refused, as the validation pipe's whitelist does. */
const EVENT_FIELDS: ReadonlySet<string> = new Set([
  'customer_id',
  'product_id',
  'quantity',
  'timestamp',
  'idempotency_key',
  'metadata',
]);

/** class-validator's `@IsOptional()`: null counts as absent. */
function isAbsent(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A batch is `{events}`; anything else is read as one event. */
export function isUsageBatch(body: unknown): boolean {
  return isPlainObject(body) && 'events' in body;
}

/**
 * Whether `value` is a valid UsageEventDto, by the same rules as its
 * decorators (and the pipe's whitelist) in one pass: class-validator builds
 * and walks an instance per event, about 90 ms for a batch of 1000, which
 * would cap ingest. usage-body.spec.ts holds the two to the same verdict.
 */
export function isUsageEventBody(value: unknown): value is SentUsageEvent {
  if (!isPlainObject(value)) return false;
  if (Object.keys(value).some((key) => !EVENT_FIELDS.has(key))) return false;
  const event = value;
  return (
    (isAbsent(event.customer_id) || isCustomerId(event.customer_id)) &&
    typeof event.product_id === 'string' &&
    PRODUCT_ID_PATTERN.test(event.product_id) &&
    (isAbsent(event.quantity) || usageQuantityOf(event.quantity) !== undefined) &&
    (isAbsent(event.timestamp) || isISO8601(event.timestamp, { strict: true })) &&
    typeof event.idempotency_key === 'string' &&
    USAGE_IDEMPOTENCY_KEY_PATTERN.test(event.idempotency_key) &&
    (isAbsent(event.metadata) || isMetadata(event.metadata))
  );
}

/**
 * The body's events when every one of them is valid (the hot path), or
 * undefined when something is not: then the validation pipe names each
 * field at fault, as it does everywhere else.
 */
export function validUsageBodyOf(body: unknown): UsageBody | undefined {
  if (!isUsageBatch(body))
    return isUsageEventBody(body) ? { form: 'single', events: [body] } : undefined;
  const batch = body as Record<string, unknown>;
  const { events } = batch;
  if (
    Object.keys(batch).length !== 1 ||
    !Array.isArray(events) ||
    events.length < 1 ||
    events.length > MAX_USAGE_BATCH ||
    !events.every(isUsageEventBody)
  )
    return undefined;
  return { form: 'batch', events };
}
