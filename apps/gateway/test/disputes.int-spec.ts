import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DISPUTE_TEXT_EVIDENCE_FIELDS,
  IDEMPOTENT_REPLAYED_HEADER,
  PUBLIC_API_PATHS,
  type AuditLogEntryV1,
  type CustomerResourceV1,
  type DisputeDetailResourceV1,
  type DisputeResourceV1,
  type FraudWarningResourceV1,
  type ListV1,
  type ProblemV1,
  type RefundResourceV1,
} from '@aegis/contracts';
import { defined, waitFor } from '@aegis/testing';
import type Stripe from 'stripe';
import { GatewayHarness, type ApiAnswer } from './gateway-harness.js';

/** A success's body, or a refusal's problem (whose `status` is the HTTP status). */
type Either<T> = T & Omit<ProblemV1, 'status'>;

const REFUND_POLICY = 'Refunds within 30 days of purchase, on request.';
const AUTO_REFUND_MAX_CENTS = 5_000;
/** The sandbox decides submitted test evidence shortly after; its events come through webhook-ingest. */
const DECISION_TIMEOUT_MS = 30_000;

/** Every key of a dispute in a list. */
const DISPUTE_KEYS = [
  'amount_cents',
  'amount_withdrawn_cents',
  'created_at',
  'currency',
  'customer_id',
  'evidence_due_by',
  'evidence_submitted',
  'fee_cents',
  'history',
  'id',
  'object',
  'reason',
  'status',
  'stripe_charge_id',
  'stripe_dispute_id',
  'stripe_payment_intent_id',
  'transaction_id',
  'updated_at',
];

/**
 * The public disputes and fraud warnings API through a real gateway, the
 * real disputes service, billing, metering and the Stripe sandbox, whose
 * webhooks reach the services through webhook-ingest as in production: the
 * disputes are the sandbox's own, opened by its test cards.
 */
describe('disputes and early fraud warnings through the gateway', () => {
  let harness: GatewayHarness;

  const fieldsOf = (answer: { body: unknown }): string[] =>
    ((answer.body as ProblemV1).errors ?? []).map((error) => error.field).sort();

  const get = <T>(path: string, key?: string): Promise<ApiAnswer<Either<T>>> =>
    harness.request<Either<T>>('GET', path, key === undefined ? {} : { key });

  const post = <T = DisputeDetailResourceV1>(
    path: string,
    body?: unknown,
    options: { key?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiAnswer<Either<T>>> =>
    harness.request<Either<T>>('POST', path, {
      ...(body === undefined ? {} : { body }),
      ...options,
    });

  const auditTrail = async (): Promise<string[]> => {
    const log = await harness.request<ListV1<AuditLogEntryV1>>(
      'GET',
      `${PUBLIC_API_PATHS.auditLog}?limit=100`,
    );
    return log.body.data.map((entry) => `${entry.action} ${entry.target}`);
  };

  const pay = (
    customer: CustomerResourceV1,
    amount: number,
    paymentMethod: string,
  ): Promise<Stripe.PaymentIntent> =>
    harness.stripe.paymentIntents.create({
      amount,
      currency: 'usd',
      customer: customer.stripe_customer_id,
      payment_method: paymentMethod,
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      confirm: true,
    });

  const disputesOf = async (customerId: string): Promise<DisputeResourceV1[]> => {
    const answer = await get<ListV1<DisputeResourceV1>>(
      `${PUBLIC_API_PATHS.disputes}?customer_id=${customerId}&limit=100`,
    );
    expect(answer.status).toBe(200);
    return [...answer.body.data];
  };

  /** A customer's payment with the sandbox's disputed card, and its dispute once the disputes service has it. */
  const disputedPayment = async (
    amount = 7_300,
  ): Promise<{
    customer: CustomerResourceV1;
    intent: Stripe.PaymentIntent;
    dispute: DisputeResourceV1;
  }> => {
    const customer = await harness.createCustomer();
    const intent = await pay(customer, amount, 'pm_card_createDispute');
    const [dispute] = await waitFor(
      () => disputesOf(customer.id),
      (disputes) => disputes.length === 1,
      { what: `the dispute of ${intent.id} through the gateway`, timeoutMs: 30_000 },
    );
    return { customer, intent, dispute: defined(dispute) };
  };

  /** The dispute once it is linked to billing's transaction (the disputes service links it on read or by its sweep). */
  const linkedDetail = (disputeId: string): Promise<DisputeDetailResourceV1> =>
    waitFor(
      async () => (await get<DisputeDetailResourceV1>(PUBLIC_API_PATHS.dispute(disputeId))).body,
      (detail) => detail.transaction !== null && detail.transaction.dispute !== null,
      { what: `dispute ${disputeId} with its transaction`, timeoutMs: 30_000 },
    );

  beforeAll(async () => {
    harness = await GatewayHarness.start({
      replicas: 1,
      withIngest: true,
      withDisputes: true,
      disputesEnv: {
        EFW_AUTO_REFUND_MAX_CENTS: String(AUTO_REFUND_MAX_CENTS),
        DISPUTE_REFUND_POLICY_TEXT: REFUND_POLICY,
        DISPUTE_SWEEP_INTERVAL_MS: '1000',
        STRIPE_REFETCH_PER_SECOND: '100',
      },
    });
  }, 120_000);

  afterAll(async () => {
    await harness.stop();
  });

  it('lists a customer’s dispute and shows it with its history, the evidence draft and the disputed transaction', async () => {
    const { customer, intent, dispute } = await disputedPayment();
    expect(Object.keys(dispute).sort()).toStrictEqual(DISPUTE_KEYS);
    const atStripe = defined(
      (await harness.stripe.disputes.list({ payment_intent: intent.id })).data[0],
    );
    expect(dispute).toMatchObject({
      object: 'dispute',
      customer_id: customer.id,
      status: 'needs_response',
      reason: 'fraudulent',
      amount_cents: 7_300,
      currency: 'usd',
      evidence_submitted: false,
      stripe_dispute_id: atStripe.id,
      stripe_charge_id: atStripe.charge,
      stripe_payment_intent_id: intent.id,
      evidence_due_by: new Date(defined(atStripe.evidence_details.due_by) * 1000).toISOString(),
    });
    expect(dispute.history.map((entry) => [entry.from_status, entry.to_status])).toStrictEqual([
      [null, 'needs_response'],
    ]);
    expect(dispute.history[0]?.source_type).toBe('charge.dispute.created');

    // The filters: by status, and another customer's answer none of it.
    const open = await get<ListV1<DisputeResourceV1>>(
      `${PUBLIC_API_PATHS.disputes}?status=needs_response&limit=100`,
    );
    expect(open.body.data.map((each) => each.id)).toContain(dispute.id);
    const won = await get<ListV1<DisputeResourceV1>>(
      `${PUBLIC_API_PATHS.disputes}?status=won&customer_id=${customer.id}`,
    );
    expect(won.body).toStrictEqual({ object: 'list', data: [], has_more: false });
    expect(await disputesOf((await harness.createCustomer()).id)).toStrictEqual([]);

    const detail = await linkedDetail(dispute.id);
    const transaction = defined(detail.transaction);
    expect(detail.transaction_id).toBe(transaction.id);
    expect(transaction).toMatchObject({
      object: 'transaction',
      customer_id: customer.id,
      amount_cents: 7_300,
      stripe_payment_intent_id: intent.id,
      stripe_charge_id: atStripe.charge,
      dispute: { id: dispute.id, status: 'needs_response', amount_cents: 7_300 },
    });
    expect(detail.evidence_draft).toMatchObject({
      customer_email_address: customer.email,
      refund_policy_disclosure: REFUND_POLICY,
    });
    expect(detail.evidence_draft.uncategorized_text).toContain(atStripe.charge);
    // Every Stripe text field is there, null when Stripe holds nothing.
    expect(Object.keys(detail.evidence).sort()).toStrictEqual(
      [...DISPUTE_TEXT_EVIDENCE_FIELDS].sort(),
    );
    expect(Object.values(detail.evidence).every((text) => text === null)).toBe(true);
    // The list's fields are the detail's, beside evidence, draft and transaction.
    const listed = Object.fromEntries(
      Object.entries(detail).filter(
        ([key]) => !['evidence', 'evidence_draft', 'transaction'].includes(key),
      ),
    );
    expect(listed).toStrictEqual({
      ...dispute,
      transaction_id: transaction.id,
      updated_at: detail.updated_at,
    });
  });

  it('pages the disputes newest first', async () => {
    const customer = await harness.createCustomer();
    await pay(customer, 2_000, 'pm_card_createDispute');
    await pay(customer, 2_100, 'pm_card_createDispute');
    const all = await waitFor(
      () => disputesOf(customer.id),
      (disputes) => disputes.length === 2,
      { what: 'both disputes', timeoutMs: 30_000 },
    );
    const [newer, older] = all;
    const first = await get<ListV1<DisputeResourceV1>>(
      `${PUBLIC_API_PATHS.disputes}?customer_id=${customer.id}&limit=1`,
    );
    expect(first.body).toMatchObject({ has_more: true, data: [{ id: defined(newer).id }] });
    const second = await get<ListV1<DisputeResourceV1>>(
      `${PUBLIC_API_PATHS.disputes}?customer_id=${customer.id}&limit=1&starting_after=${defined(newer).id}`,
    );
    expect(second.body).toMatchObject({ has_more: false, data: [{ id: defined(older).id }] });
    const bad = await get(`${PUBLIC_API_PATHS.disputes}?limit=0&status=open`);
    expect({ status: bad.status, fields: fieldsOf(bad) }).toStrictEqual({
      status: 400,
      fields: ['limit', 'status'],
    });
  });

  it('saves evidence at Stripe, then submits the winning evidence: under review, then won', async () => {
    const { dispute } = await disputedPayment();
    const saved = await post(PUBLIC_API_PATHS.disputeEvidence(dispute.id), {
      product_description: 'A GEOINT report',
      customer_name: 'Ada Lovelace',
      submit: false,
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({
      id: dispute.id,
      status: 'needs_response',
      evidence_submitted: false,
      evidence: { product_description: 'A GEOINT report', customer_name: 'Ada Lovelace' },
    });
    const stripeSaved = await harness.stripe.disputes.retrieve(dispute.stripe_dispute_id);
    expect(stripeSaved.evidence.product_description).toBe('A GEOINT report');
    expect(stripeSaved.evidence_details.submission_count).toBe(0);

    const submitted = await post(PUBLIC_API_PATHS.disputeEvidence(dispute.id), {
      uncategorized_text: 'winning_evidence',
      submit: true,
    });
    expect(submitted.status).toBe(200);
    // The answer reads its own write or what came after it: the sandbox decides test evidence
    // shortly after, and a loaded machine may already see it won.
    expect(['under_review', 'won']).toContain(submitted.body.status);
    expect(submitted.body).toMatchObject({
      evidence_submitted: true,
      // What was saved before stays: Stripe keeps the fields not sent again.
      evidence: { product_description: 'A GEOINT report', uncategorized_text: 'winning_evidence' },
    });
    const trail = await auditTrail();
    expect(trail).toContain(`dispute.evidence ${dispute.id}`);
    expect(trail).toContain(`dispute.evidence_submit ${dispute.id}`);

    const decided = await waitFor(
      async () => (await get<DisputeDetailResourceV1>(PUBLIC_API_PATHS.dispute(dispute.id))).body,
      (detail) => detail.status === 'won',
      { what: 'the dispute to be won', timeoutMs: DECISION_TIMEOUT_MS },
    );
    // under_review is in the history when the answer saw it (not when Stripe had decided already).
    expect(decided.history.map((entry) => entry.to_status)).toStrictEqual([
      'needs_response',
      ...(submitted.body.status === 'under_review' ? ['under_review'] : []),
      'won',
    ]);
    expect(decided).toMatchObject({ fee_cents: 0, amount_withdrawn_cents: 0 });

    // Decided: nothing more can be sent, nor can it be conceded.
    const late = await post(PUBLIC_API_PATHS.disputeEvidence(dispute.id), {
      uncategorized_text: 'more',
    });
    expect(late.status).toBe(409);
    expect(late.headers.get('content-type')).toContain('application/problem+json');
    expect(late.body).toMatchObject({ code: 'dispute_closed' });
    const accept = await post(PUBLIC_API_PATHS.disputeAccept(dispute.id));
    expect(accept.status).toBe(409);
    expect(accept.body.code).toBe('dispute_closed');
  });

  it('accepts a dispute at Stripe: lost, the same answer again, then no evidence (409), and replays under its Idempotency-Key', async () => {
    const { dispute } = await disputedPayment();
    const headers = { 'idempotency-key': randomUUID() };
    const accepted = await post(PUBLIC_API_PATHS.disputeAccept(dispute.id), undefined, {
      headers,
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ id: dispute.id, status: 'lost' });
    expect(accepted.body.history.map((entry) => entry.to_status)).toStrictEqual([
      'needs_response',
      'lost',
    ]);
    expect((await harness.stripe.disputes.retrieve(dispute.stripe_dispute_id)).status).toBe('lost');
    expect(await auditTrail()).toContain(`dispute.accept ${dispute.id}`);

    const replayed = await post(PUBLIC_API_PATHS.disputeAccept(dispute.id), undefined, {
      headers,
    });
    expect(replayed.status).toBe(200);
    expect(replayed.headers.get(IDEMPOTENT_REPLAYED_HEADER)).toBe('true');
    expect(replayed.body).toStrictEqual(accepted.body);
    const again = await post(PUBLIC_API_PATHS.disputeAccept(dispute.id));
    expect(again.status).toBe(200);
    expect(again.headers.get(IDEMPOTENT_REPLAYED_HEADER)).toBeNull();
    expect(again.body.status).toBe('lost');

    const refused = await post(PUBLIC_API_PATHS.disputeEvidence(dispute.id), {
      uncategorized_text: 'too late',
      submit: true,
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'dispute_closed', status: 409 });
    // The lost dispute reaches billing's transaction too.
    await waitFor(
      async () => (await get<DisputeDetailResourceV1>(PUBLIC_API_PATHS.dispute(dispute.id))).body,
      (detail) => detail.transaction?.dispute?.status === 'lost',
      { what: 'the transaction to show the lost dispute', timeoutMs: 30_000 },
    );
  });

  it('answers an unknown dispute 404 and a malformed id 400 on every route', async () => {
    const unknown = randomUUID();
    for (const answer of [
      await get(PUBLIC_API_PATHS.dispute(unknown)),
      await post(PUBLIC_API_PATHS.disputeEvidence(unknown), { uncategorized_text: 'x' }),
      await post(PUBLIC_API_PATHS.disputeAccept(unknown)),
    ]) {
      expect(answer.status).toBe(404);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(answer.body).toMatchObject({
        code: 'dispute_not_found',
        detail: `no dispute ${unknown}`,
      });
    }
    for (const answer of [
      await get(PUBLIC_API_PATHS.dispute('dp_not_ours')),
      await post(PUBLIC_API_PATHS.disputeEvidence('dp_not_ours'), { uncategorized_text: 'x' }),
      await post(PUBLIC_API_PATHS.disputeAccept('dp_not_ours')),
    ])
      expect({ status: answer.status, fields: fieldsOf(answer) }).toStrictEqual({
        status: 400,
        fields: ['id'],
      });
  });

  it('refuses an unknown evidence field, a field too long and too much text altogether (400 naming them), sending nothing', async () => {
    const { dispute } = await disputedPayment();
    const path = PUBLIC_API_PATHS.disputeEvidence(dispute.id);
    const unknownField = await post(path, { uncategorized_text: 'fine', receipt: 'file_1' });
    expect({ status: unknownField.status, fields: fieldsOf(unknownField) }).toStrictEqual({
      status: 400,
      fields: ['receipt'],
    });
    const nested = await post(path, { evidence: { uncategorized_text: 'winning_evidence' } });
    expect({ status: nested.status, fields: fieldsOf(nested) }).toStrictEqual({
      status: 400,
      fields: ['evidence'],
    });
    const tooLong = await post(path, { product_description: 'x'.repeat(20_001), submit: true });
    expect({ status: tooLong.status, fields: fieldsOf(tooLong) }).toStrictEqual({
      status: 400,
      fields: ['product_description'],
    });
    const notText = await post(path, { customer_name: 42, submit: 'yes' });
    expect({ status: notText.status, fields: [...new Set(fieldsOf(notText))] }).toStrictEqual({
      status: 400,
      fields: ['customer_name', 'submit'],
    });
    expect(notText.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'customer_name', message: 'customer_name must be text' },
        { field: 'submit', message: 'submit must be true or false' },
      ]),
    );
    const eight = DISPUTE_TEXT_EVIDENCE_FIELDS.slice(0, 8);
    const together = await post(
      path,
      Object.fromEntries(eight.map((field) => [field, 'y'.repeat(20_000)])),
    );
    expect({ status: together.status, fields: fieldsOf(together) }).toStrictEqual({
      status: 400,
      fields: [...eight].sort(),
    });
    expect(together.body.detail).toContain('160000 characters together');

    const atStripe = await harness.stripe.disputes.retrieve(dispute.stripe_dispute_id);
    expect(atStripe.status).toBe('needs_response');
    expect(atStripe.evidence_details.has_evidence).toBe(false);
    const detail = (await get<DisputeDetailResourceV1>(PUBLIC_API_PATHS.dispute(dispute.id))).body;
    expect(Object.values(detail.evidence).every((text) => text === null)).toBe(true);
    expect(await auditTrail()).not.toContain(`dispute.evidence ${dispute.id}`);
  });

  it('is the operator’s: a customer key is 403 on every route, even for its own customer’s dispute', async () => {
    const { customer, dispute } = await disputedPayment();
    const key = await harness.createKey(customer.id, {
      scopes: ['transactions:read', 'subscriptions:read', 'subscriptions:write'],
    });
    const answers = [
      await get(PUBLIC_API_PATHS.disputes, key.key),
      await get(`${PUBLIC_API_PATHS.disputes}?customer_id=${customer.id}`, key.key),
      await get(PUBLIC_API_PATHS.dispute(dispute.id), key.key),
      await post(
        PUBLIC_API_PATHS.disputeEvidence(dispute.id),
        { uncategorized_text: 'x' },
        { key: key.key },
      ),
      await post(PUBLIC_API_PATHS.disputeAccept(dispute.id), undefined, { key: key.key }),
      await get(PUBLIC_API_PATHS.fraudWarnings, key.key),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(403);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await harness.stripe.disputes.retrieve(dispute.stripe_dispute_id)).status).toBe(
      'needs_response',
    );
    const noKey = await harness.request('GET', PUBLIC_API_PATHS.disputes, { key: null });
    expect(noKey.status).toBe(401);
  });

  it('lists early fraud warnings with their decisions: one under the threshold refunded through billing, one above kept', async () => {
    const customer = await harness.createCustomer();
    const small = await pay(customer, 3_000, 'pm_card_createEarlyFraudWarning');
    const large = await pay(customer, 9_000, 'pm_card_createEarlyFraudWarning');
    const warnings = await waitFor(
      async () =>
        (
          await get<ListV1<FraudWarningResourceV1>>(
            `${PUBLIC_API_PATHS.fraudWarnings}?customer_id=${customer.id}`,
          )
        ).body.data,
      (data) => data.length === 2 && data.every((warning) => warning.decision !== null),
      { what: 'both warnings decided', timeoutMs: 30_000 },
    );
    const byIntent = new Map(
      warnings.map((warning) => [warning.stripe_payment_intent_id, warning]),
    );
    const refunded = defined(byIntent.get(small.id));
    expect(refunded).toMatchObject({
      object: 'fraud_warning',
      customer_id: customer.id,
      decision: 'refunded',
      stripe_charge_id: small.latest_charge,
    });
    expect(refunded.refund_id).toMatch(/^rf_/);
    expect(refunded.stripe_warning_id).toMatch(/^issfr_/);
    expect(refunded.decision_detail).toBe('refunded 3000 usd to avoid a dispute');
    expect(defined(byIntent.get(large.id))).toMatchObject({
      decision: 'kept',
      refund_id: null,
      decision_detail: `the charge of 9000 usd is above EFW_AUTO_REFUND_MAX_CENTS (${AUTO_REFUND_MAX_CENTS})`,
    });

    // The refund is billing's, through the ledger, reason fraudulent.
    const refunds = await get<ListV1<RefundResourceV1>>(
      `${PUBLIC_API_PATHS.refunds}?customer_id=${customer.id}`,
    );
    expect(refunds.body.data).toHaveLength(1);
    expect(refunds.body.data[0]).toMatchObject({
      id: refunded.refund_id,
      amount_cents: 3_000,
      reason: 'fraudulent',
    });
    // Newest first, and paged.
    const page = await get<ListV1<FraudWarningResourceV1>>(
      `${PUBLIC_API_PATHS.fraudWarnings}?customer_id=${customer.id}&limit=1`,
    );
    expect(page.body).toMatchObject({ has_more: true, data: [{ id: defined(warnings[0]).id }] });
    const bad = await get(`${PUBLIC_API_PATHS.fraudWarnings}?customer_id=not%20an%20id`);
    expect({ status: bad.status, fields: fieldsOf(bad) }).toStrictEqual({
      status: 400,
      fields: ['customer_id'],
    });
  });

  it('describes every route and its schemas in the OpenAPI document', async () => {
    const answer = await harness.request<{
      paths: Record<string, Record<string, { tags?: string[] }>>;
      components: { schemas: Record<string, unknown> };
    }>('GET', PUBLIC_API_PATHS.openapi, { key: null });
    expect(answer.status).toBe(200);
    const { paths, components } = answer.body;
    for (const [path, verb] of [
      ['/api/v1/payment/disputes', 'get'],
      ['/api/v1/payment/disputes/{id}', 'get'],
      ['/api/v1/payment/disputes/{id}/evidence', 'post'],
      ['/api/v1/payment/disputes/{id}/accept', 'post'],
      ['/api/v1/payment/fraud_warnings', 'get'],
    ] as const)
      expect({ path, verb, tags: paths[path]?.[verb]?.tags }).toStrictEqual({
        path,
        verb,
        tags: ['disputes'],
      });
    for (const schema of [
      'DisputeList',
      'DisputeResource',
      'DisputeDetailResource',
      'DisputeEvidenceResource',
      'DisputeHistoryEntryResource',
      'SubmitDisputeEvidenceDto',
      'FraudWarningList',
      'FraudWarningResource',
    ])
      expect(Object.keys(components.schemas)).toContain(schema);
    const body = components.schemas.SubmitDisputeEvidenceDto as {
      properties: Record<string, unknown>;
    };
    expect(Object.keys(body.properties).sort()).toStrictEqual(
      [...DISPUTE_TEXT_EVIDENCE_FIELDS, 'submit'].sort(),
    );
  });
});
