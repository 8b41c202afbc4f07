import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsCustomerId } from '../customer-id.js';
import { TRANSACTION_STATUSES, type TransactionStatus } from '../events/billing-transaction.v1.js';
import { DISPUTE_STATUSES, type DisputeStatus } from '../events/dispute.v1.js';
import { IsMetadata } from '../metadata.js';
import { PageReplyV1, PageRequestV1 } from './paging.js';
import { defineRpcRoute } from './rpc-route.js';

/**
 * billing's ledger and refunds over RPC (docs/ledger.md). Expected failures:
 * `transaction_not_found` (404), `customer_not_found` (404),
 * `invalid_transaction` / `invalid_refund` (400, with the fields at fault),
 * `refund_exceeds_remaining` (409: the message says what is left),
 * `not_refundable` (409: a manual transaction, or a payment that did not
 * succeed), and Stripe's refusals (502) or absence (503). A refund create
 * with a `requestKey` may also answer `idempotency_key_reused` (422: the key
 * made a refund of this transaction with another amount or reason, `fields`
 * names which) and `idempotency_key_in_use` (409: the refund under the key is
 * being sent to Stripe right now).
 */

/** `stripe`: mirrored from Stripe; `manual`: money taken outside Stripe, recorded by the operator. */
export const TRANSACTION_SOURCES = ['stripe', 'manual'] as const;
export type TransactionSource = (typeof TRANSACTION_SOURCES)[number];

/** Stripe's refund statuses (`requires_action` is shown as `pending`). */
export const REFUND_STATUSES = ['pending', 'succeeded', 'failed', 'canceled'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/** Stripe's refund reasons, which a refund request may give. */
export const REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;
export type RefundReason = (typeof REFUND_REASONS)[number];

/** `aegis`: asked for through the API; `stripe`: made at Stripe (its dashboard, say), mirrored. */
export const REFUND_ORIGINS = ['aegis', 'stripe'] as const;
export type RefundOrigin = (typeof REFUND_ORIGINS)[number];

/** A calendar date, `YYYY-MM-DD`. */
export const DATE_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

export class RefundV1 {
  @IsString()
  id!: string;

  @IsUUID()
  transactionId!: string;

  @IsOptional()
  @IsCustomerId()
  customerId!: string | null;

  /** Integer minor units of `currency`. */
  @IsInt()
  @Min(1)
  amount!: number;

  @IsString()
  currency!: string;

  @IsOptional()
  @IsIn(REFUND_REASONS)
  reason!: RefundReason | null;

  @IsIn(REFUND_STATUSES)
  status!: RefundStatus;

  /** Why Stripe failed or we released it (`failed`, `canceled`). */
  @IsOptional()
  @IsString()
  failureReason!: string | null;

  @IsIn(REFUND_ORIGINS)
  origin!: RefundOrigin;

  /** `re_…`; null while the refund is reserved and Stripe has not answered yet. */
  @IsOptional()
  @IsString()
  stripeRefundId!: string | null;

  /** The caller's `requestKey` that made it (RefundCreateRequestV1), or null. */
  @IsOptional()
  @IsString()
  requestKey?: string | null;

  @IsISO8601({ strict: true })
  createdAt!: string;

  @IsISO8601({ strict: true })
  updatedAt!: string;
}

/** The latest dispute of a transaction's charge, as the disputes service last published it. */
export class LedgerDisputeV1 {
  /** The disputes service's id. */
  @IsUUID()
  disputeId!: string;

  @Matches(/^dp_\w+$/)
  stripeDisputeId!: string;

  @IsIn(DISPUTE_STATUSES)
  status!: DisputeStatus;

  /** Disputed amount, integer minor units of `currency`. */
  @IsInt()
  @Min(0)
  amount!: number;

  @IsString()
  currency!: string;

  /** Stripe's dispute fees net of reinstatements (minor units); null when unknown. */
  @IsOptional()
  @IsInt()
  feeCents!: number | null;

  @IsString()
  reason!: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  evidenceDueBy!: string | null;
}

/** One payment of the ledger, with what it paid for, its refunds and its dispute. */
export class LedgerTransactionV1 {
  /** billing_transactions.transaction_id. */
  @IsUUID()
  id!: string;

  @IsOptional()
  @IsCustomerId()
  customerId!: string | null;

  @IsIn(TRANSACTION_SOURCES)
  source!: TransactionSource;

  @IsIn(TRANSACTION_STATUSES)
  status!: TransactionStatus;

  /** Integer minor units of `currency`: what was charged. */
  @IsInt()
  @Min(0)
  amount!: number;

  /** What Stripe has refunded (pending refunds included, as Stripe counts them). */
  @IsInt()
  @Min(0)
  amountRefunded!: number;

  /** What a new refund may still take: the amount less refunded and in-flight refunds. */
  @IsInt()
  @Min(0)
  amountRefundable!: number;

  @IsString()
  currency!: string;

  @IsOptional()
  @IsString()
  description!: string | null;

  /** Why it failed, as Stripe says (see BillingTransactionV1.failureCode); null otherwise. */
  @IsOptional()
  @IsString()
  failureCode!: string | null;

  @IsOptional()
  @IsString()
  failureMessage!: string | null;

  /** The catalogue product it paid for, where known (docs/ledger.md, "Product or plan"). */
  @IsOptional()
  @IsString()
  productId!: string | null;

  @IsOptional()
  @IsString()
  planId!: string | null;

  /** Our invoice (`inv_…`) when it paid one of ours. */
  @IsOptional()
  @IsString()
  invoiceId!: string | null;

  @IsOptional()
  @IsString()
  stripeInvoiceId!: string | null;

  @IsOptional()
  @IsString()
  checkoutSessionId!: string | null;

  @IsOptional()
  @IsString()
  stripePaymentIntentId!: string | null;

  @IsOptional()
  @IsString()
  stripeChargeId!: string | null;

  @IsOptional()
  @IsISO8601({ strict: true })
  billingPeriodStart!: string | null;

  @IsOptional()
  @IsISO8601({ strict: true })
  billingPeriodEnd!: string | null;

  @IsObject()
  metadata!: Record<string, string>;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => RefundV1)
  refunds!: RefundV1[];

  /** Its charge's latest dispute (docs/ledger.md, "Disputes"); null when never disputed. */
  @IsOptional()
  @ValidateNested()
  @Type(() => LedgerDisputeV1)
  dispute!: LedgerDisputeV1 | null;

  /** When the payment was made (at Stripe), or recorded (manual). */
  @IsISO8601({ strict: true })
  createdAt!: string;

  @IsISO8601({ strict: true })
  updatedAt!: string;
}

export class LedgerTransactionReplyV1 {
  @ValidateNested()
  @Type(() => LedgerTransactionV1)
  transaction!: LedgerTransactionV1;
}

export class TransactionRefV1 {
  @IsUUID()
  transactionId!: string;

  /** With a customer key: the caller's customer; another's transaction is not found. */
  @IsOptional()
  @IsCustomerId()
  customerId?: string;
}

export class ListTransactionsRequestV1 extends PageRequestV1 {
  @IsOptional()
  @IsCustomerId()
  customerId?: string;

  @IsOptional()
  @IsIn(TRANSACTION_STATUSES)
  status?: TransactionStatus;

  /** Made on or after this date (UTC). */
  @IsOptional()
  @Matches(DATE_PATTERN, { message: 'startDate must be YYYY-MM-DD' })
  startDate?: string;

  /** Made on or before this date (UTC), the whole day included. */
  @IsOptional()
  @Matches(DATE_PATTERN, { message: 'endDate must be YYYY-MM-DD' })
  endDate?: string;
}

export class ListTransactionsReplyV1 extends PageReplyV1 {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => LedgerTransactionV1)
  transactions!: LedgerTransactionV1[];
}

/** The seed's `record_transaction`: money taken outside Stripe. */
export class RecordTransactionRequestV1 {
  @IsCustomerId()
  customerId!: string;

  @IsInt()
  @Min(1)
  @Max(99_999_999_999)
  amount!: number;

  @Matches(/^[a-z]{3}$/, { message: 'currency must be a three-letter ISO code in lower case' })
  currency!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(1_000)
  description!: string;

  @IsOptional()
  @Matches(/^in_\w+$/, { message: 'stripeInvoiceId must be a Stripe invoice id (in_…)' })
  stripeInvoiceId?: string;

  @IsOptional()
  @IsMetadata()
  metadata?: Record<string, string>;
}

export class CreateRefundRequestV1 {
  @IsUUID()
  transactionId!: string;

  /** Absent: the whole of what is left. */
  @IsOptional()
  @IsInt()
  @Min(1)
  amount?: number;

  @IsOptional()
  @IsIn(REFUND_REASONS)
  reason?: RefundReason;

  /**
   * The caller's idempotency key (the gateway's `Idempotency-Key`). Asked again
   * with the same transaction and key, billing makes no second refund: it
   * answers the one the key made (sending it to Stripe now if Stripe never
   * answered it), or `idempotency_key_reused` if the amount or reason differ.
   * Absent: every request is a new refund.
   */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  requestKey?: string;
}

export class RefundReplyV1 {
  @ValidateNested()
  @Type(() => RefundV1)
  refund!: RefundV1;

  @ValidateNested()
  @Type(() => LedgerTransactionV1)
  transaction!: LedgerTransactionV1;
}

export class ListRefundsRequestV1 extends PageRequestV1 {
  @IsOptional()
  @IsCustomerId()
  customerId?: string;

  @IsOptional()
  @IsUUID()
  transactionId?: string;

  @IsOptional()
  @IsIn(REFUND_STATUSES)
  status?: RefundStatus;
}

export class ListRefundsReplyV1 extends PageReplyV1 {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => RefundV1)
  refunds!: RefundV1[];
}

/** Newest first (by when the payment was made). */
export const BILLING_TRANSACTION_LIST_V1 = defineRpcRoute({
  name: 'billing.transaction.list.v1',
  service: 'billing',
  request: ListTransactionsRequestV1,
  reply: ListTransactionsReplyV1,
});

export const BILLING_TRANSACTION_GET_V1 = defineRpcRoute({
  name: 'billing.transaction.get.v1',
  service: 'billing',
  request: TransactionRefV1,
  reply: LedgerTransactionReplyV1,
});

/** Records a manual transaction (source `manual`, `succeeded`). */
export const BILLING_TRANSACTION_RECORD_V1 = defineRpcRoute({
  name: 'billing.transaction.record.v1',
  service: 'billing',
  request: RecordTransactionRequestV1,
  reply: LedgerTransactionReplyV1,
});

/** Refunds part or the rest of a Stripe payment; never more than is left of it. */
export const BILLING_REFUND_CREATE_V1 = defineRpcRoute({
  name: 'billing.refund.create.v1',
  service: 'billing',
  request: CreateRefundRequestV1,
  reply: RefundReplyV1,
});

/** Newest first. */
export const BILLING_REFUND_LIST_V1 = defineRpcRoute({
  name: 'billing.refund.list.v1',
  service: 'billing',
  request: ListRefundsRequestV1,
  reply: ListRefundsReplyV1,
});
