import {
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Min,
} from 'class-validator';
import { IsCustomerId } from '../customer-id.js';

export const BILLING_TRANSACTION_CREATED_V1 = 'billing.transaction.created.v1';
export const BILLING_TRANSACTION_UPDATED_V1 = 'billing.transaction.updated.v1';

export const TRANSACTION_STATUSES = [
  'pending',
  'processing',
  'succeeded',
  'failed',
  'refunded',
  'partially_refunded',
  'cancelled',
] as const;
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];

/**
 * A billing transaction (one Stripe charge, or the payment intent before its
 * charge exists) as billing mirrors it after a change: `created` the first
 * time billing records it, `updated` after each change.
 */
export class BillingTransactionV1 {
  @IsUUID()
  transactionId!: string;

  /** The customer's id (see CUSTOMER_ID_PATTERN), when the payment names a Stripe customer. */
  @IsOptional()
  @IsCustomerId()
  customerId!: string | null;

  @IsOptional()
  @Matches(/^cus_\w+$/)
  stripeCustomerId!: string | null;

  @IsOptional()
  @Matches(/^ch_\w+$/)
  stripeChargeId!: string | null;

  @IsOptional()
  @Matches(/^pi_\w+$/)
  stripePaymentIntentId!: string | null;

  @IsOptional()
  @Matches(/^in_\w+$/)
  stripeInvoiceId!: string | null;

  @IsIn(TRANSACTION_STATUSES)
  status!: TransactionStatus;

  @IsOptional()
  @IsIn(TRANSACTION_STATUSES)
  previousStatus!: TransactionStatus | null;

  /** Integer minor units of `currency`. */
  @IsInt()
  @Min(0)
  amountCents!: number;

  @IsInt()
  @Min(0)
  amountRefundedCents!: number;

  /** ISO 4217, lower case as Stripe writes it. */
  @IsString()
  @Length(3, 3)
  currency!: string;

  /**
   * Why a failed payment failed, as Stripe says: the issuer's decline code
   * (`insufficient_funds`) or Stripe's failure code (`card_declined`), and
   * Stripe's message for the customer. Absent from events of older versions.
   */
  @IsOptional()
  @IsString()
  failureCode?: string | null;

  @IsOptional()
  @IsString()
  failureMessage?: string | null;

  @IsISO8601({ strict: true })
  updatedAt!: string;
}
