import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  IDEMPOTENT_REPLAYED_HEADER,
  PUBLIC_API_PATHS,
  type ApiKeyResourceV1,
  type AuditLogEntryV1,
  type CreatedApiKeyV1,
  type CustomerResourceV1,
  type ListV1,
  type ProblemV1,
  type VerifyResultV1,
} from '@aegis/contracts';
import { waitFor } from '@aegis/testing';
import { GatewayHarness } from './gateway-harness.js';

let harness: GatewayHarness;

beforeAll(async () => {
  harness = await GatewayHarness.start();
});

afterAll(async () => {
  await harness.stop();
});

const verify = (key: string, extra: Record<string, unknown> = {}) =>
  harness.request<VerifyResultV1>('POST', PUBLIC_API_PATHS.verifyApiKey, {
    body: { key, ...extra },
  });

describe('customers', () => {
  it('gets or creates by the operator’s id, making one Stripe customer with the id in its metadata', async () => {
    const id = `cust_gw_${Date.now()}`;
    const first = await harness.request<CustomerResourceV1>('POST', PUBLIC_API_PATHS.customers, {
      body: { id, email: 'ada@example.com', name: 'Ada', metadata: { plan: 'pro' } },
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      id,
      email: 'ada@example.com',
      name: 'Ada',
      metadata: { plan: 'pro' },
    });
    expect(first.body.stripe_customer_id).toMatch(/^cus_/);
    expect(Date.parse(first.body.created_at)).not.toBeNaN();
    expect(first.body.metadata).toEqual({ plan: 'pro' });
    const again = await harness.request<CustomerResourceV1>('POST', PUBLIC_API_PATHS.customers, {
      body: { id, email: 'ada@example.com' },
    });
    expect(again.status).toBe(200);
    expect(again.body.stripe_customer_id).toBe(first.body.stripe_customer_id);
    const stripeCustomer = await harness.stripe.customers.retrieve(first.body.stripe_customer_id);
    expect(stripeCustomer.deleted).toBeFalsy();
    expect(
      (stripeCustomer as { metadata: Record<string, string> }).metadata.aegis_customer_id,
    ).toBe(id);
    const shown = await harness.request<CustomerResourceV1>('GET', PUBLIC_API_PATHS.customer(id));
    expect(shown.status).toBe(200);
    expect(shown.body).toEqual(first.body);
  });

  it('generates a cust_ id when none is given and lists customers newest first with cursors', async () => {
    const older = await harness.createCustomer();
    const newer = await harness.createCustomer();
    expect(older.id).toMatch(/^cust_/);
    const page = await harness.request<ListV1<CustomerResourceV1>>(
      'GET',
      `${PUBLIC_API_PATHS.customers}?limit=1`,
    );
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ object: 'list', has_more: true });
    expect(page.body.data.map((customer) => customer.id)).toEqual([newer.id]);
    const next = await harness.request<ListV1<CustomerResourceV1>>(
      'GET',
      `${PUBLIC_API_PATHS.customers}?limit=1&starting_after=${newer.id}`,
    );
    expect(next.body.data.map((customer) => customer.id)).toEqual([older.id]);
    const badCursor = await harness.request<ProblemV1>(
      'GET',
      `${PUBLIC_API_PATHS.customers}?starting_after=cust_nope`,
    );
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.errors?.map((error) => error.field)).toEqual(['starting_after']);
  });

  it('answers bad input with a problem naming each field, and writes nothing', async () => {
    const before = await harness.request<ListV1<CustomerResourceV1>>(
      'GET',
      `${PUBLIC_API_PATHS.customers}?limit=100`,
    );
    const answer = await harness.request<ProblemV1>('POST', PUBLIC_API_PATHS.customers, {
      body: { id: 'no spaces allowed', email: 'not-an-email', colour: 'red' },
    });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.body).toMatchObject({ status: 400, title: 'Invalid request' });
    expect(answer.body.errors?.map((error) => error.field).sort()).toEqual([
      'colour',
      'email',
      'id',
    ]);
    const limit = await harness.request<ProblemV1>(
      'GET',
      `${PUBLIC_API_PATHS.customers}?limit=101`,
    );
    expect(limit.status).toBe(400);
    expect(limit.body.errors?.map((error) => error.field)).toEqual(['limit']);
    const after = await harness.request<ListV1<CustomerResourceV1>>(
      'GET',
      `${PUBLIC_API_PATHS.customers}?limit=100`,
    );
    expect(after.body.data).toEqual(before.body.data);
  });
});

describe('keys and auth', () => {
  it('shows a key once, lists it without its secret, and lets it see only its own customer', async () => {
    const customer = await harness.createCustomer();
    const other = await harness.createCustomer();
    const created = await harness.createKey(customer.id, {
      name: 'server',
      scopes: ['intel:read'],
    });
    expect(created.key).toMatch(/^ak_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(created.prefix)).toBe(true);
    expect(created).toMatchObject({
      customer_id: customer.id,
      name: 'server',
      scopes: ['intel:read'],
    });
    expect(created.rate_limit).toEqual({ requests: 100, per_seconds: 1 });
    const listed = await harness.request<ListV1<ApiKeyResourceV1>>(
      'GET',
      PUBLIC_API_PATHS.customerApiKeys(customer.id),
    );
    expect(listed.body.data.map((key) => key.id)).toEqual([created.id]);
    expect(JSON.stringify(listed.body)).not.toContain(created.key);
    expect(listed.body.data[0]).not.toHaveProperty('key');

    const own = await harness.request<CustomerResourceV1>(
      'GET',
      PUBLIC_API_PATHS.customer(customer.id),
      { key: created.key },
    );
    expect(own.status).toBe(200);
    const othersAnswer = await harness.request<ProblemV1>(
      'GET',
      PUBLIC_API_PATHS.customer(other.id),
      { key: created.key },
    );
    const missingAnswer = await harness.request<ProblemV1>(
      'GET',
      PUBLIC_API_PATHS.customer('cust_never_made'),
      {
        key: created.key,
      },
    );
    expect(othersAnswer.status).toBe(404);
    expect(missingAnswer.status).toBe(404);
    expect({ ...othersAnswer.body, detail: undefined }).toEqual({
      ...missingAnswer.body,
      detail: undefined,
    });
    const adminMissing = await harness.request<ProblemV1>(
      'GET',
      PUBLIC_API_PATHS.customer('cust_never_made'),
    );
    expect(adminMissing.body).toEqual(missingAnswer.body);
    const othersKeys = await harness.request('GET', PUBLIC_API_PATHS.customerApiKeys(other.id), {
      key: created.key,
    });
    expect(othersKeys.status).toBe(404);
    const list = await harness.request<ListV1<CustomerResourceV1>>(
      'GET',
      PUBLIC_API_PATHS.customers,
      { key: created.key },
    );
    expect(list.body.data.map((entry) => entry.id)).toEqual([customer.id]);
  });

  it('answers 401 without a valid key and 403 for a customer key on an admin route', async () => {
    const none = await harness.request<ProblemV1>('GET', PUBLIC_API_PATHS.customers, { key: null });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    const wrong = await harness.request('GET', PUBLIC_API_PATHS.customers, {
      key: 'ak_not_a_real_key',
    });
    expect(wrong.status).toBe(401);
    const customer = await harness.createCustomer();
    const key = await harness.createKey(customer.id);
    const forbidden = await harness.request<ProblemV1>(
      'POST',
      PUBLIC_API_PATHS.customerApiKeys(customer.id),
      {
        key: key.key,
        body: { name: 'self-made', scopes: [] },
      },
    );
    expect(forbidden.status).toBe(403);
    const audit = await harness.request('GET', PUBLIC_API_PATHS.auditLog, { key: key.key });
    expect(audit.status).toBe(403);
  });

  it('revokes a key on every replica within a second', async () => {
    const customer = await harness.createCustomer();
    const key = await harness.createKey(customer.id);
    const [first, second] = harness.replicas;
    for (const replica of [first, second])
      expect(
        (
          await harness.request('GET', PUBLIC_API_PATHS.customer(customer.id), {
            key: key.key,
            via: replica,
          })
        ).status,
      ).toBe(200);
    const revoked = await harness.request<ApiKeyResourceV1>(
      'POST',
      PUBLIC_API_PATHS.revokeApiKey(key.id),
      { via: first },
    );
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).not.toBeNull();
    const revokedAt = Date.now();
    const refusedBySecond = await waitFor(
      async () =>
        (
          await harness.request('GET', PUBLIC_API_PATHS.customer(customer.id), {
            key: key.key,
            via: second,
          })
        ).status,
      (status) => status === 401,
      { timeoutMs: 1_000, intervalMs: 20, what: 'the second replica to refuse the revoked key' },
    );
    expect(refusedBySecond).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThan(1_000);
    expect((await verify(key.key)).body).toEqual({ valid: false, reason: 'revoked' });
  });

  it('rolls a key: the new one works at once, the old one for the grace period only', async () => {
    const customer = await harness.createCustomer();
    const old = await harness.createKey(customer.id, {
      scopes: ['a:read'],
      rate_limit: { requests: 50, per_seconds: 10 },
    });
    const rolled = await harness.request<CreatedApiKeyV1>(
      'POST',
      PUBLIC_API_PATHS.rollApiKey(old.id),
      {
        body: { expires_in_seconds: 2 },
      },
    );
    expect(rolled.status).toBe(201);
    harness.issuedSecrets.push(rolled.body.key);
    expect(rolled.body).toMatchObject({
      customer_id: customer.id,
      scopes: ['a:read'],
      rate_limit: { requests: 50, per_seconds: 10 },
      rolled_from: old.id,
    });
    expect(rolled.body.key).not.toBe(old.key);
    expect((await verify(rolled.body.key)).body).toMatchObject({
      valid: true,
      customer_id: customer.id,
    });
    expect((await verify(old.key)).body).toMatchObject({ valid: true });
    await waitFor(
      async () => (await verify(old.key)).body,
      (result) => !result.valid,
      { timeoutMs: 5_000, intervalMs: 200, what: 'the old key’s grace period to end' },
    );
    expect((await verify(old.key)).body).toEqual({ valid: false, reason: 'expired' });
    expect((await verify(rolled.body.key)).body).toMatchObject({ valid: true });
    const again = await harness.request<ProblemV1>('POST', PUBLIC_API_PATHS.rollApiKey(old.id), {
      body: {},
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('api_key_inactive');
  });

  it('refuses a key past its expires_at, and an expires_at in the past', async () => {
    const customer = await harness.createCustomer();
    const key = await harness.createKey(customer.id, {
      expires_at: new Date(Date.now() + 1_500).toISOString(),
    });
    expect((await verify(key.key)).body).toMatchObject({ valid: true });
    await waitFor(
      async () =>
        (await harness.request('GET', PUBLIC_API_PATHS.customer(customer.id), { key: key.key }))
          .status,
      (status) => status === 401,
      { timeoutMs: 5_000, intervalMs: 200, what: 'the key to expire' },
    );
    expect((await verify(key.key)).body).toEqual({ valid: false, reason: 'expired' });
    const past = await harness.request<ProblemV1>(
      'POST',
      PUBLIC_API_PATHS.customerApiKeys(customer.id),
      {
        body: { name: 'late', scopes: [], expires_at: new Date(Date.now() - 1_000).toISOString() },
      },
    );
    expect(past.status).toBe(400);
    expect(past.body.errors?.map((error) => error.field)).toEqual(['expires_at']);
  });

  it('rate-limits a key across both replicas, with RateLimit-* and Retry-After', async () => {
    const customer = await harness.createCustomer();
    const key = await harness.createKey(customer.id, {
      rate_limit: { requests: 3, per_seconds: 60 },
    });
    const [first, second] = harness.replicas;
    const statuses: number[] = [];
    for (const replica of [first, second, first]) {
      const answer = await harness.request('GET', PUBLIC_API_PATHS.customer(customer.id), {
        key: key.key,
        via: replica,
      });
      statuses.push(answer.status);
      expect(answer.headers.get('ratelimit-limit')).toBe('3');
    }
    expect(statuses).toEqual([200, 200, 200]);
    const limited = await harness.request<ProblemV1>(
      'GET',
      PUBLIC_API_PATHS.customer(customer.id),
      {
        key: key.key,
        via: second,
      },
    );
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect((await verify(key.key)).body).toMatchObject({ valid: false, reason: 'rate_limited' });
  });
});

describe('verify', () => {
  it('says why a key is not valid: unknown, scope_missing', async () => {
    expect((await verify('ak_unknown')).body).toEqual({ valid: false, reason: 'unknown' });
    const customer = await harness.createCustomer();
    const key = await harness.createKey(customer.id, { scopes: ['intel:read'] });
    expect((await verify(key.key, { scope: 'intel:write' })).body).toEqual({
      valid: false,
      reason: 'scope_missing',
    });
    const valid = await verify(key.key, { scope: 'intel:read' });
    expect(valid.status).toBe(200);
    expect(valid.body).toMatchObject({
      valid: true,
      key_id: key.id,
      customer_id: customer.id,
      scopes: ['intel:read'],
    });
    if (!valid.body.valid) throw new Error('expected a valid key');
    expect(valid.body.rate_limit.limit).toBe(100);
    expect(valid.body.rate_limit.remaining).toBeLessThan(100);
    expect(valid.body).not.toHaveProperty('usage_event_id');
    const asCustomer = await harness.request('POST', PUBLIC_API_PATHS.verifyApiKey, {
      key: key.key,
      body: { key: key.key },
    });
    expect(asCustomer.status).toBe(403);
  });

  it('meters the call with usage: one durable usage event per call, stored once by metering', async () => {
    const customer = await harness.createCustomer();
    const key = await harness.createKey(customer.id);
    const answers = await Promise.all(
      [1, 2, 3].map(() =>
        verify(key.key, {
          usage: { product_id: 'api_call', quantity: 2, metadata: { endpoint: '/intel' } },
        }),
      ),
    );
    const ids = answers.map((answer) =>
      answer.body.valid ? answer.body.usage_event_id : undefined,
    );
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const rows = await waitFor(
      () =>
        harness.sql.query<
          { event_id: string; quantity: string; meter: string; customer_id: string }[]
        >(
          `SELECT "id" AS "event_id", "quantity", "product_id" AS "meter", "customer_id" FROM "metering"."usage_events" WHERE "customer_id" = $1`,
          [customer.id],
        ),
      (found) => found.length >= 3,
      { timeoutMs: 10_000, what: 'metering to store the usage' },
    );
    expect(rows.map((row) => row.event_id).sort()).toEqual([...ids].sort());
    expect(rows.every((row) => row.meter === 'api_call' && row.quantity === '2')).toBe(true);
    const invalid = await verify(key.key, { usage: { product_id: 'api_call', quantity: 0 } });
    expect(invalid.status).toBe(400);
    expect((invalid.body as unknown as ProblemV1).errors?.map((error) => error.field)).toEqual([
      'usage.quantity',
    ]);
  });

  it('meters fractional quantities exactly, as a number or as decimal text', async () => {
    const customer = await harness.createCustomer();
    const key = await harness.createKey(customer.id);
    const answers = await Promise.all(
      [1.5, '0.000000000001'].map((quantity) =>
        verify(key.key, { usage: { product_id: 'hours', quantity } }),
      ),
    );
    expect(answers.map((answer) => answer.body.valid)).toEqual([true, true]);
    const rows = await waitFor(
      () =>
        harness.sql.query<{ quantity: string }[]>(
          `SELECT "quantity" FROM "metering"."usage_events" WHERE "customer_id" = $1 ORDER BY "quantity"`,
          [customer.id],
        ),
      (found) => found.length >= 2,
      { timeoutMs: 10_000, what: 'metering to store the usage' },
    );
    expect(rows.map((row) => row.quantity)).toEqual(['0.000000000001', '1.5']);
    for (const quantity of [0.1 + 0.2, '1.0000000000001', -1]) {
      const refused = await verify(key.key, { usage: { product_id: 'hours', quantity } });
      expect(refused.status).toBe(400);
    }
  });

  it('records no usage for a key that is not valid', async () => {
    const before = await harness.sql.query<{ count: string }[]>(
      `SELECT count(*) FROM "gateway"."outbox"`,
    );
    const answer = await verify('ak_unknown', { usage: { product_id: 'api_call', quantity: 1 } });
    expect(answer.body).toEqual({ valid: false, reason: 'unknown' });
    const after = await harness.sql.query<{ count: string }[]>(
      `SELECT count(*) FROM "gateway"."outbox"`,
    );
    expect(after[0]?.count).toBe(before[0]?.count);
  });
});

describe('idempotency', () => {
  it('replays the first answer for the same key and body, 422 for another body', async () => {
    const customer = await harness.createCustomer();
    const headers = { 'idempotency-key': `idem-${Date.now()}` };
    const body = { name: 'once', scopes: [] };
    const first = await harness.request<CreatedApiKeyV1>(
      'POST',
      PUBLIC_API_PATHS.customerApiKeys(customer.id),
      { body, headers },
    );
    harness.issuedSecrets.push(first.body.key);
    expect(first.status).toBe(201);
    expect(first.headers.get(IDEMPOTENT_REPLAYED_HEADER)).toBeNull();
    const replay = await harness.request<CreatedApiKeyV1>(
      'POST',
      PUBLIC_API_PATHS.customerApiKeys(customer.id),
      {
        body,
        headers,
        via: harness.replicas[1],
      },
    );
    expect(replay.status).toBe(201);
    expect(replay.headers.get(IDEMPOTENT_REPLAYED_HEADER)).toBe('true');
    expect(replay.body).toEqual(first.body);
    const keys = await harness.request<ListV1<ApiKeyResourceV1>>(
      'GET',
      PUBLIC_API_PATHS.customerApiKeys(customer.id),
    );
    expect(keys.body.data).toHaveLength(1);
    const other = await harness.request<ProblemV1>(
      'POST',
      PUBLIC_API_PATHS.customerApiKeys(customer.id),
      {
        body: { name: 'twice', scopes: [] },
        headers,
      },
    );
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency_key_reused');
  });

  it('replays the first answer as it was sent, every object’s keys in their first order', async () => {
    const headers = { 'idempotency-key': `order-${Date.now()}` };
    const body = { email: 'order@example.com', metadata: { zeta: '1', alpha: '2', mid: '3' } };
    const first = await harness.request<CustomerResourceV1>('POST', PUBLIC_API_PATHS.customers, {
      body,
      headers,
    });
    expect(first.status).toBe(201);
    const replay = await harness.request<CustomerResourceV1>('POST', PUBLIC_API_PATHS.customers, {
      body,
      headers,
    });
    expect(replay.headers.get(IDEMPOTENT_REPLAYED_HEADER)).toBe('true');
    expect(JSON.stringify(replay.body)).toBe(JSON.stringify(first.body));
  });

  it('answers 409 while the first request under the key is still running', async () => {
    const customer = await harness.createCustomer();
    const path = PUBLIC_API_PATHS.customerApiKeys(customer.id);
    const body = JSON.stringify({ name: 'slow', scopes: [] });
    const fingerprint = createHash('sha256').update(`POST ${path}\n`).update(body).digest('hex');
    const adminKeyId = `admin_${createHash('sha256').update(harness.adminKey).digest().subarray(0, 6).toString('hex')}`;
    await harness.sql.query(
      `INSERT INTO "gateway"."idempotency_records"
         ("owner_key_id", "idempotency_key", "request_fingerprint", "state", "locked_at", "created_at", "expires_at")
       VALUES ($1, 'running-now', $2, 'in_flight', now(), now(), now() + interval '1 day')`,
      [adminKeyId, fingerprint],
    );
    const answer = await harness.request<ProblemV1>('POST', path, {
      body,
      headers: { 'idempotency-key': 'running-now' },
    });
    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe('idempotency_key_in_use');
  });

  it('keeps no record of a request that failed, so it can be retried', async () => {
    const headers = { 'idempotency-key': `fails-${Date.now()}` };
    const failed = await harness.request(
      'POST',
      PUBLIC_API_PATHS.customerApiKeys('cust_not_registered'),
      {
        body: { name: 'x', scopes: [] },
        headers,
      },
    );
    expect(failed.status).toBe(404);
    const rows = await harness.sql.query<unknown[]>(
      `SELECT 1 FROM "gateway"."idempotency_records" WHERE "idempotency_key" = $1`,
      [headers['idempotency-key']],
    );
    expect(rows).toHaveLength(0);
  });
});

describe('audit log', () => {
  it('records every admin change with the key, the target and the request id', async () => {
    const customer = await harness.createCustomer();
    const created = await harness.request<CreatedApiKeyV1>(
      'POST',
      PUBLIC_API_PATHS.customerApiKeys(customer.id),
      {
        body: { name: 'audited', scopes: [] },
      },
    );
    harness.issuedSecrets.push(created.body.key);
    const requestId = created.headers.get('x-correlation-id');
    await harness.request('POST', PUBLIC_API_PATHS.revokeApiKey(created.body.id));
    const log = await harness.request<ListV1<AuditLogEntryV1>>(
      'GET',
      `${PUBLIC_API_PATHS.auditLog}?limit=100`,
    );
    expect(log.status).toBe(200);
    const mine = log.body.data.filter(
      (entry) => entry.target === created.body.id || entry.target === customer.id,
    );
    expect(mine.map((entry) => entry.action)).toEqual([
      'api_key.revoke',
      'api_key.create',
      'customer.create',
    ]);
    expect(mine.every((entry) => /^admin_[0-9a-f]{12}$/.test(entry.key_id))).toBe(true);
    expect(mine.find((entry) => entry.action === 'api_key.create')?.request_id).toBe(requestId);
    expect(JSON.stringify(log.body)).not.toContain(harness.adminKey);
  });
});

describe('secrets', () => {
  it('never logs a key (scans every gateway process’s output of this run)', () => {
    const logs = harness.gatewayLogs();
    expect(logs.length).toBeGreaterThan(0);
    expect(harness.issuedSecrets.length).toBeGreaterThan(10);
    for (const secret of harness.issuedSecrets) expect(logs.includes(secret)).toBe(false);
  });
});
