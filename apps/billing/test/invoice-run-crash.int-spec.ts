import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BILLING_CUSTOMER_GET_OR_CREATE_V1,
  BILLING_INVOICE_RUN_GET_V1,
  BILLING_INVOICE_RUN_START_V1,
  BILLING_PRODUCT_CREATE_V1,
  METERING_USAGE_RECORD_V1,
  type InvoiceRunV1,
} from '@aegis/contracts';
import { topologyNames, type AmqpRpcClient } from '@aegis/messaging';
import {
  TestRpcCaller,
  baseAmqpUrl,
  createTestDatabase,
  createTestPrefix,
  deleteServiceTopologies,
  sandboxStripe,
  startServiceProcess,
  useTestEnvironment,
  waitFor,
  type ServiceProcess,
  type TestDatabase,
} from '@aegis/testing';
import { RateLimiter, writeWithinRateLimit } from '@aegis/stripe';
import pg from 'pg';
import type Stripe from 'stripe';

const CUSTOMERS = 24;
const SERVICES = ['billing', 'metering'] as const;

/** The period before the current one, and the instant it ends. */
function lastPeriod(): { period: string; end: Date } {
  const now = new Date();
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const period = `${start.getUTCFullYear()}-${String(start.getUTCMonth() + 1).padStart(2, '0')}`;
  return { period, end };
}

describe('an invoice run whose billing process is killed part-way, writing faster than Stripe allows', () => {
  let database: TestDatabase;
  let prefix: string;
  let sandbox: ServiceProcess;
  let metering: ServiceProcess;
  let billing: ServiceProcess;
  let caller: TestRpcCaller;
  let rpc: AmqpRpcClient;
  let stripe: Stripe;
  let sql: pg.Client;
  const { period, end } = lastPeriod();
  const customers: { id: string; stripeId: string }[] = [];

  // The sandbox takes 10 writes a second, as Stripe would limit an account; billing is allowed
  // 25, so it meets 429s and must back off, and the run lasts long enough to be killed.
  const billingEnv = () => ({
    STRIPE_API_URL: sandbox.url,
    STRIPE_WRITES_PER_SECOND: '25',
    INVOICE_LEASE_SECONDS: '2',
    INVOICE_RESUME_INTERVAL_MS: '200',
    INVOICE_RUN_CONCURRENCY: '4',
  });

  // The test's own calls share the sandbox's limit: paced and backed off as billing's are.
  const testLimiter = new RateLimiter(3);
  const paced = <T>(work: () => Promise<T>): Promise<T> => writeWithinRateLimit(testLimiter, work);
  const rateLimitedOf = async (process: ServiceProcess): Promise<number> => {
    const text = await (await fetch(`${process.url}/metrics`)).text();
    const line = text.split('\n').find((row) => row.startsWith('aegis_stripe_rate_limited_total'));
    return Number(line?.slice(line.lastIndexOf(' ') + 1) ?? 0);
  };

  const runNow = async (runId: string): Promise<InvoiceRunV1> =>
    (await rpc.call(BILLING_INVOICE_RUN_GET_V1, { runId })).run;

  beforeAll(async () => {
    database = await createTestDatabase();
    prefix = createTestPrefix();
    useTestEnvironment({ databaseUrl: database.url, amqpUrl: baseAmqpUrl(), prefix });
    sandbox = await startServiceProcess('stripe-sandbox', {
      SANDBOX_WEBHOOK_URL: 'off',
      SANDBOX_RATE_LIMIT_PER_SECOND: '10',
    });
    billing = await startServiceProcess('billing', billingEnv());
    metering = await startServiceProcess('metering', {});
    caller = await TestRpcCaller.open(baseAmqpUrl(), prefix, 30_000);
    rpc = caller.rpc;
    stripe = sandboxStripe(sandbox.port, 'sk_test_invoice_run_crash');
    sql = new pg.Client({ connectionString: database.url });
    await sql.connect();
    await rpc.call(BILLING_PRODUCT_CREATE_V1, {
      productId: 'api_call',
      name: 'API call',
      pricingType: 'usage',
      currency: 'usd',
      unitAmountDecimal: '10',
    });
    for (let index = 0; index < CUSTOMERS; index += 1) {
      const id = `cust_crash_${String(index).padStart(2, '0')}`;
      const { customer } = await rpc.call(BILLING_CUSTOMER_GET_OR_CREATE_V1, { customerId: id });
      const method = await paced(() =>
        stripe.paymentMethods.attach('pm_card_visa', { customer: customer.stripeCustomerId }),
      );
      await paced(() =>
        stripe.customers.update(customer.stripeCustomerId, {
          invoice_settings: { default_payment_method: method.id },
        }),
      );
      await rpc.call(METERING_USAGE_RECORD_V1, {
        events: Array.from({ length: index + 1 }, (_, event) => ({
          customerId: id,
          productId: 'api_call',
          quantity: '1',
          timestamp: new Date(end.getTime() - 3_600_000 - event * 1000).toISOString(),
          idempotencyKey: `crash-${event}`,
        })),
      });
      customers.push({ id, stripeId: customer.stripeCustomerId });
    }
  });

  afterAll(async () => {
    await sql.end();
    await caller.close();
    await Promise.all([billing.stop(), metering.stop()]);
    await sandbox.stop();
    await deleteServiceTopologies(
      baseAmqpUrl(),
      SERVICES.map((service) => topologyNames(prefix, service, [])),
    );
    await database.drop();
  });

  it('finishes after a restart with exactly one invoice per customer, here and at Stripe', async () => {
    const { run } = await rpc.call(BILLING_INVOICE_RUN_START_V1, { billingPeriod: period });
    await waitFor(
      () => runNow(run.id),
      (state) => state.done >= 4,
      { what: 'the run to invoice a few customers', timeoutMs: 60_000, intervalMs: 50 },
    );
    const rateLimitedBeforeKill = await rateLimitedOf(billing);
    await billing.kill();
    const atKill = await runNow(run.id).catch(() => null);
    expect(atKill?.status ?? 'running').toBe('running');
    billing = await startServiceProcess('billing', billingEnv());

    const finished = await waitFor(
      () => runNow(run.id),
      (state) => state.status === 'completed',
      { what: 'the run to complete after the restart', timeoutMs: 120_000, intervalMs: 200 },
    );
    expect({
      total: finished.total,
      done: finished.done,
      failed: finished.failed,
      failures: finished.failures.slice(0, 3),
    }).toEqual({ total: CUSTOMERS, done: CUSTOMERS, failed: 0, failures: [] });
    // Stripe's 429s were met, backed off and retried: none made an invoice fail.
    expect(rateLimitedBeforeKill + (await rateLimitedOf(billing))).toBeGreaterThan(0);

    const ours = await sql.query<{ customer_id: string; n: string; amount: string }>(
      `SELECT "customer_id", count(*)::text AS "n", sum("amount_due_cents")::text AS "amount"
         FROM "billing"."invoices" WHERE "billing_period" = $1 GROUP BY 1 ORDER BY 1`,
      [period],
    );
    expect(ours.rows).toEqual(
      customers.map((customer, index) => ({
        customer_id: customer.id,
        n: '1',
        amount: String((index + 1) * 10),
      })),
    );
    for (const [index, customer] of customers.entries()) {
      const invoices = await paced(() =>
        stripe.invoices.list({ customer: customer.stripeId, limit: 10 }).autoPagingToArray({
          limit: 100,
        }),
      );
      expect({ customer: customer.id, invoices: invoices.length }).toEqual({
        customer: customer.id,
        invoices: 1,
      });
      expect(invoices[0]?.lines.data).toHaveLength(1);
      expect(invoices[0]?.amount_paid).toBe((index + 1) * 10);
    }
  });
});
