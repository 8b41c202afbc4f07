import {
  DISPUTE_TEXT_EVIDENCE_FIELDS,
  type DisputeDetailResourceV1,
  type DisputeEvidenceResourceV1,
  type DisputeResourceV1,
  type FraudWarningResourceV1,
  type ListV1,
} from '@aegis/contracts';
import { formatFields, formatTable } from '../output/table.js';

/** Statuses in which Stripe still takes evidence or an acceptance. */
const ANSWERABLE: ReadonlySet<string> = new Set(['needs_response', 'warning_needs_response']);

function money(cents: number, currency: string): string {
  return `${cents} ${currency}`;
}

/** `aegis disputes list`: one line per dispute, newest first. */
export function formatDisputeList(list: ListV1<DisputeResourceV1>): string[] {
  if (list.data.length === 0) return ['no disputes'];
  return formatTable(
    ['ID', 'CUSTOMER', 'STATUS', 'AMOUNT', 'REASON', 'EVIDENCE DUE', 'SUBMITTED', 'CREATED'],
    list.data.map((dispute) => [
      dispute.id,
      dispute.customer_id ?? '-',
      dispute.status,
      money(dispute.amount_cents, dispute.currency),
      dispute.reason,
      dispute.evidence_due_by ?? '-',
      dispute.evidence_submitted ? 'yes' : 'no',
      dispute.created_at,
    ]),
  );
}

/** The evidence's fields that hold text, each `  field: text` (later lines of the text indented below it). */
export function formatEvidence(evidence: DisputeEvidenceResourceV1): string[] {
  const given = DISPUTE_TEXT_EVIDENCE_FIELDS.flatMap((field) => {
    const text = evidence[field];
    return text === null || text === '' ? [] : [[field, text] as const];
  });
  if (given.length === 0) return ['  none'];
  return given.flatMap(([field, text]) => {
    const [first = '', ...rest] = text.split('\n');
    return [`  ${field}: ${first}`.trimEnd(), ...rest.map((line) => `    ${line}`.trimEnd())];
  });
}

function transactionLine(dispute: DisputeDetailResourceV1): string {
  const transaction = dispute.transaction;
  if (transaction === null)
    return dispute.transaction_id ?? '- (billing has no transaction for it yet)';
  return `${transaction.id}: ${money(transaction.amount_cents, transaction.currency)}, ${transaction.status}${
    transaction.product_id === null ? '' : `, ${transaction.product_id}`
  }${transaction.plan_id === null ? '' : `, plan ${transaction.plan_id}`}`;
}

/** `aegis disputes show` (and evidence, accept): the dispute, its history, its evidence and the draft. */
export function formatDispute(dispute: DisputeDetailResourceV1): string[] {
  const currency = dispute.currency;
  return [
    ...formatFields([
      ['id', dispute.id],
      ['status', dispute.status],
      ['reason', dispute.reason],
      ['amount', `${money(dispute.amount_cents, currency)} (minor units, cents)`],
      ['fee', dispute.fee_cents === null ? 'unknown' : money(dispute.fee_cents, currency)],
      ['withdrawn', money(dispute.amount_withdrawn_cents, currency)],
      ['evidence due by', dispute.evidence_due_by ?? '-'],
      ['evidence submitted', dispute.evidence_submitted ? 'yes' : 'no'],
      ['customer', dispute.customer_id ?? '-'],
      ['transaction', transactionLine(dispute)],
      ['stripe dispute', dispute.stripe_dispute_id],
      ['charge', dispute.stripe_charge_id],
      ['payment intent', dispute.stripe_payment_intent_id ?? '-'],
      ['created', dispute.created_at],
      ['updated', dispute.updated_at],
    ]),
    'history',
    ...formatTable(
      ['AT', 'FROM', 'TO', 'BY'],
      dispute.history.map((entry) => [
        entry.at,
        entry.from_status ?? '-',
        entry.to_status,
        `${entry.source_type} ${entry.source}`,
      ]),
    ).map((line) => `  ${line}`),
    'evidence at Stripe',
    ...formatEvidence(dispute.evidence),
    'evidence draft (from what Aegis knows)',
    ...formatEvidence(dispute.evidence_draft),
    ...(ANSWERABLE.has(dispute.status) && !dispute.evidence_submitted
      ? [
          `send the draft: aegis disputes evidence ${dispute.id} --from-draft [--<field> <text>…] [--submit]`,
          `or concede: aegis disputes accept ${dispute.id}`,
        ]
      : []),
  ];
}

/** `aegis disputes evidence`: what happened, then the dispute. */
export function formatEvidenceAnswer(
  dispute: DisputeDetailResourceV1,
  sent: readonly string[],
  submitted: boolean,
): string[] {
  const what = sent.length === 0 ? 'no new fields' : sent.join(', ');
  const headline = submitted
    ? `submitted evidence of dispute ${dispute.id} to the bank (${what}): ${dispute.status}`
    : `saved evidence of dispute ${dispute.id} at Stripe, not submitted (${what}): ${dispute.status}`;
  return [headline, ...formatDispute(dispute)];
}

/** `aegis disputes accept`. */
export function formatAccepted(dispute: DisputeDetailResourceV1): string[] {
  return [`accepted dispute ${dispute.id}: ${dispute.status}`, ...formatDispute(dispute)];
}

/** `aegis fraud-warnings list`: one line per warning, newest first. */
export function formatFraudWarningList(list: ListV1<FraudWarningResourceV1>): string[] {
  if (list.data.length === 0) return ['no fraud warnings'];
  return formatTable(
    [
      'ID',
      'CUSTOMER',
      'CHARGE',
      'FRAUD TYPE',
      'ACTIONABLE',
      'DECISION',
      'REFUND',
      'CREATED',
      'DETAIL',
    ],
    list.data.map((warning) => [
      warning.id,
      warning.customer_id ?? '-',
      warning.stripe_charge_id,
      warning.fraud_type,
      warning.actionable ? 'yes' : 'no',
      warning.decision ?? 'undecided',
      warning.refund_id ?? '-',
      warning.created_at,
      warning.decision_detail ?? '-',
    ]),
  );
}
