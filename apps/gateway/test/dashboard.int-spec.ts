import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  PUBLIC_API_PATHS,
  type CustomerResourceV1,
  type ListV1,
  type ProblemV1,
} from '@aegis/contracts';
import type { ServiceProcess } from '@aegis/testing';
import { Redis } from 'ioredis';
import { GatewayHarness, REDIS_URL } from './gateway-harness.js';

interface SessionAnswer {
  readonly object: 'dashboard_session';
  readonly csrf_token: string;
  readonly expires_at: string;
}

let harness: GatewayHarness;
let redis: Redis;

beforeAll(async () => {
  harness = await GatewayHarness.start();
  redis = new Redis(REDIS_URL);
});

afterAll(async () => {
  await redis.quit();
  await harness.stop();
});

const originOf = (via: ServiceProcess = harness.gateway): string => via.url;

/** A sign-in as the dashboard's page makes it: JSON, from the gateway's own origin. */
async function signIn(
  adminKey: string,
  {
    origin = originOf(),
    via = harness.gateway,
  }: { origin?: string | null; via?: ServiceProcess } = {},
): Promise<{ status: number; body: unknown; cookie: string | undefined; setCookie: string[] }> {
  const response = await fetch(`${via.url}/dashboard/session`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(origin === null ? {} : { origin }),
    },
    body: JSON.stringify({ admin_key: adminKey }),
  });
  const setCookie = response.headers.getSetCookie();
  const cookie = setCookie
    .find((line) => line.startsWith('aegis_dashboard_session='))
    ?.split(';', 1)[0];
  return { status: response.status, body: await response.json(), cookie, setCookie };
}

/** A call to the public API with the session cookie instead of a key. */
async function withCookie(
  cookie: string,
  method: string,
  path: string,
  {
    body,
    headers = {},
    via = harness.gateway,
  }: { body?: unknown; headers?: Record<string, string>; via?: ServiceProcess } = {},
): Promise<{ status: number; body: unknown }> {
  return harness.request(method, path, {
    key: null,
    via,
    headers: { cookie, ...headers },
    ...(body === undefined ? {} : { body }),
  });
}

describe('the dashboard page', () => {
  it('serves the built page and its hashed assets with a self-only CSP and the right caching', async () => {
    const page = await fetch(`${harness.gateway.url}/dashboard`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe|https?:/);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const html = await page.text();
    const script = /src="(\/dashboard\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${harness.gateway.url}${script ?? ''}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await asset.text()).length).toBeGreaterThan(1_000);
    const unknown = await fetch(`${harness.gateway.url}/dashboard/assets/nothing-here.js`);
    expect(unknown.status).toBe(404);
    const traversal = await fetch(`${harness.gateway.url}/dashboard/assets/..%2F..%2Fpackage.json`);
    expect(traversal.status).toBe(404);
  });
});

describe('dashboard sessions', () => {
  it('refuses a wrong key, a customer’s key, and a sign-in from another origin, storing nothing', async () => {
    const before = await redis.keys(`${harness.redisPrefix}:dashboard:session:*`);
    const wrong = await signIn('ak_not_the_admin_key');
    expect(wrong.status).toBe(401);
    expect((wrong.body as ProblemV1).code).toBe('dashboard_sign_in_refused');
    expect(wrong.cookie).toBeUndefined();
    const customer = await harness.createCustomer();
    const customerKey = await harness.createKey(customer.id);
    const asCustomer = await signIn(customerKey.key);
    expect(asCustomer.status).toBe(401);
    expect(asCustomer.cookie).toBeUndefined();
    const foreign = await signIn(harness.adminKey, { origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.cookie).toBeUndefined();
    const noOrigin = await signIn(harness.adminKey, { origin: null });
    expect(noOrigin.status).toBe(403);
    const missing = await fetch(`${harness.gateway.url}/dashboard/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: originOf() },
      body: JSON.stringify({}),
    });
    expect(missing.status).toBe(400);
    expect([...new Set(((await missing.json()) as ProblemV1).errors?.map((e) => e.field))]).toEqual(
      ['admin_key'],
    );
    expect(await redis.keys(`${harness.redisPrefix}:dashboard:session:*`)).toEqual(before);
  });

  it('signs in with the admin key: an httpOnly SameSite cookie whose session, stored hashed, reads the API on every replica', async () => {
    const signedIn = await signIn(harness.adminKey);
    expect(signedIn.status).toBe(201);
    const session = signedIn.body as SessionAnswer;
    expect(session.csrf_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const line = signedIn.setCookie.find((l) => l.startsWith('aegis_dashboard_session=')) ?? '';
    expect(line).toMatch(/; HttpOnly/i);
    expect(line).toMatch(/; SameSite=Strict/i);
    expect(line).toMatch(/; Path=\//);
    const cookie = signedIn.cookie ?? '';
    const token = cookie.split('=')[1] ?? '';
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Only the token's hash is a key, and neither the token nor the admin key is in the value.
    const stored = await redis.get(
      `${harness.redisPrefix}:dashboard:session:${createHash('sha256').update(token).digest('hex')}`,
    );
    expect(stored).not.toBeNull();
    expect(stored).not.toContain(token);
    expect(stored).not.toContain(harness.adminKey);
    for (const via of harness.replicas) {
      const customers = await withCookie(cookie, 'GET', PUBLIC_API_PATHS.customers, { via });
      expect(customers.status).toBe(200);
      expect((customers.body as ListV1<CustomerResourceV1>).object).toBe('list');
      const current = await withCookie(cookie, 'GET', '/dashboard/session', { via });
      expect((current.body as SessionAnswer).csrf_token).toBe(session.csrf_token);
    }
    // A cookie that was never issued is not a session.
    const forged = await withCookie(
      `aegis_dashboard_session=${'A'.repeat(43)}`,
      'GET',
      PUBLIC_API_PATHS.customers,
    );
    expect(forged.status).toBe(401);
  });

  it('never takes a cookie alone for a write: the CSRF token and the gateway’s own Origin are both needed', async () => {
    const signedIn = await signIn(harness.adminKey);
    const { csrf_token: csrfToken } = signedIn.body as SessionAnswer;
    const cookie = signedIn.cookie ?? '';
    const id = `cust_dash_${Date.now()}`;
    const body = { id, email: 'dash@example.com' };
    const bare = await withCookie(cookie, 'POST', PUBLIC_API_PATHS.customers, {
      body,
      headers: { origin: originOf() },
    });
    expect(bare.status).toBe(403);
    expect((bare.body as ProblemV1).code).toBe('csrf_rejected');
    const foreign = await withCookie(cookie, 'POST', PUBLIC_API_PATHS.customers, {
      body,
      headers: { origin: 'http://evil.example', 'x-csrf-token': csrfToken },
    });
    expect(foreign.status).toBe(403);
    const noOrigin = await withCookie(cookie, 'POST', PUBLIC_API_PATHS.customers, {
      body,
      headers: { 'x-csrf-token': csrfToken },
    });
    expect(noOrigin.status).toBe(403);
    // Nothing was written by the refused ones.
    expect((await harness.request('GET', PUBLIC_API_PATHS.customer(id))).status).toBe(404);
    const made = await withCookie(cookie, 'POST', PUBLIC_API_PATHS.customers, {
      body,
      headers: { origin: originOf(), 'x-csrf-token': csrfToken },
    });
    expect(made.status).toBe(201);
    expect((made.body as CustomerResourceV1).id).toBe(id);
  });

  it('ends with sign-out on every replica, and is worth nothing to a gateway whose admin key changed', async () => {
    const signedIn = await signIn(harness.adminKey);
    const { csrf_token: csrfToken } = signedIn.body as SessionAnswer;
    const cookie = signedIn.cookie ?? '';
    // The same Redis, another admin key in force (the old one revoked by rotation).
    const rotated = await harness.startReplica({
      AEGIS_ADMIN_KEY: `rotated_${'x'.repeat(40)}`,
    });
    expect(
      (await withCookie(cookie, 'GET', PUBLIC_API_PATHS.customers, { via: rotated })).status,
    ).toBe(401);
    await rotated.stop();
    // That gateway dropped the session as invalid: the old key's gateways no longer find it either.
    expect((await withCookie(cookie, 'GET', PUBLIC_API_PATHS.customers)).status).toBe(401);

    const again = await signIn(harness.adminKey);
    const againCookie = again.cookie ?? '';
    const againCsrf = (again.body as SessionAnswer).csrf_token;
    expect(againCsrf).not.toBe(csrfToken);
    const withoutToken = await fetch(`${harness.gateway.url}/dashboard/session/delete`, {
      method: 'POST',
      headers: { cookie: againCookie, origin: originOf() },
    });
    expect(withoutToken.status).toBe(403);
    const signOut = await fetch(`${harness.gateway.url}/dashboard/session/delete`, {
      method: 'POST',
      headers: { cookie: againCookie, origin: originOf(), 'x-csrf-token': againCsrf },
    });
    expect(signOut.status).toBe(204);
    expect(signOut.headers.getSetCookie().join('\n')).toMatch(/aegis_dashboard_session=;/);
    for (const via of harness.replicas)
      expect(
        (await withCookie(againCookie, 'GET', PUBLIC_API_PATHS.customers, { via })).status,
      ).toBe(401);
    // The key still works as it always did.
    expect((await harness.request('GET', PUBLIC_API_PATHS.customers)).status).toBe(200);
  });
});
