import type { PauseBehavior, PlanId, SubscriptionStatus } from '@aegis/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { exactBigint } from '@aegis/persistence';
import type { BillingInterval, SubscriptionMirror } from '../subscription-mirror.js';

/** A Stripe subscription as this service mirrors it, with Aegis's own id. */
@Entity({ name: 'subscriptions' })
export class Subscription implements SubscriptionMirror {
  @PrimaryColumn({ name: 'subscription_id', type: 'uuid' })
  subscriptionId!: string;

  @Column({ name: 'stripe_subscription_id', type: 'text', unique: true })
  stripeSubscriptionId!: string;

  /** The customer's one id (`aegis_customer_id` of the subscription or customer, else the Stripe id). */
  @Column({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ name: 'stripe_customer_id', type: 'text' })
  stripeCustomerId!: string;

  /** The plan whose Stripe Price the subscription is on; null for a price that is no plan's. */
  @Column({ name: 'plan_id', type: 'text', nullable: true })
  planId!: PlanId | null;

  @Column({ name: 'price_id', type: 'text', nullable: true })
  priceId!: string | null;

  @Column({ type: 'integer', nullable: true })
  quantity!: number | null;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ name: 'unit_amount', type: 'bigint', nullable: true, transformer: exactBigint })
  unitAmount!: number | null;

  @Column({ name: 'billing_interval', type: 'text', nullable: true })
  billingInterval!: BillingInterval | null;

  @Column({ name: 'billing_interval_count', type: 'integer', nullable: true })
  billingIntervalCount!: number | null;

  @Column({ type: 'text' })
  status!: SubscriptionStatus;

  @Column({ name: 'current_period_start', type: 'timestamptz', nullable: true })
  currentPeriodStart!: Date | null;

  @Column({ name: 'current_period_end', type: 'timestamptz', nullable: true })
  currentPeriodEnd!: Date | null;

  @Column({ name: 'cancel_at_period_end', type: 'boolean' })
  cancelAtPeriodEnd!: boolean;

  @Column({ name: 'cancel_at', type: 'timestamptz', nullable: true })
  cancelAt!: Date | null;

  @Column({ name: 'canceled_at', type: 'timestamptz', nullable: true })
  canceledAt!: Date | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  @Column({ name: 'trial_start', type: 'timestamptz', nullable: true })
  trialStart!: Date | null;

  @Column({ name: 'trial_end', type: 'timestamptz', nullable: true })
  trialEnd!: Date | null;

  /** Stripe's `pause_collection.behavior`, while collection is paused. */
  @Column({ name: 'pause_behavior', type: 'text', nullable: true })
  pauseBehavior!: PauseBehavior | null;

  @Column({ name: 'pause_resumes_at', type: 'timestamptz', nullable: true })
  pauseResumesAt!: Date | null;

  @Column({ type: 'jsonb' })
  metadata!: Record<string, string>;

  /** The newest Stripe `created` applied to this row (one-second resolution). */
  @Column({ name: 'last_event_created', type: 'timestamptz' })
  lastEventCreated!: Date;

  /** The row holds a re-fetched state newer than the events applied so far. */
  @Column({ name: 'refetched_ahead', type: 'boolean' })
  refetchedAhead!: boolean;

  /** 1 when first recorded, incremented on each change. */
  @Column({ type: 'integer' })
  version!: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
