/** The services of the system; queue names, schemas and RPC routes derive from these. */
export const SERVICE_NAMES = [
  'gateway',
  'webhook-ingest',
  'metering',
  'billing',
  'subscriptions',
  'disputes',
  'stripe-sandbox',
] as const;

export type ServiceName = (typeof SERVICE_NAMES)[number];
