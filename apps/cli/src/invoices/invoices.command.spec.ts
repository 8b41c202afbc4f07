import { describe, expect, it } from '@jest/globals';
import type { InvoiceResourceV1, InvoiceRunResourceV1 } from '@aegis/contracts';
import { FakeEnvironment } from '../../test/fake-environment.js';
import { EXIT_OK, EXIT_REFUSED, EXIT_USAGE } from '../cli-error.js';
import { runCli } from '../cli.js';
import { parseCommandLine, type AegisCommand } from '../command-line.js';

function parsed(args: string[]): AegisCommand {
  const environment = new FakeEnvironment();
  const commandLine = parseCommandLine(['invoices', ...args], environment.terminal);
  if (commandLine.kind !== 'command') throw new Error(environment.err.join('\n'));
  return commandLine.command;
}

function usageErrorOf(args: string[]): string {
  const environment = new FakeEnvironment();
  expect(parseCommandLine(['invoices', ...args], environment.terminal)).toStrictEqual({
    kind: 'done',
    exitCode: EXIT_USAGE,
  });
  return environment.err.join('\n');
}

const invoice: InvoiceResourceV1 = {
  id: 'inv_1',
  object: 'invoice',
  customer_id: 'cust_abc123',
  billing_period: '2026-03',
  status: 'paid',
  currency: 'usd',
  lines: [
    {
      id: 'il_1',
      kind: 'usage',
      product_id: 'api_call',
      billing_period: '2026-03',
      description: 'API call, March 2026',
      aggregation: 'sum',
      value: '1000',
      previously_billed_value: '0',
      event_count: 12,
      first_event_at: '2026-03-02T10:00:00.000Z',
      last_event_at: '2026-03-30T10:00:00.000Z',
      usage_through: '2026-04-01T00:00:05.000Z',
      pricing_version_id: 'pv_1',
      subtotal_cents: 10000,
      discount_cents: 2000,
      amount_cents: 8000,
      stripe_invoice_item_id: 'ii_1',
    },
  ],
  subtotal_cents: 10000,
  discount_cents: 2000,
  amount_due: 8000,
  amount_paid: 8000,
  collection_method: 'charge_automatically',
  stripe_invoice_id: 'in_1',
  hosted_invoice_url: 'https://invoice.stripe.test/in_1',
  invoice_pdf: null,
  pending_stripe: false,
  last_error: null,
  finalized_at: '2026-04-01T00:00:06.000Z',
  paid_at: '2026-04-01T00:00:07.000Z',
  created_at: '2026-04-01T00:00:05.000Z',
};

function runAt(
  progress: InvoiceRunResourceV1['progress'],
  changes: Partial<InvoiceRunResourceV1> = {},
): InvoiceRunResourceV1 {
  return {
    id: 'run_1',
    object: 'invoice_run',
    billing_period: '2026-03',
    status: 'running',
    progress,
    failures: [],
    created_at: '2026-04-01T00:00:00.000Z',
    completed_at: null,
    ...changes,
  };
}

describe('aegis invoices: the command line', () => {
  it('reads create, show, list, finalize, void and run', () => {
    expect(parsed(['create', 'cust_abc123', '2026-03'])).toStrictEqual({
      kind: 'invoices.create',
      body: { customer_id: 'cust_abc123', billing_period: '2026-03' },
      json: false,
    });
    expect(
      parsed(['create', 'cust_abc123', '2026-03', '--no-finalize', '--idempotency-key', 'k1']),
    ).toStrictEqual({
      kind: 'invoices.create',
      body: { customer_id: 'cust_abc123', billing_period: '2026-03', auto_finalize: false },
      idempotencyKey: 'k1',
      json: false,
    });
    expect(parsed(['show', 'inv_1', '--json'])).toStrictEqual({
      kind: 'invoices.show',
      invoiceId: 'inv_1',
      json: true,
    });
    expect(
      parsed([
        'list',
        '--customer',
        'cust_abc123',
        '--period',
        '2026-03',
        '--status',
        'open',
        '--limit',
        '5',
      ]),
    ).toStrictEqual({
      kind: 'invoices.list',
      query: { customer_id: 'cust_abc123', billing_period: '2026-03', status: 'open', limit: 5 },
      json: false,
    });
    expect(parsed(['finalize', 'inv_1'])).toStrictEqual({
      kind: 'invoices.finalize',
      invoiceId: 'inv_1',
      json: false,
    });
    expect(parsed(['void', 'inv_1', '--json'])).toStrictEqual({
      kind: 'invoices.void',
      invoiceId: 'inv_1',
      json: true,
    });
    expect(parsed(['run', '2026-03'])).toStrictEqual({
      kind: 'invoices.run',
      billingPeriod: '2026-03',
      json: false,
    });
  });

  it('refuses a period that is not YYYY-MM, and an unknown status, before calling', () => {
    expect(usageErrorOf(['create', 'cust_abc123', '2026-13'])).toMatch(
      /must be a billing period, YYYY-MM/,
    );
    expect(usageErrorOf(['run', 'march'])).toMatch(/must be a billing period, YYYY-MM/);
    expect(usageErrorOf(['list', '--period', '2026-3'])).toMatch(/must be a billing period/);
    expect(usageErrorOf(['list', '--status', 'late'])).toMatch(/Allowed choices are draft, open/);
    expect(usageErrorOf(['create', 'cust_abc123'])).toMatch(/missing required argument 'period'/);
    expect(usageErrorOf(['show'])).toMatch(/missing required argument 'invoice_id'/);
  });
});

describe('aegis invoices: against the gateway', () => {
  it('creates an invoice (201) and says when the period’s already existed (200)', async () => {
    const environment = new FakeEnvironment().reply(201, invoice).reply(200, invoice);
    expect(await runCli(['invoices', 'create', 'cust_abc123', '2026-03'], environment)).toBe(
      EXIT_OK,
    );
    expect(environment.requests[0]).toMatchObject({
      method: 'POST',
      url: 'http://127.0.0.1:3000/api/v1/invoices',
      headers: { 'idempotency-key': 'generated-key-1' },
      body: { customer_id: 'cust_abc123', billing_period: '2026-03' },
    });
    expect(environment.out[0]).toBe(
      'created invoice inv_1 for cust_abc123, 2026-03: paid, amount due 8000 usd',
    );
    expect(environment.out).toContain('status          paid');
    expect(environment.out).toContainEqual(
      expect.stringMatching(/^ {2}api_call +2026-03 +usage +1000 \(sum\) +12 +10000 +2000 +8000$/),
    );
    environment.out.length = 0;
    expect(await runCli(['invoices', 'create', 'cust_abc123', '2026-03'], environment)).toBe(
      EXIT_OK,
    );
    expect(environment.out[0]).toBe(
      'invoice inv_1 for cust_abc123, 2026-03 already exists: paid, amount due 8000 usd (nothing changed)',
    );
  });

  it('lists with its filters and gives the command for the next page', async () => {
    const environment = new FakeEnvironment().reply(200, {
      object: 'list',
      data: [invoice],
      has_more: true,
    });
    expect(
      await runCli(
        ['invoices', 'list', '--customer', 'cust_abc123', '--status', 'paid', '--limit', '1'],
        environment,
      ),
    ).toBe(EXIT_OK);
    expect(environment.request.url).toBe(
      'http://127.0.0.1:3000/api/v1/invoices?customer_id=cust_abc123&status=paid&limit=1',
    );
    expect(environment.out[0]).toMatch(/^ID +CUSTOMER +PERIOD +STATUS +AMOUNT DUE +PAID +LINES/);
    expect(environment.out[1]).toMatch(/^inv_1 +cust_abc123 +2026-03 +paid +8000 usd +8000 +1 /);
    expect(environment.out.at(-1)).toBe(
      'more: aegis invoices list --customer cust_abc123 --status paid --limit 1 --starting-after inv_1',
    );
  });

  it('finalizes and voids by id, and prints a refusal’s problem on stderr with exit 1', async () => {
    const environment = new FakeEnvironment()
      .reply(200, { ...invoice, status: 'open', paid_at: null, amount_paid: 0 })
      .reply(409, {
        type: 'urn:aegis:problem:invoice_state',
        title: 'invoice state',
        status: 409,
        code: 'invoice_state',
        detail: 'invoice inv_1 is paid: it cannot be voided',
      });
    expect(await runCli(['invoices', 'finalize', 'inv_1'], environment)).toBe(EXIT_OK);
    expect(environment.requests[0]).toMatchObject({
      method: 'POST',
      url: 'http://127.0.0.1:3000/api/v1/invoices/inv_1/finalize',
    });
    expect(environment.out[0]).toBe('finalized invoice inv_1: open, amount due 8000 usd');
    expect(await runCli(['invoices', 'void', 'inv_1'], environment)).toBe(EXIT_REFUSED);
    expect(environment.requests[1]?.url).toBe('http://127.0.0.1:3000/api/v1/invoices/inv_1/void');
    expect(environment.err[0]).toBe(
      'aegis: the gateway answered 409 invoice state: invoice inv_1 is paid: it cannot be voided',
    );
  });

  it('runs a period: polls until it completes, a progress line per change on stderr', async () => {
    const environment = new FakeEnvironment()
      .reply(202, runAt({ total: null, done: 0, failed: 0 }))
      .reply(200, runAt({ total: 4, done: 1, failed: 0 }))
      .reply(200, runAt({ total: 4, done: 1, failed: 0 }))
      .reply(
        200,
        runAt(
          { total: 4, done: 4, failed: 0 },
          { status: 'completed', completed_at: '2026-04-01T00:01:00.000Z' },
        ),
      );
    expect(await runCli(['invoices', 'run', '2026-03'], environment)).toBe(EXIT_OK);
    expect(environment.requests.map(({ method, url }) => `${method} ${url}`)).toEqual([
      'POST http://127.0.0.1:3000/api/v1/invoice_runs',
      'GET http://127.0.0.1:3000/api/v1/invoice_runs/run_1',
      'GET http://127.0.0.1:3000/api/v1/invoice_runs/run_1',
      'GET http://127.0.0.1:3000/api/v1/invoice_runs/run_1',
    ]);
    expect(environment.requests[0]?.body).toEqual({ billing_period: '2026-03' });
    expect(environment.err).toEqual([
      'invoicing 2026-03: listing customers… 0 invoiced, 0 failed',
      `invoicing 2026-03 [${'#'.repeat(6)}${'-'.repeat(18)}]  25% 1/4 customers, 0 failed`,
      `invoicing 2026-03 [${'#'.repeat(24)}] 100% 4/4 customers, 0 failed`,
    ]);
    expect(environment.out).toEqual([
      'invoice run run_1 for 2026-03 started',
      'invoice run run_1 for 2026-03 completed at 2026-04-01T00:01:00.000Z: 4 customers, 4 invoiced, 0 failed',
    ]);
  });

  it('prints every failure at the end of a run and exits 1', async () => {
    const environment = new FakeEnvironment().reply(
      202,
      runAt(
        { total: 3, done: 1, failed: 2 },
        {
          status: 'completed',
          completed_at: '2026-04-01T00:01:00.000Z',
          failures: [
            { customer_id: 'cust_b', reason: 'no_pricing: api_call has no pricing in 2026-03' },
            { customer_id: 'cust_c', reason: 'stripe_refused: card_declined' },
          ],
        },
      ),
    );
    expect(await runCli(['invoices', 'run', '2026-03'], environment)).toBe(EXIT_REFUSED);
    expect(environment.out).toEqual([
      'carrying on with invoice run run_1 for 2026-03 (3 customers handled)',
      'invoice run run_1 for 2026-03 completed at 2026-04-01T00:01:00.000Z: 3 customers, 1 invoiced, 2 failed',
      'failures',
      '  CUSTOMER  REASON',
      '  cust_b    no_pricing: api_call has no pricing in 2026-03',
      '  cust_c    stripe_refused: card_declined',
      'fix what failed, then run it again: aegis invoices run 2026-03',
    ]);
  });

  it('prints only the run’s last state with --json', async () => {
    const last = runAt(
      { total: 1, done: 1, failed: 0 },
      { status: 'completed', completed_at: '2026-04-01T00:01:00.000Z' },
    );
    const environment = new FakeEnvironment()
      .reply(202, runAt({ total: 1, done: 0, failed: 0 }))
      .reply(200, last);
    expect(await runCli(['invoices', 'run', '2026-03', '--json'], environment)).toBe(EXIT_OK);
    expect(environment.err).toEqual([]);
    expect(JSON.parse(environment.out.join('\n'))).toEqual(last);
  });
});
