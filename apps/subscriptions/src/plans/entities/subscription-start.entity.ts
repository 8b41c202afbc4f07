import type { PlanBillingInterval, PlanId } from '@aegis/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { exactBigint } from '@aegis/persistence';

/**
 * A subscription being started: it holds the customer's one live
 * subscription while Stripe makes it (one without a Stripe id per
 * customer), and its id is the subscription's id and idempotency key.
 */
@Entity({ name: 'subscription_starts' })
export class SubscriptionStart {
  @PrimaryColumn({ name: 'start_id', type: 'uuid' })
  startId!: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ name: 'plan_id', type: 'text' })
  planId!: PlanId;

  @Column({ name: 'billing_interval', type: 'text' })
  billingInterval!: PlanBillingInterval;

  @Column({ name: 'trial_days', type: 'integer', nullable: true })
  trialDays!: number | null;

  @Column({ name: 'price_cents', type: 'bigint', nullable: true, transformer: exactBigint })
  priceCents!: number | null;

  @Column({ name: 'stripe_subscription_id', type: 'text', nullable: true })
  stripeSubscriptionId!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
