import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsCustomerId } from '../customer-id.js';
import { DISPUTE_STATUSES, type DisputeStatus } from '../events/dispute.v1.js';
import { LedgerTransactionV1 } from './ledger.v1.js';
import { PageReplyV1, PageRequestV1 } from './paging.js';
import { defineRpcRoute } from './rpc-route.js';

/**
 * The disputes service over RPC (docs/disputes.md): disputes and early fraud
 * warnings mirrored from Stripe, evidence, accepting. Expected failures:
 * `dispute_not_found` (404), `invalid_evidence` (400, with the fields at
 * fault), `dispute_closed` (409: the dispute can no longer be answered),
 * Stripe's refusals (502) or absence (503).
 */

/**
 * Stripe's text evidence fields (`evidence[...]` on `POST /v1/disputes/:id`).
 * The file fields (receipt, customer_communication, …) take Stripe file ids
 * and are not sent by Aegis; their text is put in `uncategorized_text`.
 */
export const DISPUTE_TEXT_EVIDENCE_FIELDS = [
  'access_activity_log',
  'billing_address',
  'cancellation_policy_disclosure',
  'cancellation_rebuttal',
  'customer_email_address',
  'customer_name',
  'customer_purchase_ip',
  'duplicate_charge_explanation',
  'duplicate_charge_id',
  'product_description',
  'refund_policy_disclosure',
  'refund_refusal_explanation',
  'service_date',
  'shipping_address',
  'shipping_carrier',
  'shipping_date',
  'shipping_tracking_number',
  'uncategorized_text',
] as const;
export type DisputeTextEvidenceField = (typeof DISPUTE_TEXT_EVIDENCE_FIELDS)[number];

/** Stripe's limit on all of a dispute's text evidence together. */
export const MAX_EVIDENCE_TEXT_LENGTH = 150_000;

/** Evidence as text fields, each optional (Stripe's names). */
export class DisputeEvidenceV1 {
  @IsOptional() @IsString() @MaxLength(20_000) access_activity_log?: string;
  @IsOptional() @IsString() @MaxLength(20_000) billing_address?: string;
  @IsOptional() @IsString() @MaxLength(20_000) cancellation_policy_disclosure?: string;
  @IsOptional() @IsString() @MaxLength(20_000) cancellation_rebuttal?: string;
  @IsOptional() @IsString() @MaxLength(20_000) customer_email_address?: string;
  @IsOptional() @IsString() @MaxLength(20_000) customer_name?: string;
  @IsOptional() @IsString() @MaxLength(20_000) customer_purchase_ip?: string;
  @IsOptional() @IsString() @MaxLength(20_000) duplicate_charge_explanation?: string;
  @IsOptional() @IsString() @MaxLength(20_000) duplicate_charge_id?: string;
  @IsOptional() @IsString() @MaxLength(20_000) product_description?: string;
  @IsOptional() @IsString() @MaxLength(20_000) refund_policy_disclosure?: string;
  @IsOptional() @IsString() @MaxLength(20_000) refund_refusal_explanation?: string;
  @IsOptional() @IsString() @MaxLength(20_000) service_date?: string;
  @IsOptional() @IsString() @MaxLength(20_000) shipping_address?: string;
  @IsOptional() @IsString() @MaxLength(20_000) shipping_carrier?: string;
  @IsOptional() @IsString() @MaxLength(20_000) shipping_date?: string;
  @IsOptional() @IsString() @MaxLength(20_000) shipping_tracking_number?: string;
  @IsOptional() @IsString() @MaxLength(20_000) uncategorized_text?: string;
}

export class DisputeHistoryEntryV1 {
  @IsOptional()
  @IsIn(DISPUTE_STATUSES)
  fromStatus!: DisputeStatus | null;

  @IsIn(DISPUTE_STATUSES)
  toStatus!: DisputeStatus;

  /** The Stripe event (or, for our own call, the Stripe request id) that made the change. */
  @IsString()
  source!: string;

  @IsString()
  sourceType!: string;

  @IsISO8601({ strict: true })
  at!: string;
}

export class DisputeV1 {
  @IsUUID()
  id!: string;

  @Matches(/^dp_\w+$/)
  stripeDisputeId!: string;

  @IsString()
  stripeChargeId!: string;

  @IsOptional()
  @IsString()
  stripePaymentIntentId!: string | null;

  @IsOptional()
  @IsCustomerId()
  customerId!: string | null;

  /** The ledger's transaction of the disputed charge, once billing has it (null until then). */
  @IsOptional()
  @IsUUID()
  transactionId!: string | null;

  @IsInt()
  @Min(0)
  amount!: number;

  @Matches(/^[a-z]{3}$/)
  currency!: string;

  @IsIn(DISPUTE_STATUSES)
  status!: DisputeStatus;

  @IsString()
  reason!: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  evidenceDueBy!: string | null;

  @IsBoolean()
  evidenceSubmitted!: boolean;

  @IsOptional()
  @IsInt()
  feeCents!: number | null;

  @IsInt()
  amountWithdrawn!: number;

  @ValidateNested({ each: true })
  @Type(() => DisputeHistoryEntryV1)
  history!: DisputeHistoryEntryV1[];

  @IsISO8601({ strict: true })
  createdAt!: string;

  @IsISO8601({ strict: true })
  updatedAt!: string;
}

export class DisputeDetailV1 extends DisputeV1 {
  /** Evidence as Stripe holds it now. */
  @ValidateNested()
  @Type(() => DisputeEvidenceV1)
  evidence!: DisputeEvidenceV1;

  /** A draft assembled from what Aegis knows (customer, product, invoice, usage, refund policy). */
  @ValidateNested()
  @Type(() => DisputeEvidenceV1)
  evidenceDraft!: DisputeEvidenceV1;
}

export class DisputeReplyV1 {
  @ValidateNested()
  @Type(() => DisputeDetailV1)
  dispute!: DisputeDetailV1;
}

export class DisputeRefV1 {
  @IsUUID('all', { message: 'disputeId must be a dispute id' })
  disputeId!: string;

  /** With a customer key: the caller's customer; another's dispute is not found. */
  @IsOptional()
  @IsCustomerId()
  customerId?: string;
}

export class ListDisputesRequestV1 extends PageRequestV1 {
  @IsOptional()
  @IsIn(DISPUTE_STATUSES)
  status?: DisputeStatus;

  @IsOptional()
  @IsCustomerId()
  customerId?: string;
}

export class ListDisputesReplyV1 extends PageReplyV1 {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => DisputeV1)
  disputes!: DisputeV1[];
}

export class SubmitEvidenceRequestV1 extends DisputeRefV1 {
  @ValidateNested()
  @Type(() => DisputeEvidenceV1)
  evidence!: DisputeEvidenceV1;

  /** Submit to the bank now (final: Stripe allows one submission); else saved as a draft at Stripe. */
  @IsBoolean()
  submit!: boolean;
}

/** What was decided about an early fraud warning. */
export const FRAUD_WARNING_DECISIONS = [
  /** Refunded through billing, reason `fraudulent`. */
  'refunded',
  /** Not actionable (Stripe says the charge cannot be disputed any more, or it is not a card fraud). */
  'not_actionable',
  /** Above EFW_AUTO_REFUND_MAX_CENTS, or automatic refunds are off. */
  'kept',
  /** Already refunded or disputed. */
  'already_handled',
  /** The refund was refused (billing or Stripe said no): the reason is kept. */
  'refund_failed',
] as const;
export type FraudWarningDecision = (typeof FRAUD_WARNING_DECISIONS)[number];

export class FraudWarningV1 {
  @IsUUID()
  id!: string;

  @Matches(/^issfr_\w+$/)
  stripeWarningId!: string;

  @IsString()
  stripeChargeId!: string;

  @IsOptional()
  @IsString()
  stripePaymentIntentId!: string | null;

  @IsOptional()
  @IsCustomerId()
  customerId!: string | null;

  @IsBoolean()
  actionable!: boolean;

  @IsString()
  fraudType!: string;

  @IsOptional()
  @IsIn(FRAUD_WARNING_DECISIONS)
  decision!: FraudWarningDecision | null;

  /** The refund billing made (its `rf_…` id), when the decision was `refunded`. */
  @IsOptional()
  @IsString()
  refundId!: string | null;

  @IsOptional()
  @IsString()
  decisionDetail!: string | null;

  @IsISO8601({ strict: true })
  createdAt!: string;
}

export class ListFraudWarningsRequestV1 extends PageRequestV1 {
  @IsOptional()
  @IsCustomerId()
  customerId?: string;
}

export class ListFraudWarningsReplyV1 extends PageReplyV1 {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => FraudWarningV1)
  fraudWarnings!: FraudWarningV1[];
}

export const DISPUTES_LIST_V1 = defineRpcRoute({
  name: 'disputes.dispute.list.v1',
  service: 'disputes',
  request: ListDisputesRequestV1,
  reply: ListDisputesReplyV1,
});

/** One dispute with its history, Stripe's evidence and a prefilled evidence draft. */
export const DISPUTES_GET_V1 = defineRpcRoute({
  name: 'disputes.dispute.get.v1',
  service: 'disputes',
  request: DisputeRefV1,
  reply: DisputeReplyV1,
});

/** Sends evidence to Stripe, optionally submitting it. */
export const DISPUTES_EVIDENCE_V1 = defineRpcRoute({
  name: 'disputes.dispute.evidence.v1',
  service: 'disputes',
  request: SubmitEvidenceRequestV1,
  reply: DisputeReplyV1,
});

/** Concedes the dispute (Stripe's close): it ends `lost`. */
export const DISPUTES_ACCEPT_V1 = defineRpcRoute({
  name: 'disputes.dispute.accept.v1',
  service: 'disputes',
  request: DisputeRefV1,
  reply: DisputeReplyV1,
});

export const DISPUTES_FRAUD_WARNING_LIST_V1 = defineRpcRoute({
  name: 'disputes.fraud_warning.list.v1',
  service: 'disputes',
  request: ListFraudWarningsRequestV1,
  reply: ListFraudWarningsReplyV1,
});

export class TransactionOfStripeRequestV1 {
  @IsOptional()
  @Matches(/^(ch|py)_\w+$/)
  stripeChargeId?: string;

  @IsOptional()
  @Matches(/^pi_\w+$/)
  stripePaymentIntentId?: string;
}

export class TransactionOfStripeReplyV1 {
  /** The ledger's transaction of the charge (or else of the payment intent); null when billing has none yet. */
  @IsOptional()
  @ValidateNested()
  @Type(() => LedgerTransactionV1)
  transaction!: LedgerTransactionV1 | null;
}

/** billing: the ledger transaction of a Stripe charge or payment intent, for the disputes service. */
export const BILLING_TRANSACTION_OF_STRIPE_V1 = defineRpcRoute({
  name: 'billing.transaction.of_stripe.v1',
  service: 'billing',
  request: TransactionOfStripeRequestV1,
  reply: TransactionOfStripeReplyV1,
});
