import type {
  CreatedWebhookEndpointV1,
  DeletedWebhookEndpointV1,
  ListV1,
  WebhookDeliveryResourceV1,
  WebhookEndpointResourceV1,
} from '@aegis/contracts';
import { formatFields, formatTable } from '../output/table.js';

/** `aegis webhooks endpoints create`: the endpoint and its secret, shown this once. */
export function formatCreatedEndpoint(endpoint: CreatedWebhookEndpointV1): string[] {
  return [
    `created webhook endpoint ${endpoint.id}`,
    ...formatFields([
      ['url', endpoint.url],
      ['events', endpoint.events.join(', ')],
      ['status', endpoint.status],
      ['secret', endpoint.secret],
      ['created', endpoint.created_at],
    ]),
    'the secret signs every delivery (Aegis-Signature); it is not shown again: keep it now',
  ];
}

/** `aegis webhooks endpoints list`. */
export function formatEndpointTable(list: ListV1<WebhookEndpointResourceV1>): string[] {
  if (list.data.length === 0) return ['no webhook endpoints'];
  return formatTable(
    ['ID', 'URL', 'EVENTS', 'STATUS', 'FAILING SINCE', 'CREATED'],
    list.data.map((endpoint) => [
      endpoint.id,
      endpoint.url,
      endpoint.events.join(','),
      endpoint.status,
      endpoint.failing_since ?? '-',
      endpoint.created_at,
    ]),
  );
}

export function formatDeletedEndpoint(deleted: DeletedWebhookEndpointV1): string[] {
  return [`deleted webhook endpoint ${deleted.id}`];
}

function lastAttemptOf(delivery: WebhookDeliveryResourceV1): string {
  const last = delivery.attempts.at(-1);
  if (last === undefined) return '-';
  return last.error ?? String(last.status_code ?? '-');
}

/** `aegis webhooks deliveries <endpoint>`: one line per delivery. */
export function formatDeliveryTable(list: ListV1<WebhookDeliveryResourceV1>): string[] {
  if (list.data.length === 0) return ['no deliveries'];
  return formatTable(
    ['ID', 'EVENT TYPE', 'EVENT', 'STATUS', 'ATTEMPTS', 'LAST', 'NEXT'],
    list.data.map((delivery) => [
      delivery.id,
      delivery.event_type,
      delivery.event_id,
      delivery.status,
      String(delivery.attempts.length),
      lastAttemptOf(delivery),
      delivery.next_attempt_at ?? '-',
    ]),
  );
}
