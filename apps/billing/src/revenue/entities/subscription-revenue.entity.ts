import type { SubscriptionStatus } from '@aegis/contracts';
import { exactBigint } from '@aegis/persistence';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A subscription as billing's revenue read model holds it (docs/metrics.md,
 * "MRR"): the latest state the subscriptions service published of it
 * (`stateUpdatedAt`) and the MRR that state gives.
 */
@Entity({ name: 'subscription_revenue' })
export class SubscriptionRevenue {
  @PrimaryColumn({ name: 'stripe_subscription_id', type: 'text' })
  stripeSubscriptionId!: string;

  @Column({ name: 'subscription_id', type: 'uuid' })
  subscriptionId!: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ type: 'text' })
  status!: SubscriptionStatus;

  @Column({ name: 'unit_amount_cents', type: 'bigint', nullable: true, transformer: exactBigint })
  unitAmountCents!: number | null;

  @Column({ type: 'integer', nullable: true })
  quantity!: number | null;

  /** Whole months of its billing period (1 monthly, 12 yearly). */
  @Column({ name: 'interval_months', type: 'integer' })
  intervalMonths!: number;

  /** Minor units per month; 0 when the subscription is not live. */
  @Column({ name: 'mrr_cents', type: 'bigint', transformer: exactBigint })
  mrrCents!: number;

  @Column({ name: 'state_updated_at', type: 'timestamptz' })
  stateUpdatedAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
