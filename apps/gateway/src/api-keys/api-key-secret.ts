import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Characters of a key shown in lists to recognise it (`ak_` and 8 of its random characters). */
const VISIBLE_PREFIX_LENGTH = 11;

/** A new key: `ak_` and 256 random bits. */
export function newApiKeySecret(): string {
  return `ak_${randomBytes(32).toString('base64url')}`;
}

export function newApiKeyId(): string {
  return `key_${randomBytes(12).toString('base64url')}`;
}

/**
 * What is stored of a key. A plain SHA-256 is enough: the secret has 256
 * random bits, so there is no dictionary to try, and verify must stay fast.
 */
export function apiKeyHashOf(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export function visiblePrefixOf(secret: string): string {
  return secret.slice(0, VISIBLE_PREFIX_LENGTH);
}

/** Compares in constant time; hashing first gives both sides the same length. */
export function secretsMatch(given: string, expected: string): boolean {
  return timingSafeEqual(apiKeyHashOf(given), apiKeyHashOf(expected));
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerTokenOf(header: string | undefined): string | undefined {
  return /^Bearer +(\S+) *$/i.exec(header ?? '')?.[1];
}

/** The id an admin key goes by in the audit log: a fingerprint, never the key. */
export function adminKeyIdOf(adminKey: string): string {
  return `admin_${apiKeyHashOf(adminKey).subarray(0, 6).toString('hex')}`;
}
