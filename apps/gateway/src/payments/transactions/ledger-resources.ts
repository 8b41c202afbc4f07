import { ApiProperty } from '@nestjs/swagger';
import {
  DISPUTE_STATUSES,
  REFUND_ORIGINS,
  REFUND_REASONS,
  REFUND_STATUSES,
  TRANSACTION_SOURCES,
  TRANSACTION_STATUSES,
  type LedgerTransactionV1,
  type RefundReasonV1,
  type RefundResourceV1,
  type RefundStatusV1,
  type RefundV1,
  type TransactionResourceV1,
  type TransactionSourceV1,
  type TransactionStatusV1,
} from '@aegis/contracts';

export class RefundResource implements RefundResourceV1 {
  @ApiProperty({ example: 'rf_3kTq9xY2mB7pLw4sZ1aV' }) id!: string;
  @ApiProperty({ enum: ['refund'] }) object!: 'refund';
  @ApiProperty({ format: 'uuid' }) transaction_id!: string;
  @ApiProperty({ type: String, nullable: true }) customer_id!: string | null;
  @ApiProperty({ description: 'minor units of currency' }) amount_cents!: number;
  @ApiProperty({ example: 'usd' }) currency!: string;
  @ApiProperty({ enum: REFUND_REASONS, nullable: true }) reason!: RefundReasonV1 | null;
  @ApiProperty({
    enum: REFUND_STATUSES,
    description:
      'Stripe’s: pending (also while reserved, before Stripe answered), succeeded, failed, canceled',
  })
  status!: RefundStatusV1;
  @ApiProperty({ type: String, nullable: true, description: 'why it failed or was released' })
  failure_reason!: string | null;
  @ApiProperty({
    enum: REFUND_ORIGINS,
    description: 'aegis: asked for through this API; stripe: made at Stripe and mirrored',
  })
  origin!: 'aegis' | 'stripe';
  @ApiProperty({ type: String, nullable: true }) stripe_refund_id!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

/** The `dispute` of a transaction resource (TransactionDisputeResourceV1 of the public contract). */
type TransactionDisputeResourceV1 = NonNullable<TransactionResourceV1['dispute']>;
type TransactionDisputeStatusV1 = TransactionDisputeResourceV1['status'];

export class TransactionDisputeResource implements TransactionDisputeResourceV1 {
  @ApiProperty({ format: 'uuid', description: 'the dispute’s id (the disputes service’s)' })
  id!: string;
  @ApiProperty({ enum: DISPUTE_STATUSES, description: 'Stripe’s dispute status' })
  status!: TransactionDisputeStatusV1;
  @ApiProperty({ description: 'disputed amount, minor units of currency' }) amount_cents!: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Stripe’s dispute fees net of reinstatements; null when not known yet',
  })
  fee_cents!: number | null;
  @ApiProperty({ example: 'fraudulent', description: 'Stripe’s reason' }) reason!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  evidence_due_by!: string | null;
}

export class TransactionResource implements TransactionResourceV1 {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['transaction'] }) object!: 'transaction';
  @ApiProperty({ type: String, nullable: true }) customer_id!: string | null;
  @ApiProperty({
    enum: TRANSACTION_SOURCES,
    description: 'stripe: mirrored from Stripe; manual: money taken outside Stripe',
  })
  source!: TransactionSourceV1;
  @ApiProperty({ enum: TRANSACTION_STATUSES }) status!: TransactionStatusV1;
  @ApiProperty({ description: 'minor units: what was charged' }) amount_cents!: number;
  @ApiProperty({ description: 'what Stripe has refunded' }) amount_refunded_cents!: number;
  @ApiProperty({ description: 'what a new refund may still take (in-flight refunds counted)' })
  amount_refundable_cents!: number;
  @ApiProperty({ example: 'usd' }) currency!: string;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'insufficient_funds',
    description:
      'why it failed, as Stripe says: the issuer’s decline code, else Stripe’s failure code',
  })
  failure_code!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'Your card has insufficient funds.',
    description: 'Stripe’s message for the customer about the failure',
  })
  failure_message!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'the product paid for: named in the payment’s metadata, else its checkout’s, else its invoice’s one product',
  })
  product_id!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'the plan paid for: named in its metadata, else its checkout’s',
  })
  plan_id!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'our invoice, when it paid one' })
  invoice_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) stripe_invoice_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) stripe_checkout_session_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) stripe_payment_intent_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) stripe_charge_id!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  billing_period_start!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  billing_period_end!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  metadata!: Record<string, string>;
  @ApiProperty({ type: [RefundResource], description: 'newest first' })
  refunds!: RefundResource[];
  @ApiProperty({
    type: TransactionDisputeResource,
    nullable: true,
    description: 'its charge’s latest dispute; null when never disputed',
  })
  dispute!: TransactionDisputeResource | null;
  @ApiProperty({ format: 'date-time', description: 'made at Stripe, or recorded' })
  created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export class TransactionList {
  @ApiProperty({ enum: ['list'] }) object!: 'list';
  @ApiProperty({ type: [TransactionResource] }) data!: TransactionResource[];
  @ApiProperty() has_more!: boolean;
}

export class RefundList {
  @ApiProperty({ enum: ['list'] }) object!: 'list';
  @ApiProperty({ type: [RefundResource] }) data!: RefundResource[];
  @ApiProperty() has_more!: boolean;
}

export function refundResourceOf(refund: RefundV1): RefundResourceV1 {
  return {
    id: refund.id,
    object: 'refund',
    transaction_id: refund.transactionId,
    customer_id: refund.customerId ?? null,
    amount_cents: refund.amount,
    currency: refund.currency,
    reason: refund.reason ?? null,
    status: refund.status,
    failure_reason: refund.failureReason ?? null,
    origin: refund.origin,
    stripe_refund_id: refund.stripeRefundId ?? null,
    created_at: refund.createdAt,
    updated_at: refund.updatedAt,
  };
}

export function transactionDisputeResourceOf(
  dispute: NonNullable<LedgerTransactionV1['dispute']>,
): TransactionDisputeResourceV1 {
  return {
    id: dispute.disputeId,
    status: dispute.status,
    amount_cents: dispute.amount,
    fee_cents: dispute.feeCents ?? null,
    reason: dispute.reason,
    evidence_due_by: dispute.evidenceDueBy ?? null,
  };
}

export function transactionResourceOf(transaction: LedgerTransactionV1): TransactionResourceV1 {
  return {
    id: transaction.id,
    object: 'transaction',
    customer_id: transaction.customerId ?? null,
    source: transaction.source,
    status: transaction.status,
    amount_cents: transaction.amount,
    amount_refunded_cents: transaction.amountRefunded,
    amount_refundable_cents: transaction.amountRefundable,
    currency: transaction.currency,
    description: transaction.description ?? null,
    failure_code: transaction.failureCode ?? null,
    failure_message: transaction.failureMessage ?? null,
    product_id: transaction.productId ?? null,
    plan_id: transaction.planId ?? null,
    invoice_id: transaction.invoiceId ?? null,
    stripe_invoice_id: transaction.stripeInvoiceId ?? null,
    stripe_checkout_session_id: transaction.checkoutSessionId ?? null,
    stripe_payment_intent_id: transaction.stripePaymentIntentId ?? null,
    stripe_charge_id: transaction.stripeChargeId ?? null,
    billing_period_start: transaction.billingPeriodStart ?? null,
    billing_period_end: transaction.billingPeriodEnd ?? null,
    metadata: { ...transaction.metadata },
    refunds: transaction.refunds.map(refundResourceOf),
    dispute: transaction.dispute == null ? null : transactionDisputeResourceOf(transaction.dispute),
    created_at: transaction.createdAt,
    updated_at: transaction.updatedAt,
  };
}
