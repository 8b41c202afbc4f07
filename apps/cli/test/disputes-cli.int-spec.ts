import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEFAULT_RETRY_DELAYS_MS } from '@aegis/config';
import type {
  CreatedApiKeyV1,
  CustomerResourceV1,
  DisputeDetailResourceV1,
  DisputeResourceV1,
  FraudWarningResourceV1,
  ListV1,
  ServiceName,
} from '@aegis/contracts';
import { topologyNames } from '@aegis/messaging';
import {
  baseAmqpUrl,
  createTestDatabase,
  createTestPrefix,
  defined,
  deleteServiceTopologies,
  freePort,
  sandboxStripe,
  startServiceProcess,
  waitFor,
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

const REFUND_POLICY = 'Refunds within 30 days of purchase, on request.';

/**
 * `aegis disputes …` and `aegis fraud-warnings list` against the real
 * gateway, disputes service, billing, metering and the Stripe sandbox, whose
 * webhooks reach the services through webhook-ingest as in production: the
 * disputes and warnings are the sandbox's own, opened by its test cards.
 */
describe('aegis disputes and fraud-warnings against a running stack', () => {
  let database: TestDatabase;
  const prefix = createTestPrefix();
  const services: ServiceProcess[] = [];
  let gateway: ServiceProcess;
  let aegis: AegisCli;
  let stripe: Stripe;
  const suffix = randomUUID().slice(0, 8);
  let customers = 0;

  const ok = async (args: string[]): Promise<CliRun> => {
    const answer = await aegis.run(args);
    expect({ args, code: answer.code, stderr: answer.stderr }).toEqual({
      args,
      code: 0,
      stderr: '',
    });
    return answer;
  };

  const json = async <T>(args: string[]): Promise<T> =>
    JSON.parse((await ok([...args, '--json'])).stdout) as T;

  const newCustomer = async (): Promise<CustomerResourceV1> => {
    customers += 1;
    const id = `cust_dp_${suffix}_${customers}`;
    return json<CustomerResourceV1>([
      'customers',
      'create',
      '--id',
      id,
      '--email',
      `${id}@example.com`,
    ]);
  };

  const pay = (
    customer: CustomerResourceV1,
    amount: number,
    paymentMethod: string,
  ): Promise<Stripe.PaymentIntent> =>
    stripe.paymentIntents.create({
      amount,
      currency: 'usd',
      customer: customer.stripe_customer_id,
      payment_method: paymentMethod,
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      confirm: true,
    });

  /** A customer's payment with the sandbox's disputed card, and its dispute once `aegis disputes list` shows it. */
  const disputed = async (): Promise<{
    customer: CustomerResourceV1;
    dispute: DisputeResourceV1;
  }> => {
    const customer = await newCustomer();
    await pay(customer, 7_300, 'pm_card_createDispute');
    const list = await waitFor(
      () => json<ListV1<DisputeResourceV1>>(['disputes', 'list', '--customer', customer.id]),
      (answer) => answer.data.length === 1,
      { what: `the dispute of ${customer.id}`, timeoutMs: 30_000 },
    );
    return { customer, dispute: defined(list.data[0]) };
  };

  const show = (disputeId: string): Promise<DisputeDetailResourceV1> =>
    json<DisputeDetailResourceV1>(['disputes', 'show', disputeId]);

  beforeAll(async () => {
    database = await createTestDatabase();
    const adminKey = newAdminKey();
    const ingestPort = await freePort();
    const sandbox = await startServiceProcess('stripe-sandbox', {
      SANDBOX_WEBHOOK_URL: `http://127.0.0.1:${ingestPort}/webhooks/stripe`,
    });
    services.push(sandbox);
    stripe = sandboxStripe(sandbox.port, 'sk_test_cli_disputes');
    const common = {
      DATABASE_URL: database.url,
      AMQP_URL: baseAmqpUrl(),
      MESSAGING_PREFIX: prefix,
      OUTBOX_POLL_INTERVAL_MS: '100',
    };
    const onStripe = { ...common, STRIPE_API_URL: sandbox.url };
    services.push(
      ...(await Promise.all([
        startServiceProcess('billing', onStripe),
        startServiceProcess('metering', common),
        startServiceProcess('webhook-ingest', { ...onStripe, PORT: String(ingestPort) }),
        startServiceProcess('disputes', {
          ...onStripe,
          EFW_AUTO_REFUND_MAX_CENTS: '5000',
          DISPUTE_REFUND_POLICY_TEXT: REFUND_POLICY,
          DISPUTE_SWEEP_INTERVAL_MS: '1000',
          STRIPE_REFETCH_PER_SECOND: '100',
        }),
      ])),
    );
    gateway = await startGateway({ databaseUrl: database.url, prefix, adminKey });
    aegis = await AegisCli.create(gateway.url, adminKey);
  }, 120_000);

  afterAll(async () => {
    await gateway.stop();
    await Promise.all(services.map((service) => service.stop()));
    const consumers: ServiceName[] = [
      'gateway',
      'billing',
      'metering',
      'webhook-ingest',
      'disputes',
    ];
    await deleteServiceTopologies(
      baseAmqpUrl(),
      consumers.map((service) => topologyNames(prefix, service, DEFAULT_RETRY_DELAYS_MS)),
    );
    await deleteRedisKeys(prefix);
    await database.drop();
    await aegis.cleanUp();
  });

  it('lists disputes as a table and shows one with its history and evidence draft', async () => {
    const { customer, dispute } = await disputed();
    const table = (await ok(['disputes', 'list', '--customer', customer.id])).stdout;
    expect(table).toMatch(
      /^ID +CUSTOMER +STATUS +AMOUNT +REASON +EVIDENCE DUE +SUBMITTED +CREATED$/m,
    );
    expect(table).toMatch(
      new RegExp(
        `^${dispute.id} +${customer.id} +needs_response +7300 usd +fraudulent +\\S+ +no +`,
        'm',
      ),
    );
    const open = await json<ListV1<DisputeResourceV1>>([
      'disputes',
      'list',
      '--status',
      'needs_response',
      '--limit',
      '100',
    ]);
    expect(open.data.map((each) => each.id)).toContain(dispute.id);

    // Once billing has the charge, the dispute shows its transaction.
    const detail = await waitFor(
      () => show(dispute.id),
      (answer) => answer.transaction !== null,
      { what: 'the dispute’s transaction', timeoutMs: 30_000 },
    );
    const text = (await ok(['disputes', 'show', dispute.id])).stdout;
    expect(text).toMatch(/^status +needs_response$/m);
    expect(text).toMatch(/^amount +7300 usd \(minor units, cents\)$/m);
    expect(text).toMatch(/^fee +1500 usd$/m);
    expect(text).toMatch(
      new RegExp(`^transaction +${defined(detail.transaction).id}: 7300 usd, succeeded`, 'm'),
    );
    expect(text).toMatch(/^ {2}\S+ +- +needs_response +charge\.dispute\.created evt_\S+$/m);
    expect(text).toMatch(/^evidence at Stripe\n {2}none$/m);
    expect(text).toContain(
      `evidence draft (from what Aegis knows)\n  customer_email_address: ${customer.email}`,
    );
    expect(text).toMatch(new RegExp(`^ {2}refund_policy_disclosure: ${REFUND_POLICY}$`, 'm'));
    expect(text).toContain(`send the draft: aegis disputes evidence ${dispute.id} --from-draft`);
  });

  it('saves evidence, submits the winning evidence from a file, and the dispute ends won', async () => {
    const { dispute } = await disputed();
    const saved = (
      await ok([
        'disputes',
        'evidence',
        dispute.id,
        '--product-description',
        'A GEOINT report',
        '--customer-name',
        'Ada Lovelace',
      ])
    ).stdout;
    expect(saved).toMatch(
      new RegExp(
        `^saved evidence of dispute ${dispute.id} at Stripe, not submitted \\(customer_name, product_description\\): needs_response$`,
        'm',
      ),
    );
    expect(saved).toMatch(/^ {2}product_description: A GEOINT report$/m);

    const file = join(aegis.workDir, `evidence-${dispute.id}.json`);
    await writeFile(file, JSON.stringify({ uncategorized_text: 'winning_evidence' }));
    const submitted = (
      await ok(['disputes', 'evidence', dispute.id, '--evidence-file', file, '--submit'])
    ).stdout;
    expect(submitted).toMatch(
      new RegExp(
        // Its own write or later: the sandbox decides test evidence shortly after.
        `^submitted evidence of dispute ${dispute.id} to the bank \\(uncategorized_text\\): (under_review|won)$`,
        'm',
      ),
    );
    expect(submitted).toMatch(/^evidence submitted +yes$/m);
    const atStripe = await stripe.disputes.retrieve(dispute.stripe_dispute_id);
    expect(atStripe.evidence).toMatchObject({
      product_description: 'A GEOINT report',
      customer_name: 'Ada Lovelace',
      uncategorized_text: 'winning_evidence',
    });

    const won = await waitFor(
      () => show(dispute.id),
      (answer) => answer.status === 'won',
      { what: 'the dispute to be won', timeoutMs: 30_000 },
    );
    // under_review is in the history when the answer saw it (not when Stripe had decided already).
    const answeredUnderReview = submitted.includes('(uncategorized_text): under_review');
    expect(won.history.map((entry) => entry.to_status)).toStrictEqual([
      'needs_response',
      ...(answeredUnderReview ? ['under_review'] : []),
      'won',
    ]);
    const late = await aegis.run([
      'disputes',
      'evidence',
      dispute.id,
      '--uncategorized-text',
      'more',
    ]);
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/409 dispute closed/);
  });

  it('sends the draft as it is with --from-draft, overriding a field', async () => {
    const { customer, dispute } = await disputed();
    const draft = (await show(dispute.id)).evidence_draft;
    const answer = await json<DisputeDetailResourceV1>([
      'disputes',
      'evidence',
      dispute.id,
      '--from-draft',
      '--product-description',
      'Edited by the operator',
    ]);
    expect(answer.evidence).toMatchObject({
      customer_email_address: customer.email,
      refund_policy_disclosure: REFUND_POLICY,
      uncategorized_text: draft.uncategorized_text,
      product_description: 'Edited by the operator',
    });
    expect(answer).toMatchObject({ status: 'needs_response', evidence_submitted: false });
  });

  it('accepts a dispute: lost, and accepting again answers the same', async () => {
    const { dispute } = await disputed();
    expect((await ok(['disputes', 'accept', dispute.id])).stdout).toMatch(
      new RegExp(`^accepted dispute ${dispute.id}: lost$`, 'm'),
    );
    expect((await stripe.disputes.retrieve(dispute.stripe_dispute_id)).status).toBe('lost');
    expect((await json<DisputeDetailResourceV1>(['disputes', 'accept', dispute.id])).status).toBe(
      'lost',
    );
  });

  it('exits 1 with the gateway’s refusals: an unknown dispute, an unknown field in a file, a customer key', async () => {
    const unknown = await aegis.run(['disputes', 'show', randomUUID()]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/404 dispute not found: no dispute/);

    const { customer, dispute } = await disputed();
    const file = join(aegis.workDir, `unknown-${dispute.id}.json`);
    await writeFile(file, JSON.stringify({ receipt: 'file_1' }));
    const refused = await aegis.run(['disputes', 'evidence', dispute.id, '--evidence-file', file]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/400/);
    expect(refused.stderr).toMatch(/^ {2}receipt: property receipt should not exist$/m);

    const usage = await aegis.run(['disputes', 'evidence', dispute.id]);
    expect(usage.code).toBe(2);

    const key = await json<CreatedApiKeyV1>(['keys', 'create', customer.id, '--name', 'ci']);
    for (const args of [
      ['disputes', 'list'],
      ['disputes', 'show', dispute.id],
      ['disputes', 'accept', dispute.id],
      ['fraud-warnings', 'list'],
    ]) {
      const forbidden = await aegis.run(args, { env: { AEGIS_API_KEY: key.key } });
      expect({ args, code: forbidden.code }).toStrictEqual({ args, code: 1 });
      expect(forbidden.stderr).toMatch(/403/);
    }
    expect((await stripe.disputes.retrieve(dispute.stripe_dispute_id)).status).toBe(
      'needs_response',
    );
  });

  it('lists early fraud warnings with their decisions', async () => {
    const customer = await newCustomer();
    const small = await pay(customer, 3_000, 'pm_card_createEarlyFraudWarning');
    const list = await waitFor(
      () =>
        json<ListV1<FraudWarningResourceV1>>(['fraud-warnings', 'list', '--customer', customer.id]),
      (answer) => answer.data.length === 1 && answer.data[0]?.decision !== null,
      { what: 'the warning decided', timeoutMs: 30_000 },
    );
    const warning = defined(list.data[0]);
    expect(warning).toMatchObject({
      customer_id: customer.id,
      decision: 'refunded',
      stripe_payment_intent_id: small.id,
    });
    const table = (await ok(['fraud-warnings', 'list', '--customer', customer.id])).stdout;
    expect(table).toMatch(
      /^ID +CUSTOMER +CHARGE +FRAUD TYPE +ACTIONABLE +DECISION +REFUND +CREATED +DETAIL$/m,
    );
    expect(table).toMatch(
      new RegExp(
        `^${warning.id} +${customer.id} +${warning.stripe_charge_id} +\\S+ +(yes|no) +refunded +${defined(warning.refund_id)} +\\S+ +refunded 3000 usd to avoid a dispute$`,
        'm',
      ),
    );
  });
});
