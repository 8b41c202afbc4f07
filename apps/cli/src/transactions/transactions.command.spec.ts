import { describe, expect, it } from '@jest/globals';
import type { RefundResourceV1, TransactionResourceV1 } from '@aegis/contracts';
import { FakeEnvironment } from '../../test/fake-environment.js';
import { EXIT_OK, EXIT_REFUSED, EXIT_USAGE } from '../cli-error.js';
import { runCli } from '../cli.js';
import { parseCommandLine, type AegisCommand } from '../command-line.js';

function parsed(args: string[]): AegisCommand {
  const environment = new FakeEnvironment();
  const commandLine = parseCommandLine(args, environment.terminal);
  if (commandLine.kind !== 'command') throw new Error(environment.err.join('\n'));
  return commandLine.command;
}

function usageErrorOf(args: string[]): string {
  const environment = new FakeEnvironment();
  expect(parseCommandLine(args, environment.terminal)).toStrictEqual({
    kind: 'done',
    exitCode: EXIT_USAGE,
  });
  return environment.err.join('\n');
}

const refund: RefundResourceV1 = {
  id: 'rf_1',
  object: 'refund',
  transaction_id: '6f1c0d3e-0000-4000-8000-000000000001',
  customer_id: 'cust_abc123',
  amount_cents: 1500,
  currency: 'usd',
  reason: 'requested_by_customer',
  status: 'succeeded',
  failure_reason: null,
  origin: 'aegis',
  stripe_refund_id: 're_1',
  created_at: '2026-04-02T00:00:00.000Z',
  updated_at: '2026-04-02T00:00:00.000Z',
};

const transaction: TransactionResourceV1 = {
  id: '6f1c0d3e-0000-4000-8000-000000000001',
  object: 'transaction',
  customer_id: 'cust_abc123',
  source: 'stripe',
  status: 'partially_refunded',
  amount_cents: 5000,
  amount_refunded_cents: 1500,
  amount_refundable_cents: 3500,
  currency: 'usd',
  description: 'GEOINT report',
  failure_code: null,
  failure_message: null,
  product_id: 'geoint_report',
  plan_id: null,
  invoice_id: null,
  stripe_invoice_id: null,
  stripe_checkout_session_id: 'cs_1',
  stripe_payment_intent_id: 'pi_1',
  stripe_charge_id: 'ch_1',
  billing_period_start: null,
  billing_period_end: null,
  metadata: {},
  refunds: [refund],
  dispute: null,
  created_at: '2026-04-01T00:00:00.000Z',
  updated_at: '2026-04-02T00:00:00.000Z',
};

describe('aegis transactions and refunds: the command line', () => {
  it('reads list, show and record', () => {
    expect(
      parsed([
        'transactions',
        'list',
        '--customer',
        'cust_abc123',
        '--status',
        'refunded',
        '--from',
        '2026-03-01',
        '--to',
        '2026-03-31',
        '--limit',
        '5',
      ]),
    ).toStrictEqual({
      kind: 'transactions.list',
      query: {
        customer_id: 'cust_abc123',
        status: 'refunded',
        start_date: '2026-03-01',
        end_date: '2026-03-31',
        limit: 5,
      },
      json: false,
    });
    expect(parsed(['transactions', 'show', transaction.id, '--json'])).toStrictEqual({
      kind: 'transactions.show',
      transactionId: transaction.id,
      json: true,
    });
    expect(
      parsed([
        'transactions',
        'record',
        'cust_abc123',
        '99900',
        'USD',
        'Wire transfer',
        '--metadata',
        'ref=W-17',
        '--idempotency-key',
        'k1',
      ]),
    ).toStrictEqual({
      kind: 'transactions.record',
      body: {
        customer_id: 'cust_abc123',
        amount_cents: 99900,
        currency: 'usd',
        description: 'Wire transfer',
        metadata: { ref: 'W-17' },
      },
      idempotencyKey: 'k1',
      json: false,
    });
  });

  it('reads refunds create and list', () => {
    expect(parsed(['refunds', 'create', transaction.id])).toStrictEqual({
      kind: 'refunds.create',
      body: { transaction_id: transaction.id },
      json: false,
    });
    expect(
      parsed(['refunds', 'create', transaction.id, '--amount', '1500', '--reason', 'duplicate']),
    ).toStrictEqual({
      kind: 'refunds.create',
      body: { transaction_id: transaction.id, amount_cents: 1500, reason: 'duplicate' },
      json: false,
    });
    expect(parsed(['refunds', 'list', '--status', 'failed'])).toStrictEqual({
      kind: 'refunds.list',
      query: { status: 'failed' },
      json: false,
    });
  });

  it('refuses bad amounts, dates, statuses and reasons before calling', () => {
    expect(usageErrorOf(['refunds', 'create', transaction.id, '--amount', '0'])).toMatch(
      /must be a whole number of at least 1/,
    );
    expect(usageErrorOf(['refunds', 'create', transaction.id, '--reason', 'because'])).toMatch(
      /Allowed choices are duplicate, fraudulent, requested_by_customer/,
    );
    expect(usageErrorOf(['transactions', 'list', '--from', '2026-3-1'])).toMatch(
      /must be a date, YYYY-MM-DD/,
    );
    expect(usageErrorOf(['transactions', 'list', '--status', 'paid'])).toMatch(/Allowed choices/);
    expect(usageErrorOf(['transactions', 'record', 'cust_abc123', '10', 'dollars', 'x'])).toMatch(
      /three-letter ISO currency code/,
    );
  });
});

describe('aegis transactions and refunds: against the gateway', () => {
  it('shows a transaction with what it paid for and its refunds', async () => {
    const environment = new FakeEnvironment().reply(200, transaction);
    expect(await runCli(['transactions', 'show', transaction.id], environment)).toBe(EXIT_OK);
    expect(environment.requests[0]).toMatchObject({
      method: 'GET',
      url: `http://127.0.0.1:3000/api/v1/payment/transactions/${transaction.id}`,
    });
    expect(environment.out).toContain('status            partially_refunded');
    expect(environment.out).toContain('refundable        3500 usd');
    expect(environment.out).toContain('product           geoint_report');
    expect(environment.out).toContain('checkout session  cs_1');
    expect(environment.out).toContainEqual(
      expect.stringMatching(/^ {2}rf_1 +6f1c0d3e-\S+ +1500 usd +succeeded +requested_by_customer/),
    );
    expect(environment.out).toContain('dispute           none');
  });

  it('shows a disputed transaction with its dispute', async () => {
    const environment = new FakeEnvironment().reply(200, {
      ...transaction,
      dispute: {
        id: '7a2c0d3e-0000-4000-8000-000000000002',
        status: 'lost',
        amount_cents: 3500,
        fee_cents: 1500,
        reason: 'fraudulent',
        evidence_due_by: '2026-04-10T23:59:59.000Z',
      },
    });
    expect(await runCli(['transactions', 'show', transaction.id], environment)).toBe(EXIT_OK);
    expect(environment.out).toContain(
      'dispute           lost, 3500 usd (fraudulent), fee 1500 usd, evidence due by 2026-04-10T23:59:59.000Z, 7a2c0d3e-0000-4000-8000-000000000002',
    );
  });

  it('lists with its filters and gives the command for the next page', async () => {
    const environment = new FakeEnvironment().reply(200, {
      object: 'list',
      data: [transaction],
      has_more: true,
    });
    expect(
      await runCli(
        ['transactions', 'list', '--customer', 'cust_abc123', '--status', 'partially_refunded'],
        environment,
      ),
    ).toBe(EXIT_OK);
    expect(environment.requests[0]?.url).toBe(
      'http://127.0.0.1:3000/api/v1/payment/transactions?customer_id=cust_abc123&status=partially_refunded',
    );
    expect(environment.out[1]).toMatch(
      /^6f1c0d3e-\S+ +cust_abc123 +partially_refunded +5000 usd +1500 +stripe +geoint_report, cs_1 /,
    );
    expect(environment.out.at(-1)).toBe(
      `more: aegis transactions list --customer cust_abc123 --status partially_refunded --starting-after ${transaction.id}`,
    );
  });

  it('refunds, and exits 1 with the gateway’s 409 when more is asked than is left', async () => {
    const environment = new FakeEnvironment().reply(201, refund).reply(409, {
      type: 'urn:aegis:problem:refund_exceeds_remaining',
      title: 'Conflict',
      status: 409,
      detail: `0 usd is left to refund of transaction ${transaction.id}`,
    });
    expect(
      await runCli(['refunds', 'create', transaction.id, '--amount', '1500'], environment),
    ).toBe(EXIT_OK);
    expect(environment.requests[0]).toMatchObject({
      method: 'POST',
      url: 'http://127.0.0.1:3000/api/v1/payment/refunds',
      headers: { 'idempotency-key': 'generated-key-1' },
      body: { transaction_id: transaction.id, amount_cents: 1500 },
    });
    expect(environment.out).toEqual([
      `refund rf_1 of transaction ${transaction.id}: 1500 usd, succeeded`,
    ]);
    expect(await runCli(['refunds', 'create', transaction.id], environment)).toBe(EXIT_REFUSED);
    expect(environment.err.join('\n')).toContain('0 usd is left to refund');
  });
});
