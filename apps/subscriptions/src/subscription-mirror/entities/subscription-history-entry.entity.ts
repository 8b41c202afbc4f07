import type { SubscriptionStatus } from '@aegis/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { BillingInterval, MirroredField } from '../subscription-mirror.js';
import { exactBigint } from '@aegis/persistence';

/** `commanded`: the answer of one of this service's own Stripe calls. */
export type HistoryOutcome = 'applied' | 'refetched' | 'noted' | 'commanded';

/**
 * One change of a mirrored subscription (or a note, such as a trial ending
 * soon, that changed nothing), with the status, price and quantity before
 * and after, so churn and MRR can be computed from this table alone.
 */
@Entity({ name: 'subscription_history' })
export class SubscriptionHistoryEntry {
  @PrimaryColumn({ name: 'history_id', type: 'uuid' })
  historyId!: string;

  @Column({ name: 'subscription_id', type: 'uuid' })
  subscriptionId!: string;

  /** The subscription's version after this change (for a note: the version it was taken at). */
  @Column({ type: 'integer' })
  version!: number;

  /** `applied`: the event's own object; `refetched`: Stripe's state, re-fetched; `noted`: nothing changed. */
  @Column({ type: 'text' })
  outcome!: HistoryOutcome;

  @Column({ name: 'stripe_event_id', type: 'text' })
  stripeEventId!: string;

  @Column({ name: 'stripe_event_type', type: 'text' })
  stripeEventType!: string;

  /** When Stripe recorded the event (on the subscription's test clock, if it has one). */
  @Column({ name: 'stripe_event_created', type: 'timestamptz' })
  stripeEventCreated!: Date;

  /** Null when the subscription was first recorded. */
  @Column({ name: 'from_status', type: 'text', nullable: true })
  fromStatus!: SubscriptionStatus | null;

  @Column({ name: 'to_status', type: 'text' })
  toStatus!: SubscriptionStatus;

  @Column({ name: 'from_price_id', type: 'text', nullable: true })
  fromPriceId!: string | null;

  @Column({ name: 'to_price_id', type: 'text', nullable: true })
  toPriceId!: string | null;

  @Column({ name: 'from_quantity', type: 'integer', nullable: true })
  fromQuantity!: number | null;

  @Column({ name: 'to_quantity', type: 'integer', nullable: true })
  toQuantity!: number | null;

  /** The price after the change, in integer minor units of `currency`. */
  @Column({ type: 'text' })
  currency!: string;

  @Column({ name: 'unit_amount', type: 'bigint', nullable: true, transformer: exactBigint })
  unitAmount!: number | null;

  @Column({ name: 'billing_interval', type: 'text', nullable: true })
  billingInterval!: BillingInterval | null;

  @Column({ name: 'billing_interval_count', type: 'integer', nullable: true })
  billingIntervalCount!: number | null;

  @Column({ name: 'cancel_at_period_end', type: 'boolean' })
  cancelAtPeriodEnd!: boolean;

  /** The mirrored fields this change altered (every field when first recorded; none for a note). */
  @Column({ name: 'changed_fields', type: 'text', array: true })
  changedFields!: (MirroredField | 'customerId' | 'planId')[];

  @Column({ name: 'applied_at', type: 'timestamptz' })
  appliedAt!: Date;
}
