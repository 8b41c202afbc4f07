import type { ServiceName } from '@aegis/contracts';
import type { ServiceStorage } from '@aegis/platform';
import { billingStorage } from '../apps/billing/src/billing.storage.js';
import { disputesStorage } from '../apps/disputes/src/disputes.storage.js';
import { gatewayStorage } from '../apps/gateway/src/gateway.storage.js';
import { meteringStorage } from '../apps/metering/src/metering.storage.js';
import { subscriptionsStorage } from '../apps/subscriptions/src/subscriptions.storage.js';
import { webhookIngestStorage } from '../apps/webhook-ingest/src/webhook-ingest.storage.js';

export interface ServiceEntry {
  readonly name: ServiceName;
  readonly defaultPort: number;
  readonly storage?: ServiceStorage;
}

/** Every app `npm start` runs, in start order. */
export const SERVICES: readonly ServiceEntry[] = [
  { name: 'gateway', defaultPort: 3000, storage: gatewayStorage },
  { name: 'webhook-ingest', defaultPort: 3001, storage: webhookIngestStorage },
  { name: 'metering', defaultPort: 3002, storage: meteringStorage },
  { name: 'billing', defaultPort: 3003, storage: billingStorage },
  { name: 'subscriptions', defaultPort: 3004, storage: subscriptionsStorage },
  { name: 'disputes', defaultPort: 3005, storage: disputesStorage },
  { name: 'stripe-sandbox', defaultPort: 12111 },
];

/** `<APP>_PORT` overrides an app's port under `npm start`, e.g. WEBHOOK_INGEST_PORT. */
export function portVariableOf(service: string): string {
  return `${service.toUpperCase().replaceAll('-', '_')}_PORT`;
}
