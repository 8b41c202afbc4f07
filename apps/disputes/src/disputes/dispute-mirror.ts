import {
  DISPUTE_CLOSED_V1,
  DISPUTE_CREATED_V1,
  DISPUTE_STATUSES,
  DISPUTE_TEXT_EVIDENCE_FIELDS,
  DISPUTE_UPDATED_V1,
  isFinalDisputeStatus,
  type DisputeEvidenceV1,
  type DisputeStatus,
} from '@aegis/contracts';
import { fromStripeTime, idOf } from '@aegis/stripe';
import type Stripe from 'stripe';

/** What the mirror keeps of a Stripe dispute, compared field by field to record what changed. */
export interface DisputeMirror {
  readonly stripeChargeId: string;
  readonly stripePaymentIntentId: string | null;
  readonly amount: number;
  readonly currency: string;
  readonly status: DisputeStatus;
  readonly reason: string;
  readonly evidenceDueBy: Date | null;
  readonly evidenceSubmitted: boolean;
  readonly evidence: DisputeEvidenceV1;
  readonly feeCents: number | null;
  readonly amountWithdrawn: number;
}

export type DisputeMirrorField = keyof DisputeMirror;

/** Stripe reports a dispute status this service does not know (one Stripe added). */
export class UnknownDisputeStatusError extends Error {}

export function isDisputeStatus(status: string): status is DisputeStatus {
  return (DISPUTE_STATUSES as readonly string[]).includes(status);
}

/** Stripe's text evidence, the fields it leaves null left out. */
export function textEvidenceOf(evidence: Stripe.Dispute.Evidence): DisputeEvidenceV1 {
  const text: DisputeEvidenceV1 = {};
  for (const field of DISPUTE_TEXT_EVIDENCE_FIELDS) {
    const value = evidence[field];
    if (typeof value === 'string') text[field] = value;
  }
  return text;
}

/**
 * The dispute's money from its balance transactions: Stripe's fees net of
 * reinstatements (null when Stripe has moved no money yet) and the amount
 * withdrawn net of reinstatements, without fees.
 */
export function moneyOf(dispute: Pick<Stripe.Dispute, 'balance_transactions'>): {
  feeCents: number | null;
  amountWithdrawn: number;
} {
  const transactions = dispute.balance_transactions;
  if (transactions.length === 0) return { feeCents: null, amountWithdrawn: 0 };
  return {
    feeCents: transactions.reduce((sum, transaction) => sum + transaction.fee, 0),
    amountWithdrawn: transactions.reduce((sum, transaction) => sum - transaction.amount, 0),
  };
}

export function mirrorOf(dispute: Stripe.Dispute): DisputeMirror {
  if (!isDisputeStatus(dispute.status)) {
    throw new UnknownDisputeStatusError(
      `dispute ${dispute.id} has status ${String(dispute.status)}, unknown to this service`,
    );
  }
  return {
    stripeChargeId: idOf(dispute.charge),
    stripePaymentIntentId: idOf(dispute.payment_intent),
    amount: dispute.amount,
    currency: dispute.currency,
    status: dispute.status,
    reason: dispute.reason,
    evidenceDueBy: fromStripeTime(dispute.evidence_details.due_by),
    evidenceSubmitted: dispute.evidence_details.submission_count > 0,
    evidence: textEvidenceOf(dispute.evidence),
    ...moneyOf(dispute),
  };
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const left = a as Record<string, unknown>;
    const right = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
    return [...keys].every((key) => left[key] === right[key]);
  }
  return a === b;
}

export function changedFields(before: DisputeMirror, after: DisputeMirror): DisputeMirrorField[] {
  return (Object.keys(after) as DisputeMirrorField[]).filter(
    (field) => !sameValue(before[field], after[field]),
  );
}

/**
 * How far along its life a status is. A dispute only moves forward (an
 * inquiry may become a chargeback); an event showing an earlier status than
 * the mirror's is in doubt and re-fetched rather than applied.
 */
const PROGRESS: Readonly<Record<DisputeStatus, number>> = {
  warning_needs_response: 0,
  warning_under_review: 1,
  needs_response: 2,
  under_review: 3,
  warning_closed: 4,
  won: 4,
  lost: 4,
};

export function isInDoubt(current: DisputeStatus, incoming: string): boolean {
  if (!isDisputeStatus(incoming)) return true;
  if (isFinalDisputeStatus(current)) return incoming !== current;
  return PROGRESS[incoming] < PROGRESS[current];
}

/** The `dispute.*` events a change from `previous` (null: first seen) to `current` raises. */
export function domainEventsOf(
  previous: DisputeStatus | null,
  current: DisputeStatus,
): (typeof DISPUTE_CREATED_V1 | typeof DISPUTE_UPDATED_V1 | typeof DISPUTE_CLOSED_V1)[] {
  const events: (
    typeof DISPUTE_CREATED_V1 | typeof DISPUTE_UPDATED_V1 | typeof DISPUTE_CLOSED_V1
  )[] = [previous === null ? DISPUTE_CREATED_V1 : DISPUTE_UPDATED_V1];
  if (isFinalDisputeStatus(current) && previous !== current) events.push(DISPUTE_CLOSED_V1);
  return events;
}
