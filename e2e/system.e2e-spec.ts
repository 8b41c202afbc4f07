import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RETRY_DELAYS_MS } from '@aegis/config';
import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, it, expect } from '@jest/globals';
import { promisify } from 'node:util';
import {
  DEV_ADMIN_KEY_FILE,
  PUBLIC_API_PATHS,
  SERVICE_NAMES,
  type CreatedApiKeyV1,
  type CustomerResourceV1,
  type InvoiceResourceV1,
  type CheckoutSessionResourceV1,
  type ChangeSubscriptionResultV1,
  type EntitlementsResourceV1,
  type SubscriptionResourceV1,
  type PaymentStatusResourceV1,
  type ListV1,
  type ProblemV1,
  type RefundResourceV1,
  type TransactionResourceV1,
  type BackfillRunResourceV1,
  type DisputeResourceV1,
  type DisputeDetailResourceV1,
  type FraudWarningResourceV1,
  type RecordUsageResultV1,
  type UsageSummaryV1,
  type VerifyResultV1,
  type ServiceName,
} from '@aegis/contracts';
import { topologyNames } from '@aegis/messaging';
import {
  baseAmqpUrl,
  createTestDatabase,
  createTestPrefix,
  deleteServiceTopologies,
  waitFor,
  type TestDatabase,
  compiledPath,
  defined,
  readinessOf,
  sandboxStripe,
} from '@aegis/testing';
import { connect } from 'amqplib';
import type Stripe from 'stripe';

const run = promisify(execFile);
const CONSUMING_SERVICES: ServiceName[] = [
  'gateway',
  'metering',
  'billing',
  'subscriptions',
  'disputes',
];
const startScript = compiledPath('tools/start.js');

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** What the public API answered: its status, its headers and its JSON body. */
interface ApiAnswer<T> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** The id of an expandable Stripe field that must be set. */
function idOfStripe(reference: string | { readonly id: string } | null): string {
  return typeof reference === 'string' ? reference : defined(reference, 'a Stripe id').id;
}

function portVariable(service: string): string {
  return `${service.toUpperCase().replaceAll('-', '_')}_PORT`;
}

/**
 * Stripe's address as the services see it under npm start (their STRIPE_API_URL): a TCP relay to
 * the sandbox that the test stops and starts again. npm start stops every app when one exits, so
 * the sandbox cannot be stopped alone; with the relay stopped nothing listens where the services
 * call Stripe (connections are refused, as with the sandbox down), and the sandbox still holds
 * its charges when Stripe comes back.
 */
class StripeRelay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly port: number,
    private readonly targetPort: () => number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = createServer((client) => {
      const upstream = createConnection(this.targetPort(), '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    this.server = server;
  }

  /** Stops listening and cuts every open connection. */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

describe('npm start: the whole system', () => {
  let database: TestDatabase;
  const prefix = createTestPrefix();
  const ports = new Map<ServiceName, number>();
  let stripeRelay: StripeRelay;
  let system: ChildProcess;
  let output = '';
  // npm start keeps its development admin key in the directory it runs in: a private one here.
  const workDirectory = mkdtempSync(join(tmpdir(), 'aegis-start-'));
  const inheritedEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => name !== 'AEGIS_ADMIN_KEY'),
  );

  beforeAll(async () => {
    database = await createTestDatabase();
    for (const service of SERVICE_NAMES) ports.set(service, await freePort());
    stripeRelay = new StripeRelay(await freePort(), () =>
      defined(ports.get('stripe-sandbox'), 'sandbox port'),
    );
    await stripeRelay.start();
    system = spawn(process.execPath, ['--enable-source-maps', startScript], {
      cwd: workDirectory,
      env: {
        ...inheritedEnv,
        REDIS_KEY_PREFIX: prefix,
        DATABASE_URL: database.url,
        AMQP_URL: baseAmqpUrl(),
        MESSAGING_PREFIX: prefix,
        LOG_LEVEL: 'warn',
        // Disputes: the GEOINT report's 99,900 is under the fraud warning refund limit, every
        // sandbox dispute (7 days to answer) is within the deadline window, and the sweep is quick.
        EFW_AUTO_REFUND_MAX_CENTS: '100000',
        DISPUTE_DEADLINE_WINDOW_HOURS: '240',
        DISPUTE_SWEEP_INTERVAL_MS: '1000',
        // npm start points the services at the sandbox unless told otherwise: through the relay.
        STRIPE_API_URL: stripeRelay.url,
        ...Object.fromEntries(
          [...ports].map(([service, port]) => [portVariable(service), String(port)]),
        ),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: afterAll can stop the services with it when a run ends early.
      detached: true,
    });
    system.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    system.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  });

  afterAll(async () => {
    if (system.exitCode === null && system.pid !== undefined) {
      // The start script and every service it started (a subset of the tests may end here).
      process.kill(-system.pid, 'SIGKILL');
      await once(system, 'exit');
    }
    await stripeRelay.stop();
    await deleteServiceTopologies(
      baseAmqpUrl(),
      SERVICE_NAMES.map((service) => topologyNames(prefix, service, DEFAULT_RETRY_DELAYS_MS)),
    );
    await database.drop();
    rmSync(workDirectory, { recursive: true, force: true });
  });

  const gatewayUrl = (): string =>
    `http://127.0.0.1:${defined(ports.get('gateway'), 'gateway port')}`;

  /** A call to the public API with npm start's development admin key: its status, headers and JSON body. */
  const call = async <T>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> => {
    const adminKey = readFileSync(join(workDirectory, DEV_ADMIN_KEY_FILE), 'utf8').trim();
    const response = await fetch(`${gatewayUrl()}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${adminKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as T,
    };
  };

  /** A checkout of the GEOINT report for cust_e2e_checkout (both made by the checkout test). */
  const checkout = (extra: Record<string, unknown> = {}) =>
    call<CheckoutSessionResourceV1>('POST', PUBLIC_API_PATHS.checkout, {
      customer_id: 'cust_e2e_checkout',
      mode: 'payment',
      product_id: 'geoint_report',
      ...extra,
    });

  /** The buyer fills in and submits the sandbox's hosted checkout page. */
  const payOnHostedPage = (url: string | null, cardNumber: string) =>
    fetch(defined(url, 'the hosted page'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        email: 'buyer@example.com',
        name: 'Ada Buyer',
        card_number: cardNumber,
        card_expiry: '12 / 34',
        card_cvc: '123',
      }).toString(),
      redirect: 'manual',
    });

  const settledCheckout = (id: string, done: (body: CheckoutSessionResourceV1) => boolean) =>
    waitFor(
      async () =>
        (await call<CheckoutSessionResourceV1>('GET', PUBLIC_API_PATHS.checkoutSession(id))).body,
      done,
      { timeoutMs: 30_000, intervalMs: 250, what: `checkout ${id} to settle` },
    );

  /** A checkout paid with 4242 on the hosted page: its transaction, once the ledger has it succeeded. */
  const paidCheckout = async (): Promise<TransactionResourceV1> => {
    const bought = await checkout();
    expect(bought.status).toBe(201);
    expect((await payOnHostedPage(bought.body.url, '4242 4242 4242 4242')).status).toBe(303);
    const done = await settledCheckout(
      bought.body.id,
      (body) => body.status === 'paid' && body.transaction_status === 'succeeded',
    );
    return (
      await call<TransactionResourceV1>(
        'GET',
        PUBLIC_API_PATHS.transaction(defined(done.transaction_id, 'the transaction')),
      )
    ).body;
  };

  /** Polls the transaction until `done` holds (refunds reach the ledger by the sandbox's webhooks). */
  const transactionWhen = (id: string, done: (body: TransactionResourceV1) => boolean) =>
    waitFor(
      async () => (await call<TransactionResourceV1>('GET', PUBLIC_API_PATHS.transaction(id))).body,
      done,
      { timeoutMs: 30_000, intervalMs: 250, what: `transaction ${id}` },
    );

  const refund = (body: { transaction_id: string; amount_cents?: number; reason?: string }) =>
    call<RefundResourceV1>('POST', PUBLIC_API_PATHS.refunds, body);

  it('brings every service to ready', async () => {
    for (const [service, port] of ports) {
      const ready = waitFor(
        () => readinessOf(`http://127.0.0.1:${port}`),
        (status) => status === 200,
        { timeoutMs: 90_000, intervalMs: 250, what: `${service} to be ready` },
      );
      await ready.catch((error: unknown) => {
        // The service's own lines, without the failed probes that would bury them.
        const own = output
          .split('\n')
          .filter(
            (line) => line.includes(`[${service}]`) && !line.includes('Health Check has failed'),
          )
          .slice(-40)
          .join('\n');
        throw new Error(
          `${(error as Error).message}\nlast lines of ${service} under npm start:\n${own}\nlast output of npm start:\n${output.slice(-3_000)}`,
        );
      });
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(
        new RegExp(`process_cpu_user_seconds_total\\{service="${service}"\\}`),
      );
    }
  });

  it('declares the exchange and, for each consuming service, a quorum queue with retry and dead-letter queues', async () => {
    const connection = await connect(baseAmqpUrl());
    try {
      const channel = await connection.createChannel();
      await channel.checkExchange(`${prefix}.events`);
      await channel.close();
    } finally {
      await connection.close();
    }
    // What the broker itself reports about our queues: type and dead-letter arguments.
    const { stdout } = await run('rabbitmqctl', [
      '-q',
      'list_queues',
      'name',
      'type',
      'arguments',
      '--formatter',
      'json',
    ]);
    const listed = new Map(
      (
        JSON.parse(stdout) as {
          name: string;
          type: string;
          arguments: [string, string, unknown][];
        }[]
      )
        .filter((queue) => queue.name.startsWith(`${prefix}.`))
        .map((queue) => [
          queue.name,
          {
            type: queue.type,
            arguments: new Map(queue.arguments.map(([key, , value]) => [key, value])),
          },
        ]),
    );
    for (const service of CONSUMING_SERVICES) {
      const names = topologyNames(prefix, service, DEFAULT_RETRY_DELAYS_MS);
      const main = defined(listed.get(names.queue), names.queue);
      expect(main.type).toBe('quorum');
      expect(main.arguments.get('x-dead-letter-routing-key')).toBe(names.deadLetterQueue);
      expect(listed.get(names.deadLetterQueue)?.type).toBe('quorum');
      for (const [index, retryQueue] of names.retryQueues.entries()) {
        const retry = listed.get(retryQueue);
        expect(retry?.arguments.get('x-message-ttl')).toBe(DEFAULT_RETRY_DELAYS_MS[index]);
        expect(retry?.arguments.get('x-dead-letter-routing-key')).toBe(names.queue);
      }
    }
  });

  it('makes a development admin key, prints it, and serves the API with it (customers, keys, verify, usage, an invoice paid through Stripe)', async () => {
    const keyFile = join(workDirectory, DEV_ADMIN_KEY_FILE);
    const adminKey = readFileSync(keyFile, 'utf8').trim();
    expect(adminKey).toMatch(/^ak_admin_[A-Za-z0-9_-]{43}$/);
    expect(statSync(keyFile).mode & 0o077).toBe(0);
    await waitFor(
      () => Promise.resolve(output),
      (printed) => printed.includes('Aegis Payments is running'),
      { timeoutMs: 30_000, what: 'the start-up table' },
    );
    expect(output).toContain(`Admin key: ${adminKey}`);
    const gateway = `http://127.0.0.1:${defined(ports.get('gateway'), 'gateway port')}`;
    const post = async (
      path: string,
      body: unknown,
    ): Promise<{ status: number; body: unknown }> => {
      const response = await fetch(`${gateway}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    };
    const customer = (await post(PUBLIC_API_PATHS.customers, {
      id: 'cust_e2e_start',
      email: 'start@example.com',
    })) as { status: number; body: CustomerResourceV1 };
    expect(customer.status).toBe(201);
    expect(customer.body.stripe_customer_id).toMatch(/^cus_/);
    const key = (await post(PUBLIC_API_PATHS.customerApiKeys('cust_e2e_start'), {
      name: 'e2e',
      scopes: ['intel:read'],
    })) as { status: number; body: CreatedApiKeyV1 };
    expect(key.status).toBe(201);
    const verified = (await post(PUBLIC_API_PATHS.verifyApiKey, {
      key: key.body.key,
      scope: 'intel:read',
      usage: { product_id: 'api_call', quantity: 3 },
    })) as { status: number; body: VerifyResultV1 };
    expect(verified.body).toMatchObject({ valid: true, customer_id: 'cust_e2e_start' });
    const usageEventId = verified.body.valid ? verified.body.usage_event_id : undefined;
    expect(usageEventId).toBeDefined();
    const { stdout } = await waitFor(
      () =>
        run('psql', [
          database.url,
          '-Atc',
          `SELECT customer_id || ' ' || quantity FROM metering.usage_events WHERE id = '${String(usageEventId)}'`,
        ]),
      (result) => result.stdout.trim() !== '',
      { timeoutMs: 15_000, what: 'metering to store the usage event' },
    );
    expect(stdout.trim()).toBe('cust_e2e_start 3');

    const product = await post(PUBLIC_API_PATHS.products, {
      id: 'api_call',
      name: 'API call',
      pricing_type: 'usage',
      base_price_cents: 10,
      currency: 'usd',
    });
    expect(product.status).toBe(201);
    const batch = {
      events: [
        {
          customer_id: 'cust_e2e_start',
          product_id: 'api_call',
          quantity: '1.5',
          idempotency_key: 'e2e-1',
        },
        {
          customer_id: 'cust_e2e_start',
          product_id: 'api_call',
          quantity: 2.5,
          idempotency_key: 'e2e-2',
        },
      ],
    };
    const recorded = (await post(PUBLIC_API_PATHS.usage, batch)) as {
      status: number;
      body: RecordUsageResultV1;
    };
    expect(recorded.status).toBe(202);
    expect(recorded.body).toMatchObject({ accepted: 2, duplicates: 0 });
    const again = (await post(PUBLIC_API_PATHS.usage, batch)) as {
      status: number;
      body: RecordUsageResultV1;
    };
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 2, ids: recorded.body.ids });
    const period = new Date().toISOString().slice(0, 7);
    const summary = await waitFor(
      async () => {
        const response = await fetch(
          `${gateway}${PUBLIC_API_PATHS.usageSummary}?customer_id=cust_e2e_start&billing_period=${period}`,
          { headers: { authorization: `Bearer ${adminKey}` } },
        );
        return (await response.json()) as UsageSummaryV1;
      },
      (answer) => answer.products.length > 0,
      { timeoutMs: 15_000, what: 'the usage summary' },
    );
    // verify's 3 and the batch's 1.5 + 2.5, each counted once.
    expect(summary.products).toMatchObject([
      { product_id: 'api_call', value: '7', event_count: 3 },
    ]);

    // The customer's card, then its invoice for the period: 7 calls at 10, charged through
    // Stripe, and paid as the sandbox's webhooks reach billing through webhook-ingest.
    const stripe = sandboxStripe(
      defined(ports.get('stripe-sandbox'), 'sandbox port'),
      'sk_test_e2e',
    );
    await stripe.paymentMethods.attach('pm_card_visa', {
      customer: customer.body.stripe_customer_id,
    });
    const [card] = (
      await stripe.paymentMethods.list({ customer: customer.body.stripe_customer_id })
    ).data;
    await stripe.customers.update(customer.body.stripe_customer_id, {
      invoice_settings: { default_payment_method: defined(card, 'the card').id },
    });
    const invoiced = (await post(PUBLIC_API_PATHS.invoices, {
      customer_id: 'cust_e2e_start',
      billing_period: period,
    })) as { status: number; body: InvoiceResourceV1 };
    expect(invoiced.status).toBe(201);
    expect(invoiced.body).toMatchObject({
      amount_due: 70,
      collection_method: 'charge_automatically',
      pending_stripe: false,
      lines: [{ product_id: 'api_call', value: '7', event_count: 3, amount_cents: 70 }],
    });
    expect(invoiced.body.stripe_invoice_id).toMatch(/^in_/);
    const ledger = await waitFor(
      () =>
        run('psql', [
          database.url,
          '-Atc',
          `SELECT status || ' ' || amount_cents FROM billing.billing_transactions
            WHERE stripe_invoice_id = '${String(invoiced.body.stripe_invoice_id)}'`,
        ]),
      (result) => result.stdout.trim() !== '',
      { timeoutMs: 20_000, what: "the invoice's payment in the ledger" },
    );
    expect(ledger.stdout.trim()).toBe('succeeded 70');
    const paid = await waitFor(
      async () => {
        const response = await fetch(`${gateway}${PUBLIC_API_PATHS.invoice(invoiced.body.id)}`, {
          headers: { authorization: `Bearer ${adminKey}` },
        });
        return (await response.json()) as InvoiceResourceV1;
      },
      (answer) => answer.status === 'paid' && answer.amount_paid === 70,
      { timeoutMs: 20_000, what: 'the invoice to be paid' },
    );
    expect(paid.paid_at).toEqual(expect.any(String));
  });

  it('takes a checkout paid on the sandbox’s hosted page to the success page and a succeeded transaction; a declined card to a failed one; refuses a foreign redirect', async () => {
    const gateway = gatewayUrl();
    const product = await call<unknown>('POST', PUBLIC_API_PATHS.products, {
      id: 'geoint_report',
      name: 'GEOINT report',
      pricing_type: 'outcome',
      base_price_cents: 99_900,
      currency: 'usd',
    });
    expect(product.status).toBe(201);
    const customer = await call<unknown>('POST', PUBLIC_API_PATHS.customers, {
      id: 'cust_e2e_checkout',
      email: 'checkout@example.com',
    });
    expect(customer.status).toBe(201);

    // Paid with 4242 on the sandbox's page: back on our success page, then paid through the
    // sandbox's webhooks, webhook-ingest and billing, and a succeeded transaction in the ledger.
    const bought = await checkout();
    expect(bought.status).toBe(201);
    expect(bought.body).toMatchObject({ amount_total: 99_900, status: 'open' });
    const paid = await payOnHostedPage(bought.body.url, '4242 4242 4242 4242');
    expect(paid.status).toBe(303);
    const successPage = defined(paid.headers.get('location'), 'the redirect');
    expect(successPage).toBe(
      `${gateway}${PUBLIC_API_PATHS.paymentSuccess}?session_id=${bought.body.stripe_checkout_session_id}`,
    );
    const landed = await fetch(successPage);
    expect(landed.status).toBe(200);
    const landedHtml = await landed.text();
    expect(landedHtml).toContain('GEOINT report');
    expect(landedHtml).toContain('999.00 USD');
    expect(landedHtml).toMatch(/Processing your payment|Payment received/);
    const done = await settledCheckout(
      bought.body.id,
      (body) => body.status === 'paid' && body.transaction_status === 'succeeded',
    );
    const transaction = await call<TransactionResourceV1>(
      'GET',
      PUBLIC_API_PATHS.transaction(defined(done.transaction_id, 'the transaction')),
    );
    expect(transaction.status).toBe(200);
    expect(transaction.body).toMatchObject({
      status: 'succeeded',
      amount_cents: 99_900,
      currency: 'usd',
      customer_id: 'cust_e2e_checkout',
    });
    expect(await (await fetch(successPage)).text()).toContain('Payment received');

    // Declined (…0002): the hosted page says so, and the attempt is a failed transaction.
    const declinedCheckout = await checkout();
    const declined = await payOnHostedPage(declinedCheckout.body.url, '4000 0000 0000 0002');
    expect(declined.status).toBe(402);
    const failed = await settledCheckout(
      declinedCheckout.body.id,
      (body) => body.transaction_status === 'failed',
    );
    expect(failed.status).toBe('open');
    const failedTransaction = await call<TransactionResourceV1>(
      'GET',
      PUBLIC_API_PATHS.transaction(defined(failed.transaction_id, 'the failed transaction')),
    );
    expect(failedTransaction.body.status).toBe('failed');

    // A redirect to a host that is not allowed: an open redirect, refused.
    const foreign = await checkout({ success_url: 'https://evil.example/phish' });
    expect(foreign.status).toBe(400);
    const problem = foreign.body as unknown as ProblemV1;
    expect(problem.errors?.map((error) => error.field)).toEqual(['success_url']);
  });

  it('refunds a paid checkout in part, then the rest, and answers one cent more with 409; ten concurrent refunds never exceed the charge', async () => {
    const paid = await paidCheckout();
    expect(paid).toMatchObject({
      amount_cents: 99_900,
      amount_refunded_cents: 0,
      amount_refundable_cents: 99_900,
      refunds: [],
    });

    // Part of it: Stripe makes the refund at once; the transaction follows its events.
    const partial = await refund({
      transaction_id: paid.id,
      amount_cents: 30_000,
      reason: 'requested_by_customer',
    });
    expect(partial.status).toBe(201);
    expect(partial.body).toMatchObject({
      object: 'refund',
      transaction_id: paid.id,
      customer_id: 'cust_e2e_checkout',
      amount_cents: 30_000,
      currency: 'usd',
      status: 'succeeded',
      reason: 'requested_by_customer',
      origin: 'aegis',
    });
    expect(partial.body.stripe_refund_id).toMatch(/^re_/);
    const partly = await transactionWhen(paid.id, (body) => body.status === 'partially_refunded');
    expect(partly).toMatchObject({
      amount_refunded_cents: 30_000,
      amount_refundable_cents: 69_900,
    });

    // The rest, without an amount.
    const rest = await refund({ transaction_id: paid.id });
    expect(rest.status).toBe(201);
    expect(rest.body).toMatchObject({ amount_cents: 69_900, status: 'succeeded' });
    const refunded = await transactionWhen(paid.id, (body) => body.status === 'refunded');
    expect(refunded).toMatchObject({ amount_refunded_cents: 99_900, amount_refundable_cents: 0 });
    expect(refunded.refunds.map((r) => [r.id, r.amount_cents, r.status])).toEqual([
      [rest.body.id, 69_900, 'succeeded'],
      [partial.body.id, 30_000, 'succeeded'],
    ]);

    // One cent more: nothing is left, and the answer says so.
    const over = await refund({ transaction_id: paid.id, amount_cents: 1 });
    expect(over.status).toBe(409);
    expect(over.headers.get('content-type')).toContain('application/problem+json');
    const overProblem = over.body as unknown as ProblemV1;
    expect(overProblem).toMatchObject({ status: 409, code: 'refund_exceeds_remaining' });
    expect(overProblem.detail).toContain('0 usd is left');
    const listed = await call<ListV1<RefundResourceV1>>(
      'GET',
      `${PUBLIC_API_PATHS.refunds}?transaction_id=${paid.id}`,
    );
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((r) => r.id)).toEqual([rest.body.id, partial.body.id]);

    // Ten at once, 15,000 each (150,000 asked of 99,900): billing takes them one at a time.
    const second = await paidCheckout();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => refund({ transaction_id: second.id, amount_cents: 15_000 })),
    );
    const made = answers.filter((answer) => answer.status === 201);
    const refused = answers.filter((answer) => answer.status !== 201);
    const madeSum = made.reduce((sum, answer) => sum + answer.body.amount_cents, 0);
    expect(madeSum).toBeLessThanOrEqual(99_900);
    // As many as fit: six (90,000), 9,900 left, too little for a seventh.
    expect(made).toHaveLength(6);
    expect(
      refused.map((answer) => [answer.status, (answer.body as unknown as ProblemV1).code]),
    ).toEqual(Array.from({ length: 4 }, () => [409, 'refund_exceeds_remaining']));
    const after = await transactionWhen(
      second.id,
      (body) => body.amount_refunded_cents === madeSum,
    );
    expect(after).toMatchObject({
      status: 'partially_refunded',
      amount_refunded_cents: madeSum,
      amount_refundable_cents: 99_900 - madeSum,
    });
    expect(after.refunds.map((r) => r.id).sort()).toEqual(
      made.map((answer) => answer.body.id).sort(),
    );
    expect(after.refunds.every((r) => r.status === 'succeeded')).toBe(true);
  });

  it('answers the payment status: the sandbox reachable, the breaker closed, the ledger’s counts and revenue, active subscriptions from the subscriptions service', async () => {
    const adminKey = readFileSync(join(workDirectory, DEV_ADMIN_KEY_FILE), 'utf8').trim();
    const gateway = `http://127.0.0.1:${defined(ports.get('gateway'), 'gateway port')}`;
    const response = await fetch(`${gateway}${PUBLIC_API_PATHS.paymentStatus}`, {
      headers: { authorization: `Bearer ${adminKey}` },
    });
    expect(response.status).toBe(200);
    const status = (await response.json()) as PaymentStatusResourceV1;
    expect(status).toMatchObject({
      object: 'payment_status',
      reachable: true,
      mode: 'sandbox',
      circuit: 'closed',
      provider_error: null,
      // Every service runs: the subscriptions service counts (nobody subscribed here).
      active_subscriptions: 0,
      subscriptions_error: null,
    });
    // The invoice's payment and the checkout's succeeded, the declined checkout failed.
    expect(status.transactions.by_status.succeeded).toBeGreaterThanOrEqual(2);
    expect(status.transactions.by_status.failed).toBeGreaterThanOrEqual(1);
    const ledger = await run('psql', [
      database.url,
      '-Atc',
      `SELECT coalesce(sum(amount_cents - amount_refunded_cents), 0) FROM billing.billing_transactions
        WHERE currency = 'usd' AND status IN ('succeeded', 'partially_refunded', 'refunded')`,
    ]);
    expect(status.revenue.usd?.net_cents).toBe(Number(ledger.stdout.trim()));
    expect(status.revenue.usd?.net_cents).toBeGreaterThanOrEqual(70 + 99_900);
  });

  it('Stripe stopped: checkouts answer 503 stripe_unavailable and make nothing until the breaker opens; a refund is then refused at once, holding nothing; back, the breaker closes by itself and the same refund and a checkout succeed', async () => {
    const paid = await paidCheckout();
    const status = async () =>
      (await call<PaymentStatusResourceV1>('GET', PUBLIC_API_PATHS.paymentStatus)).body;
    const checkoutRows = async () =>
      (
        await run('psql', [database.url, '-Atc', 'SELECT count(*) FROM billing.checkout_sessions'])
      ).stdout.trim();
    const before = await checkoutRows();
    await stripeRelay.stop();
    expect(await status()).toMatchObject({ reachable: false, circuit: 'closed' });

    // Each checkout finds Stripe unreachable (503) until the breaker has seen enough of them.
    let failures = 0;
    while ((await status()).circuit !== 'open') {
      expect(failures).toBeLessThan(15);
      const failed = await checkout();
      expect(failed.status).toBe(503);
      expect(failed.headers.get('content-type')).toContain('application/problem+json');
      const problem = failed.body as unknown as ProblemV1;
      expect(problem).toMatchObject({ status: 503, code: 'stripe_unavailable' });
      expect(problem.detail).toMatch(/^Stripe is unavailable/);
      failures += 1;
    }
    expect(failures).toBeGreaterThan(0);
    expect(await checkoutRows()).toBe(before);

    // The breaker open: the refund is refused without a call to Stripe. Nothing was sent, so its
    // reservation is released at once (kept as failed, naming the breaker) and holds nothing.
    const body = { transaction_id: paid.id, amount_cents: 5_000 };
    const refused = await refund(body);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const problem = refused.body as unknown as ProblemV1;
    expect(problem).toMatchObject({ status: 503, code: 'stripe_unavailable' });
    expect(problem.detail).toMatch(/breaker/);
    const held = (await call<TransactionResourceV1>('GET', PUBLIC_API_PATHS.transaction(paid.id)))
      .body;
    expect(held).toMatchObject({
      status: 'succeeded',
      amount_refunded_cents: 0,
      amount_refundable_cents: 99_900,
    });
    expect(held.refunds).toEqual([
      expect.objectContaining({ amount_cents: 5_000, status: 'failed', stripe_refund_id: null }),
    ]);

    // Stripe is back: the breaker tries by itself and closes; the same request refunds, once.
    await stripeRelay.start();
    await waitFor(status, (answer) => answer.reachable && answer.circuit === 'closed', {
      timeoutMs: 40_000,
      intervalMs: 500,
      what: 'the breaker to close by itself',
    });
    const made = await refund(body);
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ amount_cents: 5_000, status: 'succeeded' });
    const after = await transactionWhen(
      paid.id,
      (answer) => answer.status === 'partially_refunded',
    );
    expect(after).toMatchObject({ amount_refunded_cents: 5_000, amount_refundable_cents: 94_900 });
    expect(after.refunds.map((r) => [r.amount_cents, r.status])).toEqual([
      [5_000, 'succeeded'],
      [5_000, 'failed'],
    ]);
    const sandbox = sandboxStripe(
      defined(ports.get('stripe-sandbox'), 'sandbox port'),
      'sk_test_e2e',
    );
    const atStripe = await sandbox.refunds.list({
      charge: defined(paid.stripe_charge_id, 'the charge'),
    });
    expect(atStripe.data.map((r) => [r.id, r.amount])).toEqual([
      [made.body.stripe_refund_id, 5_000],
    ]);
    expect((await checkout()).status).toBe(201);
  });

  it('runs a subscription’s whole life through the API on a sandbox test clock, the same in our tables as in Stripe at each step', async () => {
    const stripe = sandboxStripe(
      defined(ports.get('stripe-sandbox'), 'sandbox port'),
      'sk_test_e2e',
    );
    const HOUR = 3_600;
    const DAY = 24 * HOUR;
    const subscriptionNow = async (id: string): Promise<SubscriptionResourceV1> =>
      (await call<SubscriptionResourceV1>('GET', PUBLIC_API_PATHS.subscription(id))).body;
    /** Waits until our view equals Stripe's (events reach us through webhook-ingest), and `done` holds. */
    const sameAsStripe = async (
      id: string,
      done: (ours: SubscriptionResourceV1) => boolean = () => true,
    ): Promise<{ ours: SubscriptionResourceV1; theirs: Stripe.Subscription }> =>
      waitFor(
        async () => {
          const ours = await subscriptionNow(id);
          const theirs = await stripe.subscriptions.retrieve(ours.stripe_subscription_id);
          return { ours, theirs };
        },
        ({ ours, theirs }) => {
          const [item] = theirs.items.data;
          return (
            done(ours) &&
            ours.status === theirs.status &&
            ours.price_cents === item?.price.unit_amount &&
            ours.cancel_at_period_end === theirs.cancel_at_period_end &&
            ours.current_period_end === new Date(item.current_period_end * 1000).toISOString() &&
            (ours.pause_collection?.behavior ?? null) ===
              (theirs.pause_collection?.behavior ?? null)
          );
        },
        { timeoutMs: 30_000, intervalMs: 250, what: `subscription ${id} as Stripe has it` },
      );
    const setCard = async (stripeCustomerId: string, card: string): Promise<void> => {
      const method = await stripe.paymentMethods.attach(card, { customer: stripeCustomerId });
      await stripe.customers.update(stripeCustomerId, {
        invoice_settings: { default_payment_method: method.id },
      });
    };
    const advance = async (clock: string, frozenTime: number): Promise<void> => {
      await stripe.testHelpers.testClocks.advance(clock, { frozen_time: frozenTime });
      await waitFor(
        () => stripe.testHelpers.testClocks.retrieve(clock),
        (state) => state.status === 'ready',
        { timeoutMs: 30_000, what: `test clock ${clock} to be ready` },
      );
    };
    const customerWithCard = async (id: string): Promise<CustomerResourceV1> => {
      const made = await call<CustomerResourceV1>('POST', PUBLIC_API_PATHS.customers, {
        id,
        email: `${id}@example.com`,
      });
      expect(made.status).toBe(201);
      await setCard(made.body.stripe_customer_id, 'pm_card_visa');
      return made.body;
    };

    // A customer on a test clock: made at Stripe with its one id, registered by billing from the event.
    const start = Math.floor(Date.now() / 1000);
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
    const stripeCustomer = await stripe.customers.create({
      email: 'employer@example.com',
      test_clock: clock.id,
      metadata: { aegis_customer_id: 'cust_e2e_employer' },
    });
    await setCard(stripeCustomer.id, 'pm_card_visa');
    await waitFor(
      async () => (await call('GET', PUBLIC_API_PATHS.customer('cust_e2e_employer'))).status,
      (status) => status === 200,
      { timeoutMs: 30_000, what: 'billing to register the clock’s customer' },
    );

    // Trial.
    const created = await call<SubscriptionResourceV1>('POST', PUBLIC_API_PATHS.subscriptions, {
      customer_id: 'cust_e2e_employer',
      plan_id: 'junior',
      billing_interval: 'monthly',
      trial_days: 7,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      plan_id: 'junior',
      price_cents: 99_900,
      status: 'trialing',
    });
    const id = created.body.id;
    await sameAsStripe(id);

    // Trial over: the first period is charged.
    await advance(clock.id, start + 7 * DAY + HOUR);
    const active = await sameAsStripe(id, (ours) => ours.status === 'active');
    const firstInvoice = await stripe.invoices.retrieve(
      defined(active.theirs.latest_invoice, 'the first invoice') as string,
    );
    expect(firstInvoice).toMatchObject({ status: 'paid', amount_paid: 99_900 });

    // Upgrade now: the proration previewed is what Stripe invoices.
    const previewed = await call<ChangeSubscriptionResultV1>(
      'POST',
      PUBLIC_API_PATHS.changeSubscription(id),
      { plan_id: 'analyst', when: 'now', preview: true },
    );
    expect(previewed.status).toBe(200);
    const preview = defined(previewed.body.preview, 'the preview');
    expect(preview.proration_cents).toBeGreaterThan(0);
    const upgraded = await call<ChangeSubscriptionResultV1>(
      'POST',
      PUBLIC_API_PATHS.changeSubscription(id),
      { plan_id: 'analyst', when: 'now', proration_date: preview.proration_date },
    );
    expect(upgraded.status).toBe(200);
    expect(upgraded.body.subscription).toMatchObject({ plan_id: 'analyst', price_cents: 199_900 });
    const proration = await stripe.invoices.retrieve(
      defined(upgraded.body.stripe_invoice_id, 'the proration invoice'),
    );
    expect(proration.total).toBe(preview.proration_cents);
    await sameAsStripe(id, (ours) => ours.plan_id === 'analyst');

    // Renewal at the new price.
    const periodEnd = (ours: SubscriptionResourceV1): number =>
      Date.parse(defined(ours.current_period_end, 'the period end')) / 1000;
    const beforeRenewal = await subscriptionNow(id);
    await advance(clock.id, periodEnd(beforeRenewal) + 2 * HOUR);
    const renewed = await sameAsStripe(
      id,
      (ours) => ours.current_period_start === beforeRenewal.current_period_end,
    );
    const renewal = await stripe.invoices.retrieve(renewed.theirs.latest_invoice as string);
    expect(renewal).toMatchObject({ status: 'paid', amount_paid: 199_900 });

    // A declined renewal: past due while Stripe retries.
    await setCard(stripeCustomer.id, 'pm_card_chargeDeclined');
    await advance(clock.id, periodEnd(renewed.ours) + 2 * HOUR);
    const pastDue = await sameAsStripe(id, (ours) => ours.status === 'past_due');
    const entitlements = await call<EntitlementsResourceV1>(
      'GET',
      PUBLIC_API_PATHS.customerEntitlements('cust_e2e_employer'),
    );
    expect(entitlements.body).toMatchObject({ plan_id: 'analyst', entitled: true });

    // Recovered: a good card, and the open invoice paid.
    await setCard(stripeCustomer.id, 'pm_card_visa');
    await stripe.invoices.pay(pastDue.theirs.latest_invoice as string);
    await sameAsStripe(id, (ours) => ours.status === 'active');

    // Cancel at the period's end, told to Stripe; ended when the period is over.
    const canceling = await call<SubscriptionResourceV1>(
      'POST',
      PUBLIC_API_PATHS.cancelSubscription(id),
      { at_period_end: true },
    );
    expect(canceling.status).toBe(200);
    expect(canceling.body).toMatchObject({ cancel_at_period_end: true, status: 'active' });
    const toEnd = await sameAsStripe(id, (ours) => ours.cancel_at_period_end);
    await advance(clock.id, periodEnd(toEnd.ours) + HOUR);
    const ended = await sameAsStripe(id, (ours) => ours.status === 'canceled');
    expect(ended.ours.ended_at).not.toBeNull();
    expect(
      (await call('GET', PUBLIC_API_PATHS.customerSubscription('cust_e2e_employer'))).status,
    ).toBe(404);

    // Dunning to its end: every retry of a declined renewal fails, and the hours stop.
    const dunningClock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
    const debtor = await stripe.customers.create({
      email: 'debtor@example.com',
      test_clock: dunningClock.id,
      metadata: { aegis_customer_id: 'cust_e2e_debtor' },
    });
    await setCard(debtor.id, 'pm_card_visa');
    await waitFor(
      async () => (await call('GET', PUBLIC_API_PATHS.customer('cust_e2e_debtor'))).status,
      (status) => status === 200,
      { timeoutMs: 30_000, what: 'billing to register the debtor' },
    );
    const owed = await call<SubscriptionResourceV1>('POST', PUBLIC_API_PATHS.subscriptions, {
      customer_id: 'cust_e2e_debtor',
      plan_id: 'junior',
      billing_interval: 'monthly',
    });
    expect(owed.status).toBe(201);
    await setCard(debtor.id, 'pm_card_chargeDeclined');
    await advance(dunningClock.id, periodEnd(owed.body) + 2 * HOUR);
    await sameAsStripe(owed.body.id, (ours) => ours.status === 'past_due');
    await advance(dunningClock.id, periodEnd(owed.body) + 8 * DAY + 2 * HOUR);
    await sameAsStripe(owed.body.id, (ours) => ours.status === 'unpaid');
    const cutOff = await call<EntitlementsResourceV1>(
      'GET',
      PUBLIC_API_PATHS.customerEntitlements('cust_e2e_debtor'),
    );
    expect(cutOff.body).toMatchObject({ plan_id: 'junior', entitled: false });

    // A trial that ends without a card pauses the subscription; with a card it resumes, charged.
    const cardlessClock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
    const cardless = await stripe.customers.create({
      email: 'cardless@example.com',
      test_clock: cardlessClock.id,
      metadata: { aegis_customer_id: 'cust_e2e_cardless' },
    });
    await waitFor(
      async () => (await call('GET', PUBLIC_API_PATHS.customer('cust_e2e_cardless'))).status,
      (status) => status === 200,
      { timeoutMs: 30_000, what: 'billing to register the cardless customer' },
    );
    const trying = await call<SubscriptionResourceV1>('POST', PUBLIC_API_PATHS.subscriptions, {
      customer_id: 'cust_e2e_cardless',
      plan_id: 'analyst',
      billing_interval: 'monthly',
      trial_days: 3,
    });
    expect(trying.status).toBe(201);
    await advance(cardlessClock.id, start + 3 * DAY + HOUR);
    await sameAsStripe(trying.body.id, (ours) => ours.status === 'paused');
    expect(
      (
        await call<EntitlementsResourceV1>(
          'GET',
          PUBLIC_API_PATHS.customerEntitlements('cust_e2e_cardless'),
        )
      ).body.entitled,
    ).toBe(false);
    await setCard(cardless.id, 'pm_card_visa');
    const back = await call<SubscriptionResourceV1>(
      'POST',
      PUBLIC_API_PATHS.resumeSubscription(trying.body.id),
    );
    expect(back.status).toBe(200);
    expect(back.body.status).toBe('active');
    const resumedAtStripe = await sameAsStripe(trying.body.id, (ours) => ours.status === 'active');
    expect(
      await stripe.invoices.retrieve(resumedAtStripe.theirs.latest_invoice as string),
    ).toMatchObject({ status: 'paid', amount_paid: 199_900 });

    // Pause and resume collection.
    const pausing = await customerWithCard('cust_e2e_on_leave');
    const onLeave = await call<SubscriptionResourceV1>('POST', PUBLIC_API_PATHS.subscriptions, {
      customer_id: pausing.id,
      plan_id: 'lead',
      billing_interval: 'yearly',
    });
    expect(onLeave.status).toBe(201);
    const paused = await call<SubscriptionResourceV1>(
      'POST',
      PUBLIC_API_PATHS.pauseSubscription(onLeave.body.id),
      {},
    );
    expect(paused.body.pause_collection).toMatchObject({ behavior: 'void' });
    await sameAsStripe(onLeave.body.id, (ours) => ours.pause_collection !== null);
    const resumed = await call<SubscriptionResourceV1>(
      'POST',
      PUBLIC_API_PATHS.resumeSubscription(onLeave.body.id),
    );
    expect(resumed.body.pause_collection).toBeNull();
    await sameAsStripe(onLeave.body.id, (ours) => ours.pause_collection === null);

    // A principal at the price agreed with the customer.
    const principal = await customerWithCard('cust_e2e_principal');
    const custom = await call<SubscriptionResourceV1>('POST', PUBLIC_API_PATHS.subscriptions, {
      customer_id: principal.id,
      plan_id: 'principal',
      billing_interval: 'monthly',
      price_cents: 750_000,
    });
    expect(custom.status).toBe(201);
    expect(custom.body).toMatchObject({
      plan_id: 'principal',
      price_cents: 750_000,
      status: 'active',
    });
    const customAtStripe = await sameAsStripe(custom.body.id);
    expect(
      await stripe.invoices.retrieve(customAtStripe.theirs.latest_invoice as string),
    ).toMatchObject({ status: 'paid', amount_paid: 750_000 });

    // Ten at once for one customer: one subscription.
    const rushed = await customerWithCard('cust_e2e_rushed');
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        call<SubscriptionResourceV1 | ProblemV1>('POST', PUBLIC_API_PATHS.subscriptions, {
          customer_id: rushed.id,
          plan_id: 'junior',
          billing_interval: 'monthly',
        }),
      ),
    );
    expect(answers.map((answer) => answer.status).sort()).toStrictEqual([
      201,
      ...Array.from({ length: 9 }, () => 409),
    ]);
    expect(
      (await stripe.subscriptions.list({ customer: rushed.stripe_customer_id, status: 'all' }))
        .data,
    ).toHaveLength(1);

    // Hours above the plan's: billed on the period's usage invoice, once.
    expect(
      (
        await call('POST', PUBLIC_API_PATHS.products, {
          id: 'agent_hours',
          name: 'Agent hours',
          pricing_type: 'usage',
          base_price_cents: 0,
          currency: 'usd',
        })
      ).status,
    ).toBe(201);
    const hours = await call<RecordUsageResultV1>('POST', PUBLIC_API_PATHS.usage, {
      events: [
        {
          customer_id: rushed.id,
          product_id: 'agent_hours',
          quantity: '30',
          idempotency_key: 'h-1',
        },
        {
          customer_id: rushed.id,
          product_id: 'agent_hours',
          quantity: '15.5',
          idempotency_key: 'h-2',
        },
      ],
    });
    expect(hours.status).toBe(202);
    const worked = await waitFor(
      async () =>
        (
          await call<EntitlementsResourceV1>(
            'GET',
            PUBLIC_API_PATHS.customerEntitlements(rushed.id),
          )
        ).body,
      (body) => body.used_hours === '45.5',
      { timeoutMs: 15_000, what: 'metering to count the hours' },
    );
    expect(worked).toMatchObject({
      plan_id: 'junior',
      included_hours: '40',
      remaining_hours: '0',
      overage_hours: '5.5',
      overage_price_cents: 2_500,
      entitled: true,
    });
    const thisMonth = new Date().toISOString().slice(0, 7);
    const overage = await call<InvoiceResourceV1>('POST', PUBLIC_API_PATHS.invoices, {
      customer_id: rushed.id,
      billing_period: thisMonth,
    });
    expect([200, 201]).toContain(overage.status);
    expect(overage.body.lines.map((line) => [line.product_id, line.subtotal_cents])).toStrictEqual([
      ['agent_hours', 5.5 * 2_500],
    ]);
    expect(overage.body.amount_due).toBe(13_750);
    const askedAgain = await call<InvoiceResourceV1>('POST', PUBLIC_API_PATHS.invoices, {
      customer_id: rushed.id,
      billing_period: thisMonth,
    });
    expect(askedAgain.body.id).toBe(overage.body.id);
    expect(askedAgain.body.amount_due).toBe(13_750);
  });

  it('disputes: a disputed checkout is needs_response with its deadline and transaction even when its dispute came first; winning evidence ends won, losing lost, both in the ledger and revenue; the deadline event fires once; a fraud warning under the limit is refunded once however its events are replayed', async () => {
    const stripe = sandboxStripe(
      defined(ports.get('stripe-sandbox'), 'sandbox port'),
      'sk_test_e2e',
    );
    const status = async () =>
      defined(
        (await call<PaymentStatusResourceV1>('GET', PUBLIC_API_PATHS.paymentStatus)).body.revenue
          .usd,
        'usd revenue',
      );
    /** A checkout paid on the hosted page with `card`: the Stripe payment intent it made. */
    const paidWith = async (card: string): Promise<string> => {
      const bought = await checkout();
      expect(bought.status).toBe(201);
      expect((await payOnHostedPage(bought.body.url, card)).status).toBe(303);
      const session = await stripe.checkout.sessions.retrieve(
        bought.body.stripe_checkout_session_id,
      );
      return idOfStripe(session.payment_intent);
    };
    const disputeAtStripe = async (paymentIntent: string): Promise<Stripe.Dispute> =>
      defined(
        (
          await waitFor(
            () => stripe.disputes.list({ payment_intent: paymentIntent }),
            (list) => list.data.length > 0,
            { timeoutMs: 30_000, what: `the sandbox to dispute ${paymentIntent}` },
          )
        ).data[0],
      );
    const disputeWhen = (id: string, done: (body: DisputeDetailResourceV1) => boolean) =>
      waitFor(
        async () => (await call<DisputeDetailResourceV1>('GET', PUBLIC_API_PATHS.dispute(id))).body,
        done,
        { timeoutMs: 60_000, intervalMs: 250, what: `dispute ${id}` },
      );
    const listedDispute = (stripeDisputeId: string) =>
      waitFor(
        async () =>
          (
            await call<ListV1<DisputeResourceV1>>('GET', `${PUBLIC_API_PATHS.disputes}?limit=100`)
          ).body.data.find((dispute) => dispute.stripe_dispute_id === stripeDisputeId),
        (dispute) => dispute !== undefined,
        { timeoutMs: 30_000, intervalMs: 250, what: `dispute ${stripeDisputeId} to be listed` },
      ).then((dispute) => defined(dispute));
    const before = await status();

    // The dispute's webhooks reach us; the payment's are dropped, recovered below by backfill.
    const [endpoint] = (await stripe.webhookEndpoints.list()).data;
    const endpointId = defined(endpoint, 'the sandbox webhook endpoint').id;
    await stripe.webhookEndpoints.update(endpointId, {
      enabled_events: [
        'charge.dispute.created',
        'charge.dispute.updated',
        'charge.dispute.closed',
        'charge.dispute.funds_withdrawn',
        'charge.dispute.funds_reinstated',
      ],
    });
    // Backfill from here: by default it starts at the newest stored event, which is the dispute's.
    const droppedSince = new Date(Date.now() - 60_000).toISOString();
    const winningIntent = await paidWith('4000 0000 0000 0259');
    const winningAtStripe = await disputeAtStripe(winningIntent);
    const early = await listedDispute(winningAtStripe.id);
    expect(early).toMatchObject({
      status: 'needs_response',
      transaction_id: null,
      evidence_due_by: new Date(
        defined(winningAtStripe.evidence_details.due_by) * 1000,
      ).toISOString(),
    });
    // The deadline event: raised by a sweep (one a second) while the dispute is open with nothing
    // submitted, once however many sweeps run.
    const deadlineEvents = async (): Promise<number> =>
      Number(
        (
          await run('psql', [
            database.url,
            '-Atc',
            `SELECT count(*) FROM disputes.outbox WHERE message_type = 'dispute.deadline_approaching.v1'
               AND envelope->'data'->>'stripeDisputeId' = '${winningAtStripe.id}'`,
          ])
        ).stdout.trim(),
      );
    expect(
      await waitFor(deadlineEvents, (count) => count > 0, {
        timeoutMs: 30_000,
        intervalMs: 250,
        what: 'the deadline event of the open dispute',
      }),
    ).toBe(1);
    await stripe.webhookEndpoints.update(endpointId, { enabled_events: ['*'] });
    const backfill = await call<BackfillRunResourceV1>('POST', PUBLIC_API_PATHS.backfills, {
      since: droppedSince,
    });
    expect(backfill.status).toBe(202);
    const linked = await disputeWhen(early.id, (body) => body.transaction_id !== null);
    const winningTransaction = defined(linked.transaction, 'the disputed transaction');
    expect(winningTransaction).toMatchObject({
      id: linked.transaction_id,
      stripe_payment_intent_id: winningIntent,
      status: 'succeeded',
    });
    expect(linked.evidence_draft.uncategorized_text).toContain(
      defined(winningTransaction.stripe_charge_id, 'the disputed charge'),
    );

    // Winning evidence: under review, then won; the ledger shows it and revenue keeps the amount.
    const submitted = await call<DisputeDetailResourceV1>(
      'POST',
      PUBLIC_API_PATHS.disputeEvidence(early.id),
      { uncategorized_text: 'winning_evidence', submit: true },
    );
    expect(submitted.status).toBe(200);
    // Its own write or later: the sandbox decides test evidence shortly after.
    expect(['under_review', 'won']).toContain(submitted.body.status);
    await disputeWhen(early.id, (body) => body.status === 'won');
    const wonTransaction = await transactionWhen(
      winningTransaction.id,
      (body) => body.dispute?.status === 'won',
    );
    expect(wonTransaction.dispute).toMatchObject({ id: early.id, fee_cents: 0 });
    const afterWon = await status();
    expect(afterWon.disputed_cents).toBe(before.disputed_cents);
    expect(afterWon.dispute_fees_cents).toBe(before.dispute_fees_cents);
    // Other payments (the test clocks' renewals) may land meanwhile: net is checked by its rule.
    const netByRule = (usd: typeof before) =>
      usd.gross_cents - usd.refunded_cents - usd.disputed_cents - usd.dispute_fees_cents;
    expect(afterWon.net_cents).toBe(netByRule(afterWon));

    // Losing evidence: lost; its amount and Stripe's fee leave revenue.
    const losingIntent = await paidWith('4000 0000 0000 0259');
    const losing = await listedDispute((await disputeAtStripe(losingIntent)).id);
    const open = await disputeWhen(losing.id, (body) => body.transaction_id !== null);
    const lostAnswer = await call<DisputeDetailResourceV1>(
      'POST',
      PUBLIC_API_PATHS.disputeEvidence(losing.id),
      { uncategorized_text: 'losing_evidence', submit: true },
    );
    expect(lostAnswer.status).toBe(200);
    await disputeWhen(losing.id, (body) => body.status === 'lost');
    await transactionWhen(
      defined(open.transaction_id),
      (body) => body.dispute?.status === 'lost' && body.dispute.fee_cents === 1_500,
    );
    const afterLost = await waitFor(status, (usd) => usd.disputed_cents > before.disputed_cents, {
      what: 'revenue to lose the lost dispute',
    });
    expect(afterLost.disputed_cents).toBe(before.disputed_cents + 99_900);
    expect(afterLost.dispute_fees_cents).toBe(before.dispute_fees_cents + 1_500);
    expect(afterLost.net_cents).toBe(netByRule(afterLost));
    // Nothing more can be said once decided.
    const late = await call<ProblemV1>('POST', PUBLIC_API_PATHS.disputeAccept(losing.id));
    expect(late.status).toBe(200);
    const refused = await call<ProblemV1>('POST', PUBLIC_API_PATHS.disputeEvidence(losing.id), {
      uncategorized_text: 'more',
      submit: true,
    });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('dispute_closed');

    // The deadline event stays one, however many sweeps ran since (one a second).
    expect(await deadlineEvents()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await deadlineEvents()).toBe(1);

    // A fraud warning on a 99,900 charge (under the limit): refunded once, whatever the replays.
    const warnedIntent = await paidWith('4000 0000 0000 5423');
    const warning = await waitFor(
      async () =>
        (
          await call<ListV1<FraudWarningResourceV1>>(
            'GET',
            `${PUBLIC_API_PATHS.fraudWarnings}?limit=100`,
          )
        ).body.data.find((candidate) => candidate.stripe_payment_intent_id === warnedIntent),
      (candidate) => candidate?.decision === 'refunded',
      { timeoutMs: 30_000, intervalMs: 250, what: 'the fraud warning to be refunded' },
    );
    const warningEvents = (await stripe.events.list({ limit: 100 })).data
      .filter((event) => event.type.startsWith('radar.early_fraud_warning.'))
      .filter(
        (event) =>
          (event.data.object as Stripe.Radar.EarlyFraudWarning).id ===
          defined(warning).stripe_warning_id,
      )
      .map((event) => event.id);
    expect(warningEvents.length).toBeGreaterThanOrEqual(1);
    const replays = await Promise.all(
      [warningEvents, [...warningEvents].reverse(), warningEvents].map((eventIds) =>
        call<{ republished: number }>('POST', PUBLIC_API_PATHS.replayStripeEvents, {
          event_ids: eventIds,
          force: true,
        }),
      ),
    );
    expect(replays.map((replay) => replay.status)).toEqual([200, 200, 200]);
    const [warnedTransaction] = (
      await call<ListV1<TransactionResourceV1>>(
        'GET',
        `${PUBLIC_API_PATHS.transactions}?customer_id=cust_e2e_checkout&limit=100`,
      )
    ).body.data.filter((transaction) => transaction.stripe_payment_intent_id === warnedIntent);
    const refunded = await transactionWhen(
      defined(warnedTransaction, 'the warned payment').id,
      (body) => body.status === 'refunded',
    );
    // The replays are applied (their receipts), and still one refund at Stripe and in the ledger.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(
      (await stripe.refunds.list({ payment_intent: warnedIntent })).data.map((r) => [
        r.amount,
        r.reason,
      ]),
    ).toEqual([[99_900, 'fraudulent']]);
    const settled = (
      await call<TransactionResourceV1>('GET', PUBLIC_API_PATHS.transaction(refunded.id))
    ).body;
    expect(settled.refunds.map((r) => [r.id, r.amount_cents])).toEqual([
      [defined(warning).refund_id, 99_900],
    ]);
  });

  it('aegis seed makes demo data through the API and the sandbox and, run again, adds nothing; aegis trigger fires a Stripe event that reaches webhook-ingest; aegis listen forwards a signed delivery that verifies with the secret it printed', async () => {
    const { createServer: createHttpServer } = await import('node:http');
    const { createHmac, timingSafeEqual } = await import('node:crypto');
    const cli = compiledPath('apps/cli/src/main.js');
    const cliEnv = {
      ...inheritedEnv,
      AEGIS_URL: gatewayUrl(),
      STRIPE_API_URL: `http://127.0.0.1:${defined(ports.get('stripe-sandbox'), 'sandbox port')}`,
    };
    // The CLI finds npm start's development admin key in the directory it runs in.
    const aegis = (args: string[]) =>
      run(process.execPath, [cli, ...args], { cwd: workDirectory, env: cliEnv });

    type SeedCounts = Record<string, { created: number; existing: number }>;
    const first = JSON.parse((await aegis(['seed', '--scale', 'small', '--json'])).stdout) as {
      counts: SeedCounts;
      customers: string[];
    };
    expect(first.counts).toMatchObject({
      customers: { created: 8, existing: 0 },
      api_keys: { created: 8, existing: 0 },
      cards: { created: 8, existing: 0 },
      usage_events: { created: 16, existing: 0 },
      subscriptions: { created: 4, existing: 0 },
      payments: { created: 8, existing: 0 },
      refunds: { created: 2, existing: 0 },
      disputes: { created: 2, existing: 0 },
      fraud_warnings: { created: 1, existing: 0 },
      invoices: { created: 8, existing: 0 },
    });
    // What the seed made, as the API shows it: a subscription on every plan, disputes decided,
    // a failed invoice payment beside paid ones.
    const plans = await Promise.all(
      ['acme', 'globex', 'initech', 'umbrella'].map(
        async (name) =>
          (
            await call<SubscriptionResourceV1>(
              'GET',
              PUBLIC_API_PATHS.customerSubscription(`cust_demo_${name}`),
            )
          ).body.plan_id,
      ),
    );
    expect(plans).toEqual(['junior', 'analyst', 'lead', 'principal']);
    const decided = await waitFor(
      async () =>
        (
          await call<ListV1<DisputeResourceV1>>(
            'GET',
            `${PUBLIC_API_PATHS.disputes}?status=won&limit=100`,
          )
        ).body.data.map(({ customer_id }) => customer_id),
      (won) => won.includes('cust_demo_umbrella'),
      { timeoutMs: 30_000, intervalMs: 250, what: 'the seeded dispute to be won' },
    );
    expect(decided).not.toContain('cust_demo_hooli');
    await waitFor(
      async () =>
        (
          await call<ListV1<DisputeResourceV1>>(
            'GET',
            `${PUBLIC_API_PATHS.disputes}?customer_id=cust_demo_hooli`,
          )
        ).body.data.map(({ status }) => status),
      (statuses) => statuses.includes('lost'),
      { timeoutMs: 30_000, intervalMs: 250, what: 'the seeded dispute to be lost' },
    );
    const invoiceStatuses = await waitFor(
      async () =>
        new Map(
          (
            await call<ListV1<InvoiceResourceV1>>('GET', `${PUBLIC_API_PATHS.invoices}?limit=100`)
          ).body.data
            .filter(({ customer_id }) => first.customers.includes(customer_id))
            .map(({ customer_id, status }) => [customer_id, status]),
        ),
      (statuses) => [...statuses.values()].every((status) => status !== 'open'),
      { timeoutMs: 30_000, intervalMs: 250, what: 'the seeded invoices to be collected' },
    );
    expect(invoiceStatuses.size).toBe(8);
    expect(invoiceStatuses.get('cust_demo_tyrell')).toBe('payment_failed');
    expect(invoiceStatuses.get('cust_demo_acme')).toBe('paid');
    // What the seed itself makes (a subscription's own payments may still be arriving).
    const seeded = async () => {
      const perCustomer = await Promise.all(
        first.customers.map(async (customer) => ({
          checkoutPayments: (
            await call<ListV1<TransactionResourceV1>>(
              'GET',
              `${PUBLIC_API_PATHS.transactions}?customer_id=${customer}&limit=100`,
            )
          ).body.data.filter(({ product_id }) => product_id === 'geoint_report').length,
          invoices: (
            await call<ListV1<InvoiceResourceV1>>(
              'GET',
              `${PUBLIC_API_PATHS.invoices}?customer_id=${customer}&limit=100`,
            )
          ).body.data.length,
          keys: (
            await call<ListV1<unknown>>(
              'GET',
              `${PUBLIC_API_PATHS.customerApiKeys(customer)}?limit=100`,
            )
          ).body.data.length,
          disputes: (
            await call<ListV1<DisputeResourceV1>>(
              'GET',
              `${PUBLIC_API_PATHS.disputes}?customer_id=${customer}&limit=100`,
            )
          ).body.data.length,
        })),
      );
      return perCustomer;
    };
    const seededBefore = await seeded();
    expect(seededBefore.map(({ checkoutPayments }) => checkoutPayments)).toEqual(
      first.customers.map(() => 1),
    );

    const again = await aegis(['seed', '--scale', 'small']);
    expect(again.stdout).toMatch(/^seed demo \(small\): nothing to add, everything was there$/m);
    expect(again.stdout).toMatch(/^payments +0 +8$/m);
    expect(again.stdout).toMatch(/^usage events +0 +16$/m);
    expect(await seeded()).toEqual(seededBefore);

    // trigger: the event Stripe recorded, received by webhook-ingest and applied by billing.
    const triggered = JSON.parse(
      (await aegis(['trigger', 'payment_intent.succeeded', '--json'])).stdout,
    ) as { event_id: string; objects: string[] };
    expect(triggered.event_id).toMatch(/^evt_/);
    const ingested = await waitFor(
      async () => {
        const response = await fetch(
          `${gatewayUrl()}${PUBLIC_API_PATHS.stripeEvent(triggered.event_id)}`,
          {
            headers: {
              authorization: `Bearer ${readFileSync(join(workDirectory, DEV_ADMIN_KEY_FILE), 'utf8').trim()}`,
            },
          },
        );
        return response.status === 200
          ? ((await response.json()) as {
              type: string;
              received_via: string;
              applied_by: { service: string }[];
            })
          : undefined;
      },
      (event) => event?.applied_by.some(({ service }) => service === 'billing') === true,
      { timeoutMs: 30_000, intervalMs: 250, what: 'the triggered event in webhook-ingest' },
    );
    expect(ingested).toMatchObject({ type: 'payment_intent.succeeded', received_via: 'webhook' });
    const unknown = await aegis(['trigger', 'customer.exploded']).catch(
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(unknown).toMatchObject({ code: 2 });
    expect((unknown as { stderr: string }).stderr).toContain('payment_intent.succeeded');

    // listen: a receiver of the test's own gets the delivery, signed with the printed secret.
    const received: { signature: string; body: string }[] = [];
    const receiver = createHttpServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        received.push({ signature: String(request.headers['aegis-signature']), body });
        response.writeHead(204).end();
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    const receiverPort = (receiver.address() as { port: number }).port;
    const listener = spawn(
      process.execPath,
      [
        cli,
        'listen',
        '--forward-to',
        `http://127.0.0.1:${receiverPort}/hooks`,
        '--events',
        'billing.customer.created.v1',
      ],
      { cwd: workDirectory, env: cliEnv, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let listened = '';
    listener.stdout.on('data', (chunk: Buffer) => (listened += chunk.toString()));
    try {
      const secret = await waitFor(
        () => Promise.resolve(/^signing secret: (whsec_\S+)/m.exec(listened)?.[1]),
        (found) => found !== undefined,
        { timeoutMs: 15_000, what: 'aegis listen to print its secret' },
      );
      const endpointId = defined(/webhook endpoint (we_\w+)/.exec(listened)?.[1], 'the endpoint');
      expect(
        (
          await call('POST', PUBLIC_API_PATHS.customers, {
            id: 'cust_e2e_listen',
            email: 'listen@example.com',
          })
        ).status,
      ).toBe(201);
      const [delivery] = await waitFor(
        () => Promise.resolve(received),
        (deliveries) => deliveries.length > 0,
        { timeoutMs: 30_000, intervalMs: 100, what: 'the forwarded delivery' },
      );
      const { signature, body } = defined(delivery, 'the delivery');
      const [, t, v1] = defined(/^t=(\d+),v1=([0-9a-f]+)$/.exec(signature), 'the signature');
      const expected = createHmac('sha256', defined(secret, 'the secret'))
        .update(`${t}.${body}`)
        .digest();
      expect(timingSafeEqual(Buffer.from(defined(v1, 'v1'), 'hex'), expected)).toBe(true);
      expect(JSON.parse(body)).toMatchObject({
        type: 'billing.customer.created.v1',
        data: { customer_id: 'cust_e2e_listen' },
      });
      await waitFor(
        () => Promise.resolve(listened),
        (printed) => printed.includes('--> billing.customer.created.v1'),
        { timeoutMs: 10_000, what: 'aegis listen to print the delivery' },
      );
      expect(listened).toMatch(/^--> billing\.customer\.created\.v1 \S+ \[204\]$/m);

      listener.kill('SIGINT');
      const [code] = (await once(listener, 'exit')) as [number | null];
      expect(code).toBe(0);
      expect(listened).toContain(`deleted webhook endpoint ${endpointId}`);
      const endpoints = await call<ListV1<{ id: string }>>(
        'GET',
        '/api/v1/webhook_endpoints?limit=100',
      );
      expect(endpoints.body.data.map(({ id }) => id)).not.toContain(endpointId);
    } finally {
      if (listener.exitCode === null) listener.kill('SIGKILL');
      receiver.close();
    }
  });

  it('shows the dashboard in a real browser: a wrong key refused, then each card the API’s value, a chart drawn, the provider modal, sign-out', async () => {
    const { chromium } = await import('playwright-core');
    // Kept as the test's output (git-ignored); Playwright makes the folder.
    const screenshots = join(process.cwd(), 'test-output', 'dashboard');
    const adminKey = readFileSync(join(workDirectory, DEV_ADMIN_KEY_FILE), 'utf8').trim();
    // The dashboard's money format, from the integer minor units (every currency here has 2 digits).
    const money = (cents: number, currency: string): string => {
      const digits = Math.abs(cents).toString().padStart(3, '0');
      const whole = digits.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
      return `${cents < 0 ? '-' : ''}${whole}.${digits.slice(-2)} ${currency.toUpperCase()}`;
    };
    interface Mrr {
      mrr_cents: number;
      currency: string | null;
    }
    /** What the page function reads of the chart's canvas (this file has no DOM types). */
    interface CanvasLike {
      readonly width: number;
      readonly height: number;
      getContext(kind: '2d'): {
        getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
      } | null;
    }
    const mrrOf = (answer: Mrr | { by_currency: Record<string, Mrr> }): string => {
      const entries: [string, number][] =
        'by_currency' in answer
          ? Object.entries(answer.by_currency).map(([currency, one]) => [currency, one.mrr_cents])
          : answer.currency === null
            ? []
            : [[answer.currency, answer.mrr_cents]];
      return entries.length === 0 ? '—' : entries.map(([c, cents]) => money(cents, c)).join(' · ');
    };
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      // As root (CI), Chromium runs only without its sandbox.
      args: ['--no-sandbox'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const refused: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') refused.push(message.text());
      });
      await page.goto(`${gatewayUrl()}/dashboard`);
      await page.fill('#admin-key', 'ak_not_the_admin_key');
      await page.click('[data-testid=sign-in] button[type=submit]');
      await page.waitForSelector('[data-testid=sign-in-error]');
      expect(await page.textContent('[data-testid=sign-in-error]')).toContain('not the admin key');
      await page.screenshot({ path: join(screenshots, 'sign-in-refused.png') });

      await page.fill('#admin-key', adminKey);
      await page.click('[data-testid=sign-in] button[type=submit]');
      await page.waitForSelector('[data-testid=card-mrr-value]');
      // Test-clock renewals may pay meanwhile: the page and the API are compared as one moment.
      const cardsAndApi = await waitFor(
        async () => {
          await page.reload();
          await page.waitForSelector('[data-testid=card-transactions-value]');
          // The page's CSP allows no evaluated strings: polled from here.
          await waitFor(
            () => page.textContent('[data-testid=card-mrr-value]'),
            (text) => text !== '…',
            { timeoutMs: 5_000, intervalMs: 100, what: 'the MRR card' },
          );
          const shown = Object.fromEntries(
            await Promise.all(
              ['transactions', 'revenue', 'subscriptions', 'provider', 'mrr', 'failed'].map(
                async (card) =>
                  [card, await page.textContent(`[data-testid=card-${card}-value]`)] as const,
              ),
            ),
          );
          const status = (
            await call<PaymentStatusResourceV1>('GET', PUBLIC_API_PATHS.paymentStatus)
          ).body;
          const metrics = (
            await call<Mrr | { by_currency: Record<string, Mrr> }>('GET', '/api/v1/metrics')
          ).body;
          const expected = {
            transactions: status.transactions.total.toLocaleString('en'),
            revenue: Object.entries(status.revenue)
              .map(([currency, revenue]) => money(revenue.gross_cents, currency))
              .join(' · '),
            subscriptions:
              status.active_subscriptions === null
                ? '—'
                : status.active_subscriptions.toLocaleString('en'),
            provider: status.reachable ? 'healthy' : 'unreachable',
            mrr: mrrOf(metrics),
            failed: (status.transactions.by_status.failed ?? 0).toLocaleString('en'),
          };
          return { shown, expected, status };
        },
        ({ shown, expected }) => JSON.stringify(shown) === JSON.stringify(expected),
        { timeoutMs: 15_000, intervalMs: 500, what: 'the cards to show what the API answers' },
      );
      expect(cardsAndApi.shown).toEqual(cardsAndApi.expected);
      // Data that earlier tests made: paid checkouts, a subscription, a failed payment.
      expect(cardsAndApi.status.transactions.total).toBeGreaterThan(0);
      expect(cardsAndApi.shown.revenue).toMatch(/\d USD/);
      expect(await page.textContent('[data-testid=mode-indicator]')).toContain('sandbox');

      // The revenue chart drew its lines: pixels of the gross (#2563eb) or net (#16a34a, drawn
      // over it where they are equal) colour on its canvas.
      await page.waitForSelector('[data-testid=chart-revenue] canvas');
      const linePixels = await waitFor(
        () =>
          page.$eval('[data-testid=chart-revenue] canvas', (element: unknown) => {
            const canvas = element as CanvasLike;
            const context = canvas.getContext('2d');
            if (context === null) return 0;
            const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
            let count = 0;
            for (let index = 0; index < data.length; index += 4)
              if (
                [
                  [37, 99, 235],
                  [22, 163, 74],
                ].some(
                  ([red = 0, green = 0, blue = 0]) =>
                    Math.abs((data[index] ?? 0) - red) < 24 &&
                    Math.abs((data[index + 1] ?? 0) - green) < 24 &&
                    Math.abs((data[index + 2] ?? 0) - blue) < 24,
                )
              )
                count += 1;
            return count;
          }),
        (count) => count > 20,
        { timeoutMs: 5_000, intervalMs: 100, what: 'the revenue line to be drawn' },
      );
      expect(linePixels).toBeGreaterThan(20);
      await page.waitForSelector('[data-testid=table-transactions] tbody tr');
      await page.screenshot({ path: join(screenshots, 'overview.png'), fullPage: true });

      await page.click('[data-testid=card-provider-details]');
      await page.waitForSelector('[data-testid=provider-modal]');
      expect(await page.textContent('[data-testid=modal-mode]')).toBe(cardsAndApi.status.mode);
      expect(await page.textContent('[data-testid=modal-breakdown]')).toContain('succeeded');
      await page.screenshot({ path: join(screenshots, 'provider-modal.png') });
      await page.click('[data-testid=modal-close]');
      expect(await page.$('[data-testid=provider-modal]')).toBeNull();

      await page.click('[data-testid=table-customers] tbody tr a');
      await page.waitForSelector('[data-testid=customer-page]');
      await page.screenshot({ path: join(screenshots, 'customer.png'), fullPage: true });

      await page.click('[data-testid=sign-out]');
      await page.waitForSelector('[data-testid=sign-in]');
      // Signed out, the session cookie no longer reads the API.
      const afterSignOut = await page.evaluate(
        async () => (await fetch('/api/v1/customers')).status,
      );
      expect(afterSignOut).toBe(401);
      // Nothing broke the page's content security policy.
      expect(refused.filter((text) => /Content Security Policy|Refused to/i.test(text))).toEqual(
        [],
      );
    } finally {
      await browser.close();
    }
  });

  it('stops every service on Ctrl-C', async () => {
    system.kill('SIGINT');
    const [code] = (await once(system, 'exit')) as [number | null];
    expect(code).toBe(0);
    for (const port of ports.values()) {
      await expect(
        fetch(`http://127.0.0.1:${port}/health/live`, { signal: AbortSignal.timeout(1_000) }),
      ).rejects.toThrow();
    }
  });
});
