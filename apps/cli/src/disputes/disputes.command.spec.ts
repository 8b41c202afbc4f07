import { describe, expect, it } from '@jest/globals';
import {
  DISPUTE_TEXT_EVIDENCE_FIELDS,
  type DisputeDetailResourceV1,
  type DisputeEvidenceResourceV1,
  type FraudWarningResourceV1,
} from '@aegis/contracts';
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

const DISPUTE_ID = '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b';
const GATEWAY = 'http://127.0.0.1:3000';

const noEvidence = Object.fromEntries(
  DISPUTE_TEXT_EVIDENCE_FIELDS.map((field) => [field, null]),
) as DisputeEvidenceResourceV1;

const dispute: DisputeDetailResourceV1 = {
  id: DISPUTE_ID,
  object: 'dispute',
  customer_id: 'cust_abc123',
  transaction_id: null,
  status: 'needs_response',
  reason: 'fraudulent',
  amount_cents: 7_300,
  currency: 'usd',
  fee_cents: 1_500,
  amount_withdrawn_cents: 7_300,
  evidence_due_by: '2026-03-10T23:59:59.000Z',
  evidence_submitted: false,
  stripe_dispute_id: 'dp_1',
  stripe_charge_id: 'ch_1',
  stripe_payment_intent_id: 'pi_1',
  history: [
    {
      from_status: null,
      to_status: 'needs_response',
      source: 'evt_1',
      source_type: 'charge.dispute.created',
      at: '2026-03-03T00:00:00.000Z',
    },
  ],
  created_at: '2026-03-03T00:00:00.000Z',
  updated_at: '2026-03-03T00:00:00.000Z',
  evidence: noEvidence,
  evidence_draft: {
    ...noEvidence,
    customer_email_address: 'ada@example.com',
    uncategorized_text: 'Charge ch_1 of 7300 usd\nUsage this month: 12 calls',
  },
  transaction: null,
};

const warning: FraudWarningResourceV1 = {
  id: '1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d',
  object: 'fraud_warning',
  customer_id: 'cust_abc123',
  actionable: false,
  fraud_type: 'made_with_stolen_card',
  decision: 'refunded',
  refund_id: 'rf_1',
  decision_detail: 'refunded 3000 usd to avoid a dispute',
  stripe_warning_id: 'issfr_1',
  stripe_charge_id: 'ch_2',
  stripe_payment_intent_id: 'pi_2',
  created_at: '2026-03-03T00:00:00.000Z',
};

describe('aegis disputes and fraud-warnings: the command line', () => {
  it('reads list, show, evidence, accept and fraud-warnings list', () => {
    expect(
      parsed(['disputes', 'list', '--status', 'needs_response', '--customer', 'cust_abc123']),
    ).toStrictEqual({
      kind: 'disputes.list',
      query: { status: 'needs_response', customer_id: 'cust_abc123' },
      json: false,
    });
    expect(parsed(['disputes', 'show', DISPUTE_ID, '--json'])).toStrictEqual({
      kind: 'disputes.show',
      disputeId: DISPUTE_ID,
      json: true,
    });
    expect(
      parsed([
        'disputes',
        'evidence',
        DISPUTE_ID,
        '--uncategorized-text',
        'winning_evidence',
        '--product-description',
        'A report',
        '--submit',
        '--idempotency-key',
        'k1',
      ]),
    ).toStrictEqual({
      kind: 'disputes.evidence',
      disputeId: DISPUTE_ID,
      fromDraft: false,
      fields: { product_description: 'A report', uncategorized_text: 'winning_evidence' },
      submit: true,
      idempotencyKey: 'k1',
      json: false,
    });
    expect(
      parsed(['disputes', 'evidence', DISPUTE_ID, '--from-draft', '--evidence-file', 'e.json']),
    ).toStrictEqual({
      kind: 'disputes.evidence',
      disputeId: DISPUTE_ID,
      fromDraft: true,
      evidenceFile: 'e.json',
      fields: {},
      submit: false,
      json: false,
    });
    expect(parsed(['disputes', 'accept', DISPUTE_ID])).toStrictEqual({
      kind: 'disputes.accept',
      disputeId: DISPUTE_ID,
      json: false,
    });
    expect(
      parsed(['fraud-warnings', 'list', '--customer', 'cust_abc123', '--limit', '5']),
    ).toStrictEqual({
      kind: 'fraud-warnings.list',
      query: { customer_id: 'cust_abc123', limit: 5 },
      json: false,
    });
  });

  it('has an option for every Stripe text evidence field', () => {
    for (const field of DISPUTE_TEXT_EVIDENCE_FIELDS) {
      const command = parsed([
        'disputes',
        'evidence',
        DISPUTE_ID,
        `--${field.replaceAll('_', '-')}`,
        'x',
      ]);
      expect(command).toMatchObject({ fields: { [field]: 'x' } });
    }
  });

  it('refuses evidence with nothing to send, and unknown statuses, before calling', () => {
    expect(usageErrorOf(['disputes', 'evidence', DISPUTE_ID])).toMatch(
      /give evidence \(--from-draft, --evidence-file or a field option/,
    );
    expect(usageErrorOf(['disputes', 'list', '--status', 'open'])).toMatch(/Allowed choices/);
    expect(usageErrorOf(['disputes', 'evidence', DISPUTE_ID, '--receipt', 'x'])).toMatch(
      /unknown option '--receipt'/,
    );
  });
});

describe('aegis disputes and fraud-warnings: against the gateway', () => {
  it('shows a dispute with its history, the evidence Stripe holds and the draft', async () => {
    const environment = new FakeEnvironment().reply(200, dispute);
    expect(await runCli(['disputes', 'show', DISPUTE_ID], environment)).toBe(EXIT_OK);
    expect(environment.requests[0]).toMatchObject({
      method: 'GET',
      url: `${GATEWAY}/api/v1/payment/disputes/${DISPUTE_ID}`,
    });
    const out = environment.out;
    expect(out).toContain('status              needs_response');
    expect(out).toContain('amount              7300 usd (minor units, cents)');
    expect(out).toContain('transaction         - (billing has no transaction for it yet)');
    expect(out).toContainEqual(
      expect.stringMatching(
        /^ {2}2026-03-03T00:00:00.000Z +- +needs_response +charge\.dispute\.created evt_1$/,
      ),
    );
    const atStripe = out.indexOf('evidence at Stripe');
    expect(out[atStripe + 1]).toBe('  none');
    const draft = out.indexOf('evidence draft (from what Aegis knows)');
    expect(out.slice(draft + 1, draft + 4)).toStrictEqual([
      '  customer_email_address: ada@example.com',
      '  uncategorized_text: Charge ch_1 of 7300 usd',
      '    Usage this month: 12 calls',
    ]);
    expect(out).toContain(
      `send the draft: aegis disputes evidence ${DISPUTE_ID} --from-draft [--<field> <text>…] [--submit]`,
    );
  });

  it('sends the draft, then the file, then the options over them, and submits', async () => {
    const environment = new FakeEnvironment(
      { AEGIS_API_KEY: 'ak_test_key' },
      {
        '/srv/shop/evidence.json': JSON.stringify({
          customer_email_address: 'billing@example.com',
          product_description: 'A GEOINT report',
        }),
      },
    )
      .reply(200, dispute)
      .reply(200, { ...dispute, status: 'under_review', evidence_submitted: true });
    expect(
      await runCli(
        [
          'disputes',
          'evidence',
          DISPUTE_ID,
          '--from-draft',
          '--evidence-file',
          'evidence.json',
          '--uncategorized-text',
          'winning_evidence',
          '--submit',
        ],
        environment,
      ),
    ).toBe(EXIT_OK);
    expect(environment.requests[1]).toMatchObject({
      method: 'POST',
      url: `${GATEWAY}/api/v1/payment/disputes/${DISPUTE_ID}/evidence`,
      headers: { 'idempotency-key': 'generated-key-1' },
    });
    expect(environment.requests[1]?.body).toStrictEqual({
      customer_email_address: 'billing@example.com',
      product_description: 'A GEOINT report',
      uncategorized_text: 'winning_evidence',
      submit: true,
    });
    expect(environment.out[0]).toBe(
      `submitted evidence of dispute ${DISPUTE_ID} to the bank (customer_email_address, uncategorized_text, product_description): under_review`,
    );
  });

  it('says what is wrong with an evidence file, calling nothing', async () => {
    const environment = new FakeEnvironment(
      { AEGIS_API_KEY: 'ak_test_key' },
      { '/srv/shop/list.json': '["winning_evidence"]', '/srv/shop/bad.json': '{' },
    );
    for (const [file, message] of [
      ['list.json', 'list.json: it must hold a JSON object of evidence fields'],
      ['bad.json', 'bad.json: it is not JSON'],
      ['none.json', 'cannot read none.json: no such file'],
    ] as const) {
      expect(
        await runCli(['disputes', 'evidence', DISPUTE_ID, '--evidence-file', file], environment),
      ).toBe(EXIT_USAGE);
      expect(environment.err.at(-1)).toContain(message);
    }
    expect(environment.requests).toHaveLength(0);
  });

  it('accepts, and exits 1 with the gateway’s 409 once the dispute is closed', async () => {
    const environment = new FakeEnvironment()
      .reply(200, { ...dispute, status: 'lost' })
      .reply(409, {
        type: 'urn:aegis:problem:dispute_closed',
        title: 'dispute closed',
        status: 409,
        code: 'dispute_closed',
        detail: `dispute ${DISPUTE_ID} is lost: it can no longer be changed at Stripe`,
      });
    expect(await runCli(['disputes', 'accept', DISPUTE_ID], environment)).toBe(EXIT_OK);
    expect(environment.requests[0]).toMatchObject({
      method: 'POST',
      url: `${GATEWAY}/api/v1/payment/disputes/${DISPUTE_ID}/accept`,
      body: undefined,
    });
    expect(environment.out[0]).toBe(`accepted dispute ${DISPUTE_ID}: lost`);
    expect(
      await runCli(['disputes', 'evidence', DISPUTE_ID, '--uncategorized-text', 'x'], environment),
    ).toBe(EXIT_REFUSED);
    expect(environment.err.join('\n')).toContain('409 dispute closed');
  });

  it('lists disputes and fraud warnings with the next page’s command', async () => {
    const environment = new FakeEnvironment()
      .reply(200, { object: 'list', data: [dispute], has_more: true })
      .reply(200, { object: 'list', data: [warning], has_more: false });
    expect(
      await runCli(['disputes', 'list', '--status', 'needs_response', '--limit', '1'], environment),
    ).toBe(EXIT_OK);
    expect(environment.requests[0]?.url).toBe(
      `${GATEWAY}/api/v1/payment/disputes?status=needs_response&limit=1`,
    );
    expect(environment.out[1]).toMatch(
      new RegExp(
        `^${DISPUTE_ID} +cust_abc123 +needs_response +7300 usd +fraudulent +2026-03-10T23:59:59.000Z +no +2026-03-03`,
      ),
    );
    expect(environment.out.at(-1)).toBe(
      `more: aegis disputes list --status needs_response --limit 1 --starting-after ${DISPUTE_ID}`,
    );
    expect(await runCli(['fraud-warnings', 'list'], environment)).toBe(EXIT_OK);
    expect(environment.requests[1]?.url).toBe(`${GATEWAY}/api/v1/payment/fraud_warnings`);
    expect(environment.out.at(-1)).toMatch(
      /^1b2c3d4e-\S+ +cust_abc123 +ch_2 +made_with_stolen_card +no +refunded +rf_1 +2026-03-03T00:00:00.000Z +refunded 3000 usd to avoid a dispute$/,
    );
  });
});
