import type {
  ApiKeyResourceV1,
  CreatedApiKeyV1,
  ListV1,
  RateLimitV1,
  VerifyResultV1,
} from '@aegis/contracts';
import { formatFields, formatTable } from '../output/table.js';

function rateLimitOf(limit: RateLimitV1): string {
  return `${limit.requests} per ${limit.per_seconds} s`;
}

function scopesOf(key: Pick<ApiKeyResourceV1, 'scopes'>): string {
  return key.scopes.length === 0 ? '-' : key.scopes.join(', ');
}

/** revoked, expired or active, as of `now`. */
export function statusOf(key: ApiKeyResourceV1, now: Date): string {
  if (key.revoked_at !== null) return 'revoked';
  if (key.expires_at !== null && Date.parse(key.expires_at) <= now.getTime()) return 'expired';
  return 'active';
}

function keyFields(key: ApiKeyResourceV1): (readonly [string, string])[] {
  return [
    ['id', key.id],
    ['name', key.name],
    ['customer', key.customer_id],
    ['prefix', key.prefix],
    ['scopes', scopesOf(key)],
    ['rate limit', rateLimitOf(key.rate_limit)],
    ['created', key.created_at],
    ['expires', key.expires_at ?? 'never'],
    ...(key.rolled_from === null ? [] : [['rolled from', key.rolled_from] as const]),
  ];
}

/** A new key: the only time the key itself is printed. */
export function formatCreatedKey(key: CreatedApiKeyV1): string[] {
  return [
    `created key ${key.id} for ${key.customer_id}`,
    ...formatFields([['key', key.key], ...keyFields(key)]),
    'the key is shown only this once: store it now',
  ];
}

/** `aegis keys roll`: the new key, and how long the old one keeps working. */
export function formatRolledKey(
  key: CreatedApiKeyV1,
  oldKeyId: string,
  graceSeconds: number | undefined,
): string[] {
  const grace =
    graceSeconds === undefined
      ? 'for the gateway’s default grace period'
      : graceSeconds === 0
        ? 'no longer: it stopped working now'
        : `for ${graceSeconds} s more`;
  return [
    `rolled key ${oldKeyId} into ${key.id}; the old key works ${grace}`,
    ...formatFields([['key', key.key], ...keyFields(key)]),
    'the key is shown only this once: store it now',
  ];
}

export function formatRevokedKey(key: ApiKeyResourceV1): string[] {
  return [
    `revoked key ${key.id} (${key.name}) of ${key.customer_id} at ${key.revoked_at ?? 'now'}`,
  ];
}

export function formatKeyList(list: ListV1<ApiKeyResourceV1>, now: Date): string[] {
  if (list.data.length === 0) return ['no keys'];
  return formatTable(
    ['ID', 'NAME', 'PREFIX', 'SCOPES', 'RATE LIMIT', 'STATUS', 'EXPIRES', 'LAST USED'],
    list.data.map((key) => [
      key.id,
      key.name,
      key.prefix,
      scopesOf(key),
      rateLimitOf(key.rate_limit),
      statusOf(key, now),
      key.expires_at ?? 'never',
      key.last_used_at ?? 'never',
    ]),
  );
}

/** `aegis keys verify`, without ever repeating the key. */
export function formatVerifyResult(result: VerifyResultV1): string[] {
  if (!result.valid) {
    const limit =
      result.rate_limit === undefined
        ? []
        : [
            `rate limit  ${result.rate_limit.remaining} of ${result.rate_limit.limit} left, resets ${result.rate_limit.reset_at}`,
          ];
    return [`invalid: ${result.reason.replace('_', ' ')}`, ...limit];
  }
  return [
    `valid: key ${result.key_id} of ${result.customer_id}`,
    ...formatFields([
      ['scopes', scopesOf(result)],
      [
        'rate limit',
        `${result.rate_limit.remaining} of ${result.rate_limit.limit} left, resets ${result.rate_limit.reset_at}`,
      ],
      ...(result.usage_event_id === undefined
        ? []
        : [['usage', `recorded as ${result.usage_event_id}`] as const]),
    ]),
  ];
}
