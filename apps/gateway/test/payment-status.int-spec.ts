import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEFAULT_STRIPE_WEBHOOK_SECRET } from '@aegis/config';
import {
  PUBLIC_API_PATHS,
  TRANSACTION_STATUSES,
  type CustomerResourceV1,
  type ListV1,
  type PaymentStatusResourceV1,
  type ProblemV1,
} from '@aegis/contracts';
import { defined, waitFor } from '@aegis/testing';
import Stripe from 'stripe';
import { GatewayHarness, type ApiAnswer } from './gateway-harness.js';

/** Short enough for a test: the breaker opens after 3 failed writes and tries again 15 s later (the sandbox restarts within it). */
const BREAKER_RESET_MS = 15_000;
const BREAKER_VOLUME = 3;

describe('GET /api/v1/payment/status, and Stripe going away behind the breaker', () => {
  let harness: GatewayHarness;

  const status = () =>
    harness.request<PaymentStatusResourceV1>('GET', PUBLIC_API_PATHS.paymentStatus);

  const createCustomer = (email: string): Promise<ApiAnswer<CustomerResourceV1 & ProblemV1>> =>
    harness.request<CustomerResourceV1 & ProblemV1>('POST', PUBLIC_API_PATHS.customers, {
      body: { email },
    });

  const email = () => `status-${randomBytes(4).toString('hex')}@example.com`;

  /** Whether the sandbox holds a customer with the address: whether a creation reached Stripe. */
  const reachedStripe = async (address: string): Promise<boolean> =>
    (await harness.stripe.customers.list({ email: address, limit: 1 })).data.length > 0;

  beforeAll(async () => {
    harness = await GatewayHarness.start({
      replicas: 1,
      withIngest: true,
      billingEnv: {
        STRIPE_BREAKER_RESET_MS: String(BREAKER_RESET_MS),
        STRIPE_BREAKER_VOLUME_THRESHOLD: String(BREAKER_VOLUME),
        STRIPE_TIMEOUT_MS: '2000',
      },
    });
  });

  afterAll(async () => {
    await harness.stop();
  });

  it('answers an admin key with Stripe’s health in sandbox mode, the breaker closed and the ledger’s counts; others are 401 and 403', async () => {
    expect(
      (await harness.request('GET', PUBLIC_API_PATHS.paymentStatus, { key: null })).status,
    ).toBe(401);
    const customer = await harness.createCustomer();
    const key = await harness.createKey(customer.id, { scopes: ['invoices:read'] });
    expect(
      (await harness.request('GET', PUBLIC_API_PATHS.paymentStatus, { key: key.key })).status,
    ).toBe(403);

    const answer = await status();
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      object: 'payment_status',
      provider: 'stripe',
      reachable: true,
      mode: 'sandbox',
      circuit: 'closed',
      provider_error: null,
      transactions: {
        total: 0,
        by_status: Object.fromEntries(TRANSACTION_STATUSES.map((name) => [name, 0])),
      },
      revenue: {},
    });
    expect(answer.body.latency_ms).toBeGreaterThanOrEqual(0);
    // This stack runs no subscriptions service: the count is missing, and says why.
    expect(answer.body.active_subscriptions).toBeNull();
    expect(answer.body.subscriptions_error).toMatch(/subscriptions/);
    expect(Date.parse(answer.body.checked_at)).not.toBeNaN();
  });

  it('is described in the OpenAPI document, its revenue entries by their schema', async () => {
    const openapi = await harness.request<{
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    }>('GET', PUBLIC_API_PATHS.openapi, { key: null });
    expect(Object.keys(openapi.body.paths[PUBLIC_API_PATHS.paymentStatus] ?? {})).toEqual(['get']);
    const schemas = openapi.body.components.schemas;
    expect(Object.keys(schemas.PaymentStatusResource?.properties ?? {})).toEqual(
      expect.arrayContaining(['reachable', 'latency_ms', 'mode', 'circuit', 'revenue']),
    );
    expect(Object.keys(schemas.CurrencyRevenueResource?.properties ?? {})).toEqual([
      'gross_cents',
      'refunded_cents',
      'disputed_cents',
      'dispute_fees_cents',
      'net_cents',
      'transaction_count',
    ]);
  });

  it('counts a payment that reached the ledger through Stripe’s webhooks, with its revenue', async () => {
    const customer = await harness.createCustomer();
    await harness.stripe.paymentIntents.create({
      amount: 2500,
      currency: 'usd',
      customer: customer.stripe_customer_id,
      payment_method: 'pm_card_visa',
      confirm: true,
      allowed_payment_method_types: ['card'],
    });
    const answer = await waitFor(
      () => status(),
      (reply) => reply.body.transactions.by_status.succeeded === 1,
      { what: 'the payment in the status', timeoutMs: 20_000 },
    );
    expect(answer.body.transactions.total).toBe(1);
    expect(answer.body.revenue).toStrictEqual({
      usd: {
        gross_cents: 2500,
        refunded_cents: 0,
        disputed_cents: 0,
        dispute_fees_cents: 0,
        net_cents: 2500,
        transaction_count: 1,
      },
    });
  });

  it('Stripe stopped: writes are 503, then refused at once by the open breaker without reaching Stripe; reads and webhook ingest go on; back, the breaker closes by itself and writes succeed', async () => {
    const before = await harness.createCustomer();
    await harness.stopSandbox();

    // Stripe is down: the status still answers, and says so.
    const down = await status();
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({ reachable: false, mode: 'sandbox', circuit: 'closed' });
    expect(down.body.provider_error).not.toBeNull();

    // Each write finds Stripe unreachable (503) until the breaker has seen enough of them
    // (at least BREAKER_VOLUME calls in its window, half of them failed: the earlier successes count).
    let failures = 0;
    while ((await status()).body.circuit !== 'open') {
      expect(failures).toBeLessThan(3 * BREAKER_VOLUME);
      const failed = await createCustomer(email());
      expect(failed.status).toBe(503);
      expect(failed.body).toMatchObject({ code: 'stripe_unavailable' });
      expect(failed.body.detail).toMatch(/^Stripe is unavailable/);
      failures += 1;
    }
    expect(failures).toBeGreaterThanOrEqual(BREAKER_VOLUME);

    // Stripe is back, but the breaker is open: a write is refused at once and never reaches Stripe.
    await harness.startSandbox();
    expect((await status()).body).toMatchObject({ reachable: true, circuit: 'open' });
    const address = email();
    const started = performance.now();
    const refused = await createCustomer(address);
    const tookMs = performance.now() - started;
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ code: 'stripe_unavailable', status: 503 });
    expect(refused.body.detail).toMatch(/breaker/);
    expect(await reachedStripe(address)).toBe(false);
    // Generous: the point is that it did not wait for Stripe (a failing write takes seconds).
    expect(tookMs).toBeLessThan(1_500);

    // A product is a Stripe write too: refused the same way, and nothing of it is kept.
    const productId = `status_product_${randomBytes(3).toString('hex')}`;
    const product = await harness.request<ProblemV1>('POST', PUBLIC_API_PATHS.products, {
      body: {
        id: productId,
        name: 'Report',
        pricing_type: 'outcome',
        base_price_cents: 99_900,
        currency: 'usd',
      },
    });
    expect(product.status).toBe(503);
    expect(product.body).toMatchObject({ code: 'stripe_unavailable' });
    expect(product.body.detail).toMatch(/breaker/);
    expect((await harness.request('GET', PUBLIC_API_PATHS.product(productId))).status).toBe(404);

    // Reads from our own tables keep working.
    const list = await harness.request<ListV1<CustomerResourceV1>>(
      'GET',
      PUBLIC_API_PATHS.customers,
    );
    expect(list.status).toBe(200);
    expect(list.body.data.map((customer) => customer.id)).toContain(before.id);
    const one = await harness.request<CustomerResourceV1>(
      'GET',
      PUBLIC_API_PATHS.customer(before.id),
    );
    expect(one.status).toBe(200);

    // Webhook ingest takes Stripe's events as ever.
    const event = {
      id: `evt_status_${randomBytes(6).toString('hex')}`,
      object: 'event',
      api_version: '2025-09-30.clover',
      created: Math.floor(Date.now() / 1000),
      type: 'product.created',
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      data: { object: { id: 'prod_status', object: 'product' } },
    };
    const payload = JSON.stringify(event);
    const ingest = defined(harness.ingest, 'webhook-ingest');
    const delivered = await fetch(`${ingest.url}/webhooks/stripe`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': Stripe.webhooks.generateTestHeaderString({
          payload,
          secret: DEFAULT_STRIPE_WEBHOOK_SECRET,
        }),
      },
      body: payload,
    });
    expect(delivered.status).toBe(200);
    const receipt = await harness.request('GET', PUBLIC_API_PATHS.stripeEvent(event.id));
    expect(receipt.status).toBe(200);

    // Nobody closes it: after its reset time it asks Stripe by itself (GET /v1/balance), and closes.
    await waitFor(
      async () => (await status()).body.circuit,
      (circuit) => circuit === 'closed',
      { what: 'the breaker to close by itself', timeoutMs: BREAKER_RESET_MS + 10_000 },
    );
    const back = email();
    const created = await createCustomer(back);
    expect(created.status).toBe(201);
    expect(await reachedStripe(back)).toBe(true);
    expect((await status()).body).toMatchObject({ reachable: true, circuit: 'closed' });
  });
});
