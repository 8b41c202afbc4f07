import { ApiProperty } from '@nestjs/swagger';
import {
  DISPUTE_STATUSES,
  FRAUD_WARNING_DECISIONS,
  type DisputeDetailResourceV1,
  type DisputeDetailV1,
  type DisputeEvidenceResourceV1,
  type DisputeHistoryEntryResourceV1,
  type DisputeHistoryEntryV1,
  type DisputeResourceV1,
  type DisputeStatusV1,
  type DisputeV1,
  type FraudWarningDecisionV1,
  type FraudWarningResourceV1,
  type FraudWarningV1,
  type ListV1,
  type TransactionResourceV1,
} from '@aegis/contracts';
import { TransactionResource } from '../payments/transactions/ledger-resources.js';
import { EvidenceTextResource, evidenceResourceOf } from './dispute-evidence.js';

/*
 * The RPC replies' nullable fields are read `?? null`: a service that leaves
 * one out (JSON drops undefined) still gives the public object every key.
 */

export class DisputeEvidenceResource implements DisputeEvidenceResourceV1 {
  @EvidenceTextResource('access_activity_log') access_activity_log!: string | null;
  @EvidenceTextResource('billing_address') billing_address!: string | null;
  @EvidenceTextResource('cancellation_policy_disclosure')
  cancellation_policy_disclosure!: string | null;
  @EvidenceTextResource('cancellation_rebuttal') cancellation_rebuttal!: string | null;
  @EvidenceTextResource('customer_email_address') customer_email_address!: string | null;
  @EvidenceTextResource('customer_name') customer_name!: string | null;
  @EvidenceTextResource('customer_purchase_ip') customer_purchase_ip!: string | null;
  @EvidenceTextResource('duplicate_charge_explanation')
  duplicate_charge_explanation!: string | null;
  @EvidenceTextResource('duplicate_charge_id') duplicate_charge_id!: string | null;
  @EvidenceTextResource('product_description') product_description!: string | null;
  @EvidenceTextResource('refund_policy_disclosure') refund_policy_disclosure!: string | null;
  @EvidenceTextResource('refund_refusal_explanation') refund_refusal_explanation!: string | null;
  @EvidenceTextResource('service_date') service_date!: string | null;
  @EvidenceTextResource('shipping_address') shipping_address!: string | null;
  @EvidenceTextResource('shipping_carrier') shipping_carrier!: string | null;
  @EvidenceTextResource('shipping_date') shipping_date!: string | null;
  @EvidenceTextResource('shipping_tracking_number') shipping_tracking_number!: string | null;
  @EvidenceTextResource('uncategorized_text') uncategorized_text!: string | null;
}

export class DisputeHistoryEntryResource implements DisputeHistoryEntryResourceV1 {
  @ApiProperty({ enum: DISPUTE_STATUSES, nullable: true, description: 'null for the first status' })
  from_status!: DisputeStatusV1 | null;
  @ApiProperty({ enum: DISPUTE_STATUSES }) to_status!: DisputeStatusV1;
  @ApiProperty({
    example: 'evt_1Qx',
    description:
      'the Stripe event that made the change, or Stripe’s request id for Aegis’s own call',
  })
  source!: string;
  @ApiProperty({
    example: 'charge.dispute.created',
    description:
      'the Stripe event’s type, or aegis.dispute.evidence / aegis.dispute.accept for Aegis’s own call',
  })
  source_type!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class DisputeResource implements DisputeResourceV1 {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['dispute'] }) object!: 'dispute';
  @ApiProperty({ type: String, nullable: true, example: 'cust_abc123' })
  customer_id!: string | null;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'the ledger’s transaction of the disputed charge; null until billing has it',
  })
  transaction_id!: string | null;
  @ApiProperty({ enum: DISPUTE_STATUSES, description: 'Stripe’s dispute status' })
  status!: DisputeStatusV1;
  @ApiProperty({ example: 'fraudulent', description: 'Stripe’s reason' }) reason!: string;
  @ApiProperty({ description: 'disputed amount, minor units of currency' }) amount_cents!: number;
  @ApiProperty({ example: 'usd' }) currency!: string;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Stripe’s dispute fees net of reinstatements; null when not known yet',
  })
  fee_cents!: number | null;
  @ApiProperty({ description: 'what Stripe took out of the balance for it (given back if won)' })
  amount_withdrawn_cents!: number;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'the last moment to send evidence',
  })
  evidence_due_by!: string | null;
  @ApiProperty({ description: 'evidence was submitted to the bank: nothing more can be sent' })
  evidence_submitted!: boolean;
  @ApiProperty({ example: 'dp_1Qx' }) stripe_dispute_id!: string;
  @ApiProperty({ example: 'ch_1Qx' }) stripe_charge_id!: string;
  @ApiProperty({ type: String, nullable: true, example: 'pi_1Qx' })
  stripe_payment_intent_id!: string | null;
  @ApiProperty({ type: [DisputeHistoryEntryResource], description: 'every status, oldest first' })
  history!: DisputeHistoryEntryResource[];
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export class DisputeDetailResource extends DisputeResource implements DisputeDetailResourceV1 {
  @ApiProperty({ type: DisputeEvidenceResource, description: 'the evidence Stripe holds now' })
  evidence!: DisputeEvidenceResource;
  @ApiProperty({
    type: DisputeEvidenceResource,
    description:
      'a draft from what Aegis knows (customer, product, invoice, usage of the month, refund policy): send it as it is or edited',
  })
  evidence_draft!: DisputeEvidenceResource;
  @ApiProperty({
    type: TransactionResource,
    nullable: true,
    description: 'the disputed transaction of the ledger; null until billing has it',
  })
  transaction!: TransactionResource | null;
}

export class DisputeList implements ListV1<DisputeResource> {
  @ApiProperty({ enum: ['list'] }) object!: 'list';
  @ApiProperty({ type: [DisputeResource] }) data!: DisputeResource[];
  @ApiProperty() has_more!: boolean;
}

export class FraudWarningResource implements FraudWarningResourceV1 {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['fraud_warning'] }) object!: 'fraud_warning';
  @ApiProperty({ type: String, nullable: true, example: 'cust_abc123' })
  customer_id!: string | null;
  @ApiProperty({ description: 'Stripe still lets the charge be disputed for it' })
  actionable!: boolean;
  @ApiProperty({ example: 'made_with_stolen_card', description: 'Stripe’s fraud type' })
  fraud_type!: string;
  @ApiProperty({
    enum: FRAUD_WARNING_DECISIONS,
    nullable: true,
    description:
      'refunded (through billing, reason fraudulent); kept (above EFW_AUTO_REFUND_MAX_CENTS, or automatic refunds off); not_actionable; already_handled (refunded or disputed already); refund_failed; null while undecided',
  })
  decision!: FraudWarningDecisionV1 | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'rf_3kTq9xY2mB7pLw4sZ1aV',
    description: 'the refund billing made, when the decision was refunded',
  })
  refund_id!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'why it was decided so' })
  decision_detail!: string | null;
  @ApiProperty({ example: 'issfr_1Qx' }) stripe_warning_id!: string;
  @ApiProperty({ example: 'ch_1Qx' }) stripe_charge_id!: string;
  @ApiProperty({ type: String, nullable: true, example: 'pi_1Qx' })
  stripe_payment_intent_id!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class FraudWarningList implements ListV1<FraudWarningResource> {
  @ApiProperty({ enum: ['list'] }) object!: 'list';
  @ApiProperty({ type: [FraudWarningResource] }) data!: FraudWarningResource[];
  @ApiProperty() has_more!: boolean;
}

function historyEntryOf(entry: DisputeHistoryEntryV1): DisputeHistoryEntryResourceV1 {
  return {
    from_status: entry.fromStatus ?? null,
    to_status: entry.toStatus,
    source: entry.source,
    source_type: entry.sourceType,
    at: entry.at,
  };
}

export function disputeResourceOf(dispute: DisputeV1): DisputeResourceV1 {
  return {
    id: dispute.id,
    object: 'dispute',
    customer_id: dispute.customerId ?? null,
    transaction_id: dispute.transactionId ?? null,
    status: dispute.status,
    reason: dispute.reason,
    amount_cents: dispute.amount,
    currency: dispute.currency,
    fee_cents: dispute.feeCents ?? null,
    amount_withdrawn_cents: dispute.amountWithdrawn,
    evidence_due_by: dispute.evidenceDueBy ?? null,
    evidence_submitted: dispute.evidenceSubmitted,
    stripe_dispute_id: dispute.stripeDisputeId,
    stripe_charge_id: dispute.stripeChargeId,
    stripe_payment_intent_id: dispute.stripePaymentIntentId ?? null,
    history: dispute.history.map(historyEntryOf),
    created_at: dispute.createdAt,
    updated_at: dispute.updatedAt,
  };
}

/** One dispute with its evidence, its draft and the disputed transaction (null when none yet). */
export function disputeDetailResourceOf(
  dispute: DisputeDetailV1,
  transaction: TransactionResourceV1 | null,
): DisputeDetailResourceV1 {
  return {
    ...disputeResourceOf(dispute),
    evidence: evidenceResourceOf(dispute.evidence),
    evidence_draft: evidenceResourceOf(dispute.evidenceDraft),
    transaction,
  };
}

export function fraudWarningResourceOf(warning: FraudWarningV1): FraudWarningResourceV1 {
  return {
    id: warning.id,
    object: 'fraud_warning',
    customer_id: warning.customerId ?? null,
    actionable: warning.actionable,
    fraud_type: warning.fraudType,
    decision: warning.decision ?? null,
    refund_id: warning.refundId ?? null,
    decision_detail: warning.decisionDetail ?? null,
    stripe_warning_id: warning.stripeWarningId,
    stripe_charge_id: warning.stripeChargeId,
    stripe_payment_intent_id: warning.stripePaymentIntentId ?? null,
    created_at: warning.createdAt,
  };
}
