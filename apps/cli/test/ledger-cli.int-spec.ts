import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEFAULT_RETRY_DELAYS_MS } from '@aegis/config';
import type { ListV1, RefundResourceV1, TransactionResourceV1 } from '@aegis/contracts';
import { topologyNames } from '@aegis/messaging';
import {
  baseAmqpUrl,
  createTestDatabase,
  createTestPrefix,
  deleteServiceTopologies,
  freePort,
  sandboxStripe,
  startServiceProcess,
  type ServiceProcess,
  type TestDatabase,
} from '@aegis/testing';
import type Stripe from 'stripe';
import {
  AegisCli,
  deleteRedisKeys,
  newAdminKey,
  startGateway,
  type CliRun,
} from './cli-harness.js';

/** What a `--json` run printed. */
function jsonOf(run: CliRun): unknown {
  return JSON.parse(run.stdout);
}

/**
 * The ledger's commands need payments at Stripe that reach billing: this
 * stack is CliStack's with webhook-ingest beside billing, the sandbox
 * delivering its webhooks to it, and an SDK client for the sandbox.
 */
describe('aegis transactions and refunds against a gateway, billing, webhook-ingest and the sandbox', () => {
  let database: TestDatabase;
  const prefix = createTestPrefix();
  const services: ServiceProcess[] = [];
  let gateway: ServiceProcess;
  let aegis: AegisCli;
  let stripe: Stripe;
  const suffix = randomUUID().slice(0, 8);
  const customerId = `cust_ledger_${suffix}`;

  const ok = async (args: string[]): Promise<CliRun> => {
    const answer = await aegis.run(args);
    expect({ args, code: answer.code, stderr: answer.stderr }).toEqual({
      args,
      code: 0,
      stderr: '',
    });
    return answer;
  };

  /** A card payment at Stripe, once `aegis transactions list --json` shows it succeeded. */
  const pay = async (amount: number): Promise<TransactionResourceV1> => {
    const customer = jsonOf(await ok(['customers', 'show', customerId, '--json'])) as {
      stripe_customer_id: string;
    };
    const intent = await stripe.paymentIntents.create({
      amount,
      currency: 'usd',
      customer: customer.stripe_customer_id,
      payment_method: 'pm_card_visa',
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      confirm: true,
    });
    return waitFor(async () => {
      const list = jsonOf(
        await ok(['transactions', 'list', '--customer', customerId, '--limit', '100', '--json']),
      ) as ListV1<TransactionResourceV1>;
      return list.data.find(
        (t) => t.stripe_payment_intent_id === intent.id && t.status === 'succeeded',
      );
    });
  };

  async function waitFor<T>(find: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const found = await find();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error('not seen within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }

  const show = async (id: string): Promise<TransactionResourceV1> =>
    jsonOf(await ok(['transactions', 'show', id, '--json'])) as TransactionResourceV1;

  beforeAll(async () => {
    database = await createTestDatabase();
    const adminKey = newAdminKey();
    const ingestPort = await freePort();
    const sandbox = await startServiceProcess('stripe-sandbox', {
      SANDBOX_WEBHOOK_URL: `http://127.0.0.1:${ingestPort}/webhooks/stripe`,
    });
    services.push(sandbox);
    const common = {
      DATABASE_URL: database.url,
      AMQP_URL: baseAmqpUrl(),
      MESSAGING_PREFIX: prefix,
      OUTBOX_POLL_INTERVAL_MS: '100',
      STRIPE_API_URL: sandbox.url,
    };
    services.push(
      ...(await Promise.all([
        startServiceProcess('billing', common),
        startServiceProcess('webhook-ingest', { ...common, PORT: String(ingestPort) }),
      ])),
    );
    gateway = await startGateway({ databaseUrl: database.url, prefix, adminKey });
    aegis = await AegisCli.create(gateway.url, adminKey);
    stripe = sandboxStripe(sandbox.port, 'sk_test_cli_ledger');
    await ok(['customers', 'create', '--id', customerId, '--email', `${customerId}@example.com`]);
  });

  afterAll(async () => {
    await gateway.stop();
    await Promise.all(services.map((service) => service.stop()));
    await deleteServiceTopologies(
      baseAmqpUrl(),
      (['billing', 'webhook-ingest', 'gateway'] as const).map((service) =>
        topologyNames(prefix, service, DEFAULT_RETRY_DELAYS_MS),
      ),
    );
    await deleteRedisKeys(prefix);
    await database.drop();
    await aegis.cleanUp();
  });

  it('refunds part, then the rest, and shows the transaction refunded with both refunds', async () => {
    const paid = await pay(4_000);
    const partial = await ok([
      'refunds',
      'create',
      paid.id,
      '--amount',
      '1500',
      '--reason',
      'requested_by_customer',
    ]);
    expect(partial.stdout).toMatch(
      new RegExp(`^refund rf_\\S+ of transaction ${paid.id}: 1500 usd, succeeded\\n$`),
    );
    const rest = jsonOf(await ok(['refunds', 'create', paid.id, '--json'])) as RefundResourceV1;
    expect(rest).toMatchObject({ amount_cents: 2_500, status: 'succeeded' });

    const refunded = await waitFor(async () => {
      const transaction = await show(paid.id);
      return transaction.status === 'refunded' ? transaction : undefined;
    });
    expect(refunded.refunds.map((r) => r.amount_cents)).toEqual([2_500, 1_500]);
    const shown = await ok(['transactions', 'show', paid.id]);
    expect(shown.stdout).toContain('refundable        0 usd');
    expect(shown.stdout).toContain('status            refunded');
    expect(shown.stdout).toContain(rest.id);

    const listed = await ok(['refunds', 'list', '--transaction', paid.id]);
    expect(listed.stdout.split('\n')[0]).toMatch(/^ID\s+TRANSACTION\s+AMOUNT\s+STATUS/);
    expect(listed.stdout).toContain(rest.id);
  });

  it('refuses an over-refund: exit 1 and the gateway’s 409 naming what is left', async () => {
    const paid = await pay(1_000);
    await ok(['refunds', 'create', paid.id, '--amount', '400']);
    const over = await aegis.run(['refunds', 'create', paid.id, '--amount', '601']);
    expect(over.code).toBe(1);
    expect(over.stdout).toBe('');
    expect(over.stderr).toContain('409');
    expect(over.stderr).toContain('600 usd is left');
    const json = await aegis.run(['refunds', 'create', paid.id, '--amount', '601', '--json']);
    expect(json.code).toBe(1);
    expect((jsonOf(json) as { status: number }).status).toBe(409);
  });

  it('records a manual transaction, lists it, and cannot refund it', async () => {
    const recorded = jsonOf(
      await ok([
        'transactions',
        'record',
        customerId,
        '99900',
        'USD',
        'Wire transfer: GEOINT report',
        '--metadata',
        'aegis_product_id=geoint_report',
        '--json',
      ]),
    ) as TransactionResourceV1;
    expect(recorded).toMatchObject({
      source: 'manual',
      status: 'succeeded',
      amount_cents: 99_900,
      currency: 'usd',
      product_id: 'geoint_report',
    });
    const listed = await ok(['transactions', 'list', '--customer', customerId, '--limit', '1']);
    expect(listed.stdout.split('\n')[1]).toMatch(
      new RegExp(
        `^${recorded.id}\\s+${customerId}\\s+succeeded\\s+99900 usd\\s+0\\s+manual\\s+geoint_report`,
      ),
    );
    expect(listed.stdout).toContain('more: aegis transactions list --customer');
    const refused = await aegis.run(['refunds', 'create', recorded.id]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('manually');
    const badAmount = await aegis.run(['transactions', 'record', customerId, '0', 'usd', 'x']);
    expect(badAmount.code).toBe(2);
  });

  it('filters the list by status and date', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const refunded = jsonOf(
      await ok([
        'transactions',
        'list',
        '--status',
        'refunded',
        '--from',
        today,
        '--to',
        today,
        '--json',
      ]),
    ) as ListV1<TransactionResourceV1>;
    expect(refunded.data.length).toBeGreaterThanOrEqual(1);
    expect(refunded.data.every((t) => t.status === 'refunded')).toBe(true);
    const none = await ok(['transactions', 'list', '--to', '2001-01-01']);
    expect(none.stdout).toBe('no transactions\n');
    const badDate = await aegis.run(['transactions', 'list', '--from', '2026-1-1']);
    expect(badDate.code).toBe(2);
  });
});
