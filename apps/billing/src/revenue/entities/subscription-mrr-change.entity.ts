import type { SubscriptionStatus } from '@aegis/contracts';
import { exactBigint } from '@aegis/persistence';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { MrrMovement } from '../mrr.js';

/**
 * One applied state of a subscription: its MRR before and after, its
 * customer's MRR (in the currency) before and after, and the movement that
 * makes (docs/metrics.md, "MRR movements").
 */
@Entity({ name: 'subscription_mrr_changes' })
export class SubscriptionMrrChange {
  @PrimaryGeneratedColumn('increment', { name: 'change_id', type: 'bigint' })
  changeId!: string;

  @Column({ name: 'stripe_subscription_id', type: 'text' })
  stripeSubscriptionId!: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ type: 'text' })
  status!: SubscriptionStatus;

  /** The state's `updatedAt`: when the change happened. */
  @Column({ name: 'effective_at', type: 'timestamptz' })
  effectiveAt!: Date;

  @Column({ name: 'previous_mrr_cents', type: 'bigint', transformer: exactBigint })
  previousMrrCents!: number;

  @Column({ name: 'mrr_cents', type: 'bigint', transformer: exactBigint })
  mrrCents!: number;

  @Column({ name: 'customer_previous_mrr_cents', type: 'bigint', transformer: exactBigint })
  customerPreviousMrrCents!: number;

  @Column({ name: 'customer_mrr_cents', type: 'bigint', transformer: exactBigint })
  customerMrrCents!: number;

  @Column({ type: 'text', nullable: true })
  movement!: MrrMovement | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
