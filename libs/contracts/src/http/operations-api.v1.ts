/**
 * The operator's side of the public API (`../shared/API.md`, "Operations"):
 * alerts and outbound webhooks, served by the gateway (docs/alerts.md,
 * docs/webhooks.md). Field names are the public API's (snake_case).
 */
import { BILLING_CUSTOMER_CREATED_V1 } from '../events/billing-customer.v1.js';
import {
  BILLING_TRANSACTION_CREATED_V1,
  BILLING_TRANSACTION_UPDATED_V1,
} from '../events/billing-transaction.v1.js';
import {
  DISPUTE_CLOSED_V1,
  DISPUTE_CREATED_V1,
  DISPUTE_DEADLINE_APPROACHING_V1,
  DISPUTE_UPDATED_V1,
} from '../events/dispute.v1.js';
import {
  SUBSCRIPTION_CREATED_V1,
  SUBSCRIPTION_ENDED_V1,
  SUBSCRIPTION_UPDATED_V1,
} from '../events/subscription.v1.js';

const segment = encodeURIComponent;

export const OPERATIONS_API_PATHS = {
  /** GET (`?type&limit&starting_after&ending_before`, admin key): a ListV1<AlertResourceV1>, newest first. */
  alerts: '/api/v1/alerts',
  /** POST a CreateWebhookEndpointBodyV1 (201, CreatedWebhookEndpointV1); GET: a ListV1<WebhookEndpointResourceV1>. */
  webhookEndpoints: '/api/v1/webhook_endpoints',
  /** DELETE: a DeletedWebhookEndpointV1 (200); its deliveries go with it. */
  webhookEndpoint: (endpointId: string): string =>
    `/api/v1/webhook_endpoints/${segment(endpointId)}`,
  /** GET (`?limit&starting_after&ending_before`): a ListV1<WebhookDeliveryResourceV1>, newest first. */
  webhookEndpointDeliveries: (endpointId: string): string =>
    `/api/v1/webhook_endpoints/${segment(endpointId)}/deliveries`,
  /** POST (no body): the WebhookDeliveryResourceV1, due again at once (202). */
  retryWebhookDelivery: (deliveryId: string): string =>
    `/api/v1/webhook_deliveries/${segment(deliveryId)}/retry`,
} as const;

/** The alert rules (docs/alerts.md). */
export const ALERT_TYPES = [
  'payment_failed',
  'subscription_canceled',
  'high_value_transaction',
  'dispute_opened',
  'dispute_deadline_approaching',
  'webhook_endpoint_disabled',
  'message_dead_lettered',
  'webhook_bad_signature_burst',
  'stripe_event_not_applied',
] as const;
export type AlertTypeV1 = (typeof ALERT_TYPES)[number];

/** The webhook event type of an alert: `alert.<rule>`. */
export function alertEventTypeOf(type: AlertTypeV1): `alert.${AlertTypeV1}` {
  return `alert.${type}`;
}

/** The domain events the gateway consumes and delivers to the endpoints that subscribe to them. */
export const WEBHOOK_DOMAIN_EVENT_TYPES = [
  BILLING_CUSTOMER_CREATED_V1,
  BILLING_TRANSACTION_CREATED_V1,
  BILLING_TRANSACTION_UPDATED_V1,
  SUBSCRIPTION_CREATED_V1,
  SUBSCRIPTION_UPDATED_V1,
  SUBSCRIPTION_ENDED_V1,
  DISPUTE_CREATED_V1,
  DISPUTE_UPDATED_V1,
  DISPUTE_CLOSED_V1,
  DISPUTE_DEADLINE_APPROACHING_V1,
] as const;

/** Every event type an endpoint may name in `events` (besides `*`, every one). */
export const WEBHOOK_EVENT_TYPES: readonly string[] = [
  ...WEBHOOK_DOMAIN_EVENT_TYPES,
  ...ALERT_TYPES.map(alertEventTypeOf),
];
export const WEBHOOK_EVERY_EVENT = '*';

/** The header of every outbound delivery: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`. */
export const WEBHOOK_SIGNATURE_HEADER = 'Aegis-Signature';

export interface AlertResourceV1 {
  readonly object: 'alert';
  readonly id: string;
  readonly type: AlertTypeV1;
  /** What raised it, e.g. `payment_failed:<transaction id>`: one alert per cause. */
  readonly cause_key: string;
  readonly customer_id: string | null;
  /** One line for a person. */
  readonly summary: string;
  /** The rule's facts (docs/alerts.md), e.g. a failed payment's amount_cents and currency. */
  readonly data: Readonly<Record<string, unknown>>;
  /** The domain event that raised it (its envelope id), or null (raised by the gateway itself). */
  readonly source_event_id: string | null;
  readonly created_at: string;
}

export interface AlertListQueryV1 {
  readonly type?: AlertTypeV1;
  readonly limit?: number;
  readonly starting_after?: string;
  readonly ending_before?: string;
}

export interface CreateWebhookEndpointBodyV1 {
  /** http(s); not a private, loopback or link-local address unless WEBHOOK_ALLOW_PRIVATE_URLS. */
  readonly url: string;
  /** Exact event types (WEBHOOK_EVENT_TYPES), or `*` for every one. */
  readonly events: readonly string[];
}

export type WebhookEndpointStatusV1 = 'enabled' | 'disabled';

export interface WebhookEndpointResourceV1 {
  readonly object: 'webhook_endpoint';
  readonly id: string;
  readonly url: string;
  readonly events: readonly string[];
  readonly status: WebhookEndpointStatusV1;
  /** Since when every delivery attempt failed (null: the last one succeeded, or none failed). */
  readonly failing_since: string | null;
  readonly disabled_at: string | null;
  readonly created_at: string;
}

/** The answer to a create: the endpoint and its signing secret, shown this once. */
export interface CreatedWebhookEndpointV1 extends WebhookEndpointResourceV1 {
  readonly secret: string;
}

export interface DeletedWebhookEndpointV1 {
  readonly object: 'webhook_endpoint';
  readonly id: string;
  readonly deleted: true;
}

export type WebhookDeliveryStatusV1 = 'pending' | 'delivered' | 'failed';

export interface WebhookAttemptResourceV1 {
  /** 1 for the first attempt. */
  readonly number: number;
  readonly attempted_at: string;
  /** The receiver's HTTP status, or null when none came (refused, timed out, unreachable). */
  readonly status_code: number | null;
  readonly error: string | null;
  readonly duration_ms: number;
}

export interface WebhookDeliveryResourceV1 {
  readonly object: 'webhook_delivery';
  readonly id: string;
  readonly endpoint_id: string;
  /** The delivered event's id (the domain event's or the alert's): the same on every attempt. */
  readonly event_id: string;
  readonly event_type: string;
  readonly status: WebhookDeliveryStatusV1;
  readonly next_attempt_at: string | null;
  readonly delivered_at: string | null;
  readonly failed_at: string | null;
  readonly created_at: string;
  /** Every attempt, first to last. */
  readonly attempts: readonly WebhookAttemptResourceV1[];
}

/** The body of every outbound delivery. */
export interface WebhookEventV1 {
  readonly id: string;
  readonly type: string;
  /** Unix seconds. */
  readonly created: number;
  readonly data: Readonly<Record<string, unknown>>;
}
