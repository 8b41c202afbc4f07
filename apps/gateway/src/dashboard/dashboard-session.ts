import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The cookie that carries a dashboard session's token (httpOnly, SameSite=Strict). */
export const SESSION_COOKIE = 'aegis_dashboard_session';
/** The header the dashboard sends its session's CSRF token in on every unsafe request. */
export const CSRF_HEADER = 'x-csrf-token';

/** What is kept of a session in Redis, under the hash of its token. */
export interface StoredSession {
  /** The admin key it was signed in with (its fingerprint): another admin key ends it. */
  readonly adminKeyId: string;
  readonly csrfToken: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

/** 256 random bits, URL-safe: a session's token, or its CSRF token. */
export function newSessionSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Only the hash of a token is stored, so a read of Redis gives no session away. */
export function sessionHashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A well-formed token: 43 base64url characters (anything else is not looked up). */
export function isSessionToken(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value);
}

/** GET, HEAD and OPTIONS change nothing: a cookie alone may read, never write. */
export function isSafeMethod(method: string): boolean {
  return ['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
}

/** Compares in constant time; hashing first gives both sides the same length. */
export function csrfTokensMatch(given: string | undefined, expected: string): boolean {
  if (given === undefined || given === '') return false;
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Whether an unsafe request comes from the gateway's own pages: its Origin
 * header names the origin people reach the gateway at (GATEWAY_PUBLIC_URL),
 * or, without one configured, the host the request was sent to. A request
 * without Origin is refused (browsers send it on every POST, PUT, PATCH and
 * DELETE).
 */
export function isSameOrigin(
  origin: string | undefined,
  host: string | undefined,
  publicUrl: string | undefined,
): boolean {
  if (origin === undefined || origin === '' || origin === 'null') return false;
  let given: URL;
  try {
    given = new URL(origin);
  } catch {
    return false;
  }
  if (publicUrl !== undefined) return given.origin === new URL(publicUrl).origin;
  return given.host === host?.toLowerCase();
}

/** Whether a stored session still admits: unexpired, and of the admin key in force now. */
export function isSessionValid(
  session: StoredSession,
  currentAdminKeyId: string | undefined,
  now: Date,
): boolean {
  return (
    currentAdminKeyId !== undefined &&
    session.adminKeyId === currentAdminKeyId &&
    new Date(session.expiresAt).getTime() > now.getTime()
  );
}

/** A stored session read back from Redis, or null when it is not one (never trusted blindly). */
export function parseStoredSession(text: string | null): StoredSession | null {
  if (text === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  const { adminKeyId, csrfToken, createdAt, expiresAt } = record;
  if (
    typeof adminKeyId !== 'string' ||
    typeof csrfToken !== 'string' ||
    typeof createdAt !== 'string' ||
    typeof expiresAt !== 'string'
  )
    return null;
  return { adminKeyId, csrfToken, createdAt, expiresAt };
}
