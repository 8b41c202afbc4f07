import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Min,
} from 'class-validator';
import { IsCustomerId } from '../customer-id.js';

export const DISPUTE_CREATED_V1 = 'dispute.created.v1';
export const DISPUTE_UPDATED_V1 = 'dispute.updated.v1';
/** The dispute reached a final status: `won`, `lost` or `warning_closed`. */
export const DISPUTE_CLOSED_V1 = 'dispute.closed.v1';
/** Evidence is due within DISPUTE_DEADLINE_WINDOW_HOURS and none was submitted: once per dispute. */
export const DISPUTE_DEADLINE_APPROACHING_V1 = 'dispute.deadline_approaching.v1';

/** Stripe's dispute statuses. */
export const DISPUTE_STATUSES = [
  'warning_needs_response',
  'warning_under_review',
  'warning_closed',
  'needs_response',
  'under_review',
  'won',
  'lost',
] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

export function isFinalDisputeStatus(status: DisputeStatus): boolean {
  return status === 'won' || status === 'lost' || status === 'warning_closed';
}

/**
 * A dispute as the disputes service mirrors it, after each change: what
 * billing needs to mark the disputed transaction (by charge and payment
 * intent) and to move a lost dispute's amount and fee out of revenue.
 */
export class DisputeStateV1 {
  @IsUUID()
  disputeId!: string;

  @Matches(/^dp_\w+$/)
  stripeDisputeId!: string;

  @Matches(/^(ch|py)_\w+$/)
  stripeChargeId!: string;

  @IsOptional()
  @Matches(/^pi_\w+$/)
  stripePaymentIntentId!: string | null;

  /** The customer's one id, when the charge names one. */
  @IsOptional()
  @IsCustomerId()
  customerId!: string | null;

  /** Disputed amount, in minor units of `currency`. */
  @IsInt()
  @Min(0)
  amount!: number;

  @Matches(/^[a-z]{3}$/)
  currency!: string;

  @IsIn(DISPUTE_STATUSES)
  status!: DisputeStatus;

  @IsOptional()
  @IsIn(DISPUTE_STATUSES)
  previousStatus!: DisputeStatus | null;

  @IsString()
  reason!: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  evidenceDueBy!: string | null;

  /** Stripe's dispute fees net of reinstatements (minor units), from its balance transactions; null when unknown. */
  @IsOptional()
  @IsInt()
  feeCents!: number | null;

  /** Net amount withdrawn from the balance (withdrawals minus reinstatements, without fees). */
  @IsInt()
  amountWithdrawn!: number;

  @IsBoolean()
  evidenceSubmitted!: boolean;

  @IsISO8601({ strict: true })
  updatedAt!: string;
}
