import type {
  RecordUsageResultV1,
  UsageEventBodyV1,
  UsageResourceV1,
  UsageSummaryV1,
  UsageValueResourceV1,
} from '@aegis/contracts';
import { formatFields, formatTable } from '../output/table.js';

/** Sorted by key: the order of a JSON object's keys is no one's promise. */
function metadataOf(metadata: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(metadata)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`);
  return pairs.length === 0 ? '-' : pairs.join(', ');
}

function aggregationOf(value: UsageValueResourceV1): string {
  return value.aggregation_field === null
    ? value.aggregation
    : `${value.aggregation} of ${value.aggregation_field}`;
}

function eventsOf(count: number): string {
  return count === 1 ? '1 event' : `${count} events`;
}

/** What `aegis usage record` prints for one event. */
export function formatRecordedEvent(
  event: UsageEventBodyV1,
  result: RecordUsageResultV1,
): string[] {
  const id = result.ids[0] ?? '?';
  const quantity = String(event.quantity ?? '1');
  const customer = event.customer_id === undefined ? '' : ` for ${event.customer_id}`;
  return [
    result.duplicates > 0
      ? `already recorded: ${event.idempotency_key} is event ${id}; nothing changed`
      : `recorded ${quantity} of ${event.product_id}${customer}: event ${id}`,
    `idempotency key ${event.idempotency_key} (send it again and it is counted once)`,
  ];
}

/** What `aegis usage record --file` prints. */
export function formatRecordedBatch(result: RecordUsageResultV1, batches: number): string[] {
  const indexes = result.duplicate_indexes;
  const shown = indexes.slice(0, 20).join(', ') + (indexes.length > 20 ? ', …' : '');
  return [
    `recorded ${eventsOf(result.accepted)}` +
      (batches > 1 ? ` in ${batches} batches of at most 1000` : ''),
    result.duplicates === 0
      ? 'no duplicates'
      : `${eventsOf(result.duplicates)} already recorded (duplicates, nothing changed): ${shown}`,
  ];
}

/** What `aegis usage show` prints: the value, then the page of events. */
export function formatUsage(usage: UsageResourceV1): string[] {
  const { events } = usage;
  return [
    `usage of ${usage.product_id} for ${usage.customer_id}, ${usage.start_date} to ${usage.end_date} (UTC, both included)`,
    ...formatFields([
      ['value', `${usage.value} (${aggregationOf(usage)})`],
      ['total quantity', usage.total_quantity],
      ['events', `${usage.event_count} (${usage.late_event_count} late)`],
      ['counted through', usage.usage_through],
    ]),
    ...(events.data.length === 0
      ? ['no events']
      : [
          '',
          ...formatTable(
            ['ID', 'TIMESTAMP', 'QUANTITY', 'IDEMPOTENCY KEY', 'LATE', 'METADATA'],
            events.data.map((event) => [
              event.id,
              event.timestamp,
              event.quantity,
              event.idempotency_key,
              event.late ? 'late' : '-',
              metadataOf(event.metadata),
            ]),
          ),
        ]),
  ];
}

/** What `aegis usage summary` prints: each product's value in the period. */
export function formatUsageSummary(summary: UsageSummaryV1): string[] {
  return [
    `usage of ${summary.customer_id} in ${summary.billing_period} (UTC)`,
    ...formatFields([
      ['counted through', summary.usage_through],
      [
        'period',
        summary.closed_at === null
          ? 'open'
          : `closed for billing at ${summary.closed_at} (later events are late)`,
      ],
    ]),
    ...(summary.products.length === 0
      ? ['no usage']
      : [
          '',
          ...formatTable(
            ['PRODUCT', 'TYPE', 'AGGREGATION', 'VALUE', 'TOTAL QUANTITY', 'EVENTS', 'LATE'],
            summary.products.map((product) => [
              product.product_id,
              product.pricing_type,
              aggregationOf(product),
              product.value,
              product.total_quantity,
              String(product.event_count),
              String(product.late_event_count),
            ]),
          ),
        ]),
  ];
}
