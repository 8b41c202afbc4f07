import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rejectionOf, sandboxStripe } from '@aegis/testing';
import Stripe from 'stripe';
import { startSandbox, type RunningSandbox } from './sandbox-harness.js';

const LIMIT = 5;

const RATE_LIMIT_BODY = {
  error: {
    type: 'invalid_request_error',
    code: 'rate_limit',
    message:
      'Testmode request rate limit exceeded, the rate limits in testmode are lower than livemode. You can learn more about rate limits here https://stripe.com/docs/rate-limits.',
    doc_url: 'https://stripe.com/docs/error-codes/rate-limit',
  },
};

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Sends `count` requests at once; answers how many passed and the errors of the others. */
async function burst(
  count: number,
  request: (index: number) => Promise<unknown>,
): Promise<{ passed: number; errors: unknown[] }> {
  const settled = await Promise.allSettled(Array.from({ length: count }, (_, i) => request(i)));
  return {
    passed: settled.filter((outcome) => outcome.status === 'fulfilled').length,
    errors: settled.flatMap((outcome) =>
      outcome.status === 'rejected' ? [outcome.reason as unknown] : [],
    ),
  };
}

/** A pass-through to `port` that counts the requests it forwards: what reached the API. */
async function countingProxy(
  port: number,
): Promise<{ port: number; count: () => number; close: () => Promise<void> }> {
  let forwarded = 0;
  const proxy = createServer((incoming, outgoing) => {
    forwarded += 1;
    const upstream = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: incoming.url,
        method: incoming.method,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    port: (proxy.address() as AddressInfo).port,
    count: () => forwarded,
    close: () => new Promise<void>((resolve) => proxy.close(() => resolve())),
  };
}

/** A refill of the whole bucket: a second, and some. */
const REFILL_MS = 1_200;

describe('sandbox without SANDBOX_RATE_LIMIT_PER_SECOND', () => {
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    delete process.env.SANDBOX_RATE_LIMIT_PER_SECOND;
    sandbox = await startSandbox();
  });

  afterAll(() => sandbox.stop());

  it('answers every request of a burst: no limit unless one is set', async () => {
    const { passed, errors } = await burst(60, () => sandbox.stripe.customers.list({ limit: 1 }));
    expect(errors).toStrictEqual([]);
    expect(passed).toBe(60);
  });
});

describe(`sandbox with SANDBOX_RATE_LIMIT_PER_SECOND=${LIMIT}`, () => {
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ SANDBOX_RATE_LIMIT_PER_SECOND: String(LIMIT) });
  });

  afterAll(async () => {
    delete process.env.SANDBOX_RATE_LIMIT_PER_SECOND;
    await sandbox.stop();
  });

  it("answers a burst beyond the limit with Stripe's 429, which the SDK raises as StripeRateLimitError", async () => {
    await sleep(REFILL_MS);
    const { passed, errors } = await burst(3 * LIMIT, () =>
      sandbox.stripe.customers.list({ limit: 1 }),
    );
    // The full bucket, and at most what refills while the burst is answered.
    expect(passed).toBeGreaterThanOrEqual(LIMIT);
    expect(passed).toBeLessThanOrEqual(LIMIT + 2);
    expect(errors.length).toBe(3 * LIMIT - passed);
    for (const error of errors) {
      expect(error).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
      const limited = error as Stripe.errors.StripeRateLimitError;
      expect(limited.statusCode).toBe(429);
      expect(limited.code).toBe('rate_limit');
      expect(limited.raw).toMatchObject({ type: 'invalid_request_error' });
      expect(limited.doc_url).toBe('https://stripe.com/docs/error-codes/rate-limit');
      expect(limited.requestId).toMatch(/^req_/);
    }
  });

  it("sends exactly Stripe's body and lets requests through again once the bucket refilled", async () => {
    await sleep(REFILL_MS);
    const answers = await Promise.all(
      Array.from({ length: 2 * LIMIT }, () =>
        fetch(`${sandbox.url}/v1/customers?limit=1`, {
          headers: { authorization: 'Bearer sk_test_sandbox' },
        }),
      ),
    );
    const refused = answers.filter((answer) => answer.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(LIMIT - 2);
    const [first] = refused;
    if (first === undefined) throw new Error('no request was refused');
    expect(first.headers.get('content-type')).toMatch(/^application\/json/);
    expect(first.headers.get('request-id')).toMatch(/^req_/);
    expect(await first.json()).toStrictEqual(RATE_LIMIT_BODY);

    await sleep(REFILL_MS);
    const { passed } = await burst(LIMIT, () => sandbox.stripe.customers.list({ limit: 1 }));
    expect(passed).toBe(LIMIT);
  });

  it('changes nothing for a refused request', async () => {
    await sleep(REFILL_MS);
    const marker = `limited-${Date.now()}`;
    const { passed } = await burst(3 * LIMIT, (index) =>
      sandbox.stripe.customers.create({ email: `${marker}-${index}@example.com` }),
    );
    expect(passed).toBeLessThan(3 * LIMIT);
    await sleep(REFILL_MS);
    const created = await sandbox.stripe.customers.list({ limit: 100 });
    const ours = created.data.filter((customer) => customer.email?.startsWith(marker) === true);
    expect(ours.length).toBe(passed);
  });

  it('limits only the API: the hosted pages and /_sandbox stay reachable', async () => {
    await sleep(REFILL_MS);
    await burst(3 * LIMIT, () => sandbox.stripe.customers.list({ limit: 1 }));
    const dashboard = await fetch(`${sandbox.url}/_sandbox`);
    expect(dashboard.status).toBe(200);
    const missingInvoice = await fetch(`${sandbox.url}/invoice/test_none`);
    expect(missingInvoice.status).toBe(404);
  });

  it('is not retried by the SDK (stripe-node) even with maxNetworkRetries: the 429 surfaces at once', async () => {
    const proxy = await countingProxy(Number(new URL(sandbox.url).port));
    try {
      const retrying = sandboxStripe(proxy.port, 'sk_test_sandbox', { maxNetworkRetries: 2 });
      await sleep(REFILL_MS);
      await burst(3 * LIMIT, () => sandbox.stripe.customers.list({ limit: 1 }));
      const error = await rejectionOf(
        retrying.customers.list({ limit: 1 }),
        Stripe.errors.StripeRateLimitError,
      );
      expect(error.statusCode).toBe(429);
      expect(proxy.count()).toBe(1);
    } finally {
      await proxy.close();
    }
  });
});

describe('the stripe SDK and a 429 that says Stripe-Should-Retry: true', () => {
  let server: Server;
  let requests = 0;

  beforeAll(async () => {
    // A stand-in for the API: a 429 asking for a retry, then the answer.
    server = createServer((request, response) => {
      requests += 1;
      if (requests === 1) {
        response
          .writeHead(429, { 'content-type': 'application/json', 'stripe-should-retry': 'true' })
          .end(JSON.stringify(RATE_LIMIT_BODY));
        return;
      }
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ object: 'list', data: [], has_more: false, url: '/v1/customers' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('retries it: only that header, not the 429 itself, makes the SDK retry', async () => {
    const { port } = server.address() as AddressInfo;
    const retrying = sandboxStripe(port, 'sk_test_sandbox', { maxNetworkRetries: 1 });
    const list = await retrying.customers.list();
    expect(list.data).toStrictEqual([]);
    expect(requests).toBe(2);
  });
});
