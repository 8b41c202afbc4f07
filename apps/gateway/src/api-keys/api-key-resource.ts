import type { ApiKeyResourceV1, CreatedApiKeyV1 } from '@aegis/contracts';
import type { ApiKey } from './api-key.entity.js';

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

export function apiKeyResourceOf(key: ApiKey): ApiKeyResourceV1 {
  return {
    id: key.id,
    prefix: key.prefix,
    name: key.name,
    scopes: key.scopes,
    rate_limit: { requests: key.rateLimitRequests, per_seconds: key.rateLimitPerSeconds },
    customer_id: key.customerId,
    created_at: key.createdAt.toISOString(),
    expires_at: iso(key.expiresAt),
    revoked_at: iso(key.revokedAt),
    last_used_at: iso(key.lastUsedAt),
    rolled_from: key.rolledFrom,
  };
}

export function createdApiKeyOf(key: ApiKey, secret: string): CreatedApiKeyV1 {
  return { ...apiKeyResourceOf(key), key: secret };
}
