import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { Redis } from 'ioredis';
import { adminKeyIdOf } from '../api-keys/api-key-secret.js';
import type { Principal } from '../auth/principal.js';
import { GatewayEnv } from '../config/gateway.env.js';
import { REDIS_COMMANDS } from '../redis/redis.module.js';
import { DashboardException, DashboardExceptionCode } from './dashboard.exception.js';
import {
  CSRF_HEADER,
  SESSION_COOKIE,
  csrfTokensMatch,
  isSafeMethod,
  isSameOrigin,
  isSessionToken,
  isSessionValid,
  newSessionSecret,
  parseStoredSession,
  sessionHashOf,
  type StoredSession,
} from './dashboard-session.js';

/** A session just signed in: its token goes into the cookie and nowhere else. */
export interface NewSession {
  readonly token: string;
  readonly session: StoredSession;
}

/** The session cookie's token of a request, when it carries a well-formed one. */
export function sessionTokenOf(request: Request): string | undefined {
  // cookie-parser fills `cookies` (gateway.options.ts); its type says any.
  const cookies = request.cookies as Record<string, unknown> | undefined;
  const token = cookies?.[SESSION_COOKIE];
  return isSessionToken(token) ? token : undefined;
}

/**
 * The dashboard's sign-in sessions, shared by every replica through Redis:
 * each stored under the SHA-256 of its random token, with its CSRF token and
 * the admin key's fingerprint, expiring by itself after
 * DASHBOARD_SESSION_TTL_SECONDS.
 */
@Injectable()
export class DashboardSessions {
  constructor(
    private readonly env: GatewayEnv,
    @Inject(REDIS_COMMANDS) private readonly redis: Redis,
  ) {}

  /** The fingerprint of the admin key in force, if one is configured. */
  get currentAdminKeyId(): string | undefined {
    const adminKey = this.env.AEGIS_ADMIN_KEY;
    return adminKey === undefined ? undefined : adminKeyIdOf(adminKey);
  }

  async create(adminKeyId: string, now = new Date()): Promise<NewSession> {
    const token = newSessionSecret();
    const ttlSeconds = this.env.DASHBOARD_SESSION_TTL_SECONDS;
    const session: StoredSession = {
      adminKeyId,
      csrfToken: newSessionSecret(),
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + ttlSeconds * 1_000).toISOString(),
    };
    await this.guarded(() =>
      this.redis.set(this.keyOf(token), JSON.stringify(session), 'EX', ttlSeconds),
    );
    return { token, session };
  }

  /** The request's valid session, or null (none, unknown, expired, of another admin key). */
  async find(request: Request): Promise<StoredSession | null> {
    const token = sessionTokenOf(request);
    if (token === undefined) return null;
    const session = parseStoredSession(await this.guarded(() => this.redis.get(this.keyOf(token))));
    if (session === null) return null;
    if (!isSessionValid(session, this.currentAdminKeyId, new Date())) {
      await this.guarded(() => this.redis.del(this.keyOf(token)));
      return null;
    }
    return session;
  }

  /** Signs out: the session is gone on every replica at once. */
  async delete(request: Request): Promise<void> {
    const token = sessionTokenOf(request);
    if (token !== undefined) await this.guarded(() => this.redis.del(this.keyOf(token)));
  }

  /**
   * A request to /api/v1 that the API key guard leaves to the session: no
   * Authorization header, and a session cookie.
   */
  carriesSession(request: Request): boolean {
    return request.header('authorization') === undefined && sessionTokenOf(request) !== undefined;
  }

  /**
   * The admin principal of a request signed in to the dashboard: 401 without a
   * valid session; for an unsafe method also 403 unless it comes from the
   * gateway's own origin and carries the session's CSRF token.
   */
  async authenticate(request: Request): Promise<Principal> {
    const session = await this.find(request);
    if (session === null)
      throw new DashboardException(
        DashboardExceptionCode.SESSION_INVALID,
        'the dashboard session is unknown, expired or signed out: sign in again',
      );
    this.assertCsrfSafe(request, session);
    return { kind: 'admin', keyId: session.adminKeyId };
  }

  /** 403 for an unsafe request from another origin or without the session's CSRF token. */
  assertCsrfSafe(request: Request, session: StoredSession | null): void {
    if (isSafeMethod(request.method)) return;
    if (
      !isSameOrigin(request.header('origin'), request.header('host'), this.env.GATEWAY_PUBLIC_URL)
    )
      throw new DashboardException(
        DashboardExceptionCode.CSRF_REJECTED,
        'a request with the dashboard session must come from the dashboard (Origin)',
      );
    if (session !== null && !csrfTokensMatch(request.header(CSRF_HEADER), session.csrfToken))
      throw new DashboardException(
        DashboardExceptionCode.CSRF_REJECTED,
        `a request with the dashboard session needs its CSRF token in ${CSRF_HEADER}`,
      );
  }

  private keyOf(token: string): string {
    return `${this.env.REDIS_KEY_PREFIX}:dashboard:session:${sessionHashOf(token)}`;
  }

  /** Redis away: 503 (sessions cannot be checked, so none admits). */
  private async guarded<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch {
      throw new DashboardException(
        DashboardExceptionCode.SESSIONS_UNAVAILABLE,
        'dashboard sessions are unavailable right now (Redis does not answer): try again shortly',
      );
    }
  }
}
