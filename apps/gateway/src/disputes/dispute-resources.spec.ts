import { describe, expect, it } from '@jest/globals';
import {
  DISPUTE_TEXT_EVIDENCE_FIELDS,
  type DisputeDetailV1,
  type DisputeV1,
  type FraudWarningV1,
  type TransactionResourceV1,
} from '@aegis/contracts';
import { evidenceOf, evidenceResourceOf } from './dispute-evidence.js';
import {
  disputeDetailResourceOf,
  disputeResourceOf,
  fraudWarningResourceOf,
} from './dispute-resources.js';

const dispute: DisputeV1 = {
  id: '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b',
  stripeDisputeId: 'dp_1',
  stripeChargeId: 'ch_1',
  stripePaymentIntentId: 'pi_1',
  customerId: 'cust_abc123',
  transactionId: '0d8b7a4e-3c1f-4c55-9a51-7f3c2b1e9d00',
  amount: 7_300,
  currency: 'usd',
  status: 'under_review',
  reason: 'fraudulent',
  evidenceDueBy: '2026-03-10T00:00:00.000Z',
  evidenceSubmitted: true,
  feeCents: 1_500,
  amountWithdrawn: 7_300,
  history: [
    {
      fromStatus: null,
      toStatus: 'needs_response',
      source: 'evt_1',
      sourceType: 'charge.dispute.created',
      at: '2026-03-03T00:00:00.000Z',
    },
    {
      fromStatus: 'needs_response',
      toStatus: 'under_review',
      source: 'req_1',
      sourceType: 'aegis.dispute.evidence',
      at: '2026-03-04T00:00:00.000Z',
    },
  ],
  createdAt: '2026-03-03T00:00:00.000Z',
  updatedAt: '2026-03-04T00:00:00.000Z',
};

const publicDispute = {
  id: dispute.id,
  object: 'dispute',
  customer_id: 'cust_abc123',
  transaction_id: dispute.transactionId,
  status: 'under_review',
  reason: 'fraudulent',
  amount_cents: 7_300,
  currency: 'usd',
  fee_cents: 1_500,
  amount_withdrawn_cents: 7_300,
  evidence_due_by: '2026-03-10T00:00:00.000Z',
  evidence_submitted: true,
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
    {
      from_status: 'needs_response',
      to_status: 'under_review',
      source: 'req_1',
      source_type: 'aegis.dispute.evidence',
      at: '2026-03-04T00:00:00.000Z',
    },
  ],
  created_at: '2026-03-03T00:00:00.000Z',
  updated_at: '2026-03-04T00:00:00.000Z',
};

const nullEvidence = Object.fromEntries(DISPUTE_TEXT_EVIDENCE_FIELDS.map((field) => [field, null]));

describe(disputeResourceOf.name, () => {
  it('answers the public snake_case shape with the history in order', () => {
    expect(disputeResourceOf(dispute)).toStrictEqual(publicDispute);
  });

  it('keeps every key when the service leaves a null out', () => {
    const sparse: Partial<DisputeV1> = Object.assign({}, dispute);
    delete sparse.customerId;
    delete sparse.transactionId;
    delete sparse.feeCents;
    delete sparse.evidenceDueBy;
    delete sparse.stripePaymentIntentId;
    const resource = disputeResourceOf(sparse as DisputeV1);
    expect(Object.keys(resource).sort()).toEqual(Object.keys(publicDispute).sort());
    expect(resource).toMatchObject({
      customer_id: null,
      transaction_id: null,
      fee_cents: null,
      evidence_due_by: null,
      stripe_payment_intent_id: null,
    });
  });
});

describe(disputeDetailResourceOf.name, () => {
  it('adds the evidence and the draft with every Stripe text field (null when empty) and the transaction', () => {
    const detail: DisputeDetailV1 = Object.assign({}, dispute, {
      evidence: { uncategorized_text: 'winning_evidence' },
      evidenceDraft: {
        customer_email_address: 'a@example.com',
        refund_policy_disclosure: 'Refunds within 30 days.',
      },
    });
    const transaction = { id: dispute.transactionId } as TransactionResourceV1;
    const resource = disputeDetailResourceOf(detail, transaction);
    expect(resource).toStrictEqual({
      ...publicDispute,
      evidence: { ...nullEvidence, uncategorized_text: 'winning_evidence' },
      evidence_draft: {
        ...nullEvidence,
        customer_email_address: 'a@example.com',
        refund_policy_disclosure: 'Refunds within 30 days.',
      },
      transaction,
    });
    expect(Object.keys(resource.evidence)).toHaveLength(DISPUTE_TEXT_EVIDENCE_FIELDS.length);
    expect(disputeDetailResourceOf(detail, null).transaction).toBeNull();
  });
});

describe(evidenceOf.name, () => {
  it('sends only the fields given, under Stripe’s names', () => {
    expect(
      evidenceOf({
        product_description: 'A report',
        uncategorized_text: '',
        service_date: undefined,
      }),
    ).toStrictEqual({ product_description: 'A report', uncategorized_text: '' });
    expect(evidenceResourceOf(undefined)).toStrictEqual(nullEvidence);
  });
});

describe(fraudWarningResourceOf.name, () => {
  it('answers the warning with its decision, refund and detail', () => {
    const warning: FraudWarningV1 = {
      id: '1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d',
      stripeWarningId: 'issfr_1',
      stripeChargeId: 'ch_2',
      stripePaymentIntentId: 'pi_2',
      customerId: 'cust_abc123',
      actionable: false,
      fraudType: 'made_with_stolen_card',
      decision: 'refunded',
      refundId: 'rf_1',
      decisionDetail: 'at most 5000 usd: refunded',
      createdAt: '2026-03-03T00:00:00.000Z',
    };
    expect(fraudWarningResourceOf(warning)).toStrictEqual({
      id: warning.id,
      object: 'fraud_warning',
      customer_id: 'cust_abc123',
      actionable: false,
      fraud_type: 'made_with_stolen_card',
      decision: 'refunded',
      refund_id: 'rf_1',
      decision_detail: 'at most 5000 usd: refunded',
      stripe_warning_id: 'issfr_1',
      stripe_charge_id: 'ch_2',
      stripe_payment_intent_id: 'pi_2',
      created_at: '2026-03-03T00:00:00.000Z',
    });
    const undecided: Partial<FraudWarningV1> = Object.assign({}, warning);
    delete undecided.decision;
    delete undecided.refundId;
    delete undecided.decisionDetail;
    expect(fraudWarningResourceOf(undecided as FraudWarningV1)).toMatchObject({
      decision: null,
      refund_id: null,
      decision_detail: null,
    });
  });
});
