import { describe, expect, it } from '@jest/globals';
import type { Request } from 'express';
import { GatewayEnv } from '../config/gateway.env.js';
import { DashboardException } from './dashboard.exception.js';
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
import { DashboardSessions, sessionTokenOf } from './dashboard-sessions.service.js';
import { DASHBOARD_CONTENT_SECURITY_POLICY, loadBuiltDashboard } from './dashboard-assets.js';

const session: StoredSession = {
  adminKeyId: 'admin_0123456789ab',
  csrfToken: 'csrf-token-of-the-session',
  createdAt: '2026-01-01T00:00:00.000Z',
  expiresAt: '2026-01-01T08:00:00.000Z',
};

/** A request as Express hands it over, with only what the session logic reads. */
function requestOf(
  method: string,
  headers: Record<string, string>,
  cookies: Record<string, unknown> = {},
): Request {
  const lower = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  return {
    method,
    cookies,
    header: (name: string) => lower[name.toLowerCase()],
  } as unknown as Request;
}

function sessionsWith(publicUrl?: string): DashboardSessions {
  const env = new GatewayEnv();
  env.AEGIS_ADMIN_KEY = 'an-admin-key-of-at-least-32-characters';
  if (publicUrl !== undefined) env.GATEWAY_PUBLIC_URL = publicUrl;
  // The CSRF checks never reach Redis.
  return new DashboardSessions(env, undefined as never);
}

describe('dashboard sessions', () => {
  it('makes tokens of 256 random bits that are well-formed and never repeat', () => {
    const tokens = new Set(Array.from({ length: 100 }, () => newSessionSecret()));
    expect(tokens.size).toBe(100);
    for (const token of tokens) expect(isSessionToken(token)).toBe(true);
    expect(isSessionToken('short')).toBe(false);
    expect(isSessionToken(`${newSessionSecret()}x`)).toBe(false);
    expect(isSessionToken(42)).toBe(false);
  });

  it('stores a hash of the token, not the token', () => {
    const token = newSessionSecret();
    expect(sessionHashOf(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(sessionHashOf(token)).not.toContain(token);
    expect(sessionHashOf(token)).toBe(sessionHashOf(token));
  });

  it('reads only a well-formed session cookie', () => {
    const token = newSessionSecret();
    expect(sessionTokenOf(requestOf('GET', {}, { [SESSION_COOKIE]: token }))).toBe(token);
    expect(sessionTokenOf(requestOf('GET', {}, { [SESSION_COOKIE]: 'x; y' }))).toBeUndefined();
    expect(sessionTokenOf(requestOf('GET', {}, {}))).toBeUndefined();
  });

  it('is valid only before its expiry and while its admin key is the one in force', () => {
    expect(isSessionValid(session, session.adminKeyId, new Date('2026-01-01T07:59:59Z'))).toBe(
      true,
    );
    expect(isSessionValid(session, session.adminKeyId, new Date('2026-01-01T08:00:00Z'))).toBe(
      false,
    );
    expect(isSessionValid(session, 'admin_another0000', new Date('2026-01-01T01:00:00Z'))).toBe(
      false,
    );
    expect(isSessionValid(session, undefined, new Date('2026-01-01T01:00:00Z'))).toBe(false);
  });

  it('reads back only a complete stored session', () => {
    expect(parseStoredSession(JSON.stringify(session))).toEqual(session);
    expect(parseStoredSession(null)).toBeNull();
    expect(parseStoredSession('not json')).toBeNull();
    expect(parseStoredSession(JSON.stringify({ ...session, csrfToken: 7 }))).toBeNull();
  });

  it('lets a cookie read but never write: only GET, HEAD and OPTIONS are safe', () => {
    expect(['GET', 'head', 'OPTIONS'].every(isSafeMethod)).toBe(true);
    expect(['POST', 'PUT', 'PATCH', 'DELETE'].some(isSafeMethod)).toBe(false);
  });

  it('matches CSRF tokens exactly, and never an absent one', () => {
    expect(csrfTokensMatch(session.csrfToken, session.csrfToken)).toBe(true);
    expect(csrfTokensMatch(`${session.csrfToken}x`, session.csrfToken)).toBe(false);
    expect(csrfTokensMatch(undefined, session.csrfToken)).toBe(false);
    expect(csrfTokensMatch('', session.csrfToken)).toBe(false);
  });

  it('takes an origin as the gateway’s own only when it names the public URL, or else the host asked', () => {
    expect(isSameOrigin('http://127.0.0.1:3000', '127.0.0.1:3000', undefined)).toBe(true);
    expect(isSameOrigin('http://evil.example', '127.0.0.1:3000', undefined)).toBe(false);
    expect(isSameOrigin('http://127.0.0.1:3001', '127.0.0.1:3000', undefined)).toBe(false);
    expect(isSameOrigin(undefined, '127.0.0.1:3000', undefined)).toBe(false);
    expect(isSameOrigin('null', '127.0.0.1:3000', undefined)).toBe(false);
    expect(isSameOrigin('not a url', '127.0.0.1:3000', undefined)).toBe(false);
    expect(isSameOrigin('https://pay.example', 'internal:3000', 'https://pay.example')).toBe(true);
    // Behind a proxy the Host header may be anything: the configured origin decides.
    expect(isSameOrigin('https://evil.example', 'evil.example', 'https://pay.example')).toBe(false);
  });

  it('refuses an unsafe request from another origin or without the session’s CSRF token', () => {
    const sessions = sessionsWith();
    const own = { origin: 'http://127.0.0.1:3000', host: '127.0.0.1:3000' };
    expect(() =>
      sessions.assertCsrfSafe(
        requestOf('POST', { ...own, [CSRF_HEADER]: session.csrfToken }),
        session,
      ),
    ).not.toThrow();
    expect(() => sessions.assertCsrfSafe(requestOf('GET', {}), session)).not.toThrow();
    for (const headers of [
      own,
      { ...own, [CSRF_HEADER]: 'guessed' },
      { host: own.host, [CSRF_HEADER]: session.csrfToken },
      { origin: 'http://evil.example', host: own.host, [CSRF_HEADER]: session.csrfToken },
    ]) {
      let thrown: unknown;
      try {
        sessions.assertCsrfSafe(requestOf('POST', headers), session);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(DashboardException);
      expect((thrown as DashboardException).status).toBe(403);
    }
  });

  it('leaves a request with an Authorization header to its key, and one with the cookie to the session', () => {
    const sessions = sessionsWith();
    const cookie = { [SESSION_COOKIE]: newSessionSecret() };
    expect(sessions.carriesSession(requestOf('GET', {}, cookie))).toBe(true);
    expect(
      sessions.carriesSession(requestOf('GET', { authorization: 'Bearer ak_x' }, cookie)),
    ).toBe(false);
    expect(sessions.carriesSession(requestOf('GET', {}, {}))).toBe(false);
  });

  it('allows only the gateway itself in its content security policy', () => {
    expect(DASHBOARD_CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
    expect(DASHBOARD_CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(DASHBOARD_CONTENT_SECURITY_POLICY).not.toMatch(/unsafe|https?:|\*/);
  });

  it('finds no built dashboard where nothing was built', () => {
    expect(loadBuiltDashboard('/nonexistent/dashboard')).toBeNull();
  });
});
