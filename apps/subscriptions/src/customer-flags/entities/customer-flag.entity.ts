import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { LostDisputePolicy } from '../../config/subscriptions.env.js';

/** The flags a customer can carry. */
export const CUSTOMER_FLAGS = ['lost_dispute'] as const;
export type CustomerFlagName = (typeof CUSTOMER_FLAGS)[number];

/**
 * What became of the cancel a lost dispute asked for under
 * `cancel_at_period_end`: `pending` until it ran after the event's commit.
 */
export const CANCEL_STATUSES = [
  'pending',
  'canceled_at_period_end',
  'already_canceling',
  'no_live_subscription',
  'refused',
] as const;
export type CancelStatus = (typeof CANCEL_STATUSES)[number];

/**
 * A flag on a customer, one per customer, flag and Stripe dispute (the
 * reason): a lost dispute flags its customer once however often it is told.
 */
@Entity({ name: 'customer_flags' })
export class CustomerFlag {
  @PrimaryColumn({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @PrimaryColumn({ type: 'text' })
  flag!: CustomerFlagName;

  /** The reason: the dispute Stripe decided against the customer's payment. */
  @PrimaryColumn({ name: 'stripe_dispute_id', type: 'text' })
  stripeDisputeId!: string;

  @Column({ name: 'flagged_at', type: 'timestamptz' })
  flaggedAt!: Date;

  /** LOST_DISPUTE_POLICY when the flag was recorded: what was decided then stands. */
  @Column({ type: 'text' })
  policy!: LostDisputePolicy;

  /** null under `flag`; under `cancel_at_period_end`, the cancel's state. */
  @Column({ name: 'cancel_status', type: 'text', nullable: true })
  cancelStatus!: CancelStatus | null;

  /** A cancel being sent to Stripe since then (a lease: one process sends it at a time). */
  @Column({ name: 'cancel_claimed_at', type: 'timestamptz', nullable: true })
  cancelClaimedAt!: Date | null;

  @Column({ name: 'cancel_settled_at', type: 'timestamptz', nullable: true })
  cancelSettledAt!: Date | null;

  /** The subscription the cancel was for, when the customer had a live one. */
  @Column({ name: 'stripe_subscription_id', type: 'text', nullable: true })
  stripeSubscriptionId!: string | null;

  /** Stripe's refusal, when the cancel ended `refused`. */
  @Column({ name: 'cancel_error', type: 'text', nullable: true })
  cancelError!: string | null;
}
