import { CreateGatewaySchema1763800000000 } from './1763800000000-create-gateway-schema.js';
import { KeysIdempotencyAudit1765000000000 } from './1765000000000-keys-idempotency-audit.js';
import { IdempotencyAnswerAsJson1765100000000 } from './1765100000000-idempotency-answer-as-json.js';
import { AlertsAndWebhooks1766600000000 } from './1766600000000-alerts-and-webhooks.js';

/** Every migration of the `gateway` schema, oldest first. */
export const gatewayMigrations = [
  CreateGatewaySchema1763800000000,
  KeysIdempotencyAudit1765000000000,
  IdempotencyAnswerAsJson1765100000000,
  AlertsAndWebhooks1766600000000,
];
