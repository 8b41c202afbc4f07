import type { PlanBillingInterval, PlanId } from '@aegis/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { exactBigint } from '@aegis/persistence';

/**
 * One amount and interval of a plan and its Stripe Price (immutable, as
 * Stripe's): a changed amount is a new row, the old one no longer current.
 * A custom plan's prices belong to one customer each.
 */
@Entity({ name: 'plan_prices' })
export class PlanPrice {
  @PrimaryColumn({ name: 'plan_price_id', type: 'uuid' })
  planPriceId!: string;

  @Column({ name: 'plan_id', type: 'text' })
  planId!: PlanId;

  @Column({ name: 'billing_interval', type: 'text' })
  billingInterval!: PlanBillingInterval;

  @Column({ name: 'amount_cents', type: 'bigint', transformer: exactBigint })
  amountCents!: number;

  @Column({ name: 'customer_id', type: 'text', nullable: true })
  customerId!: string | null;

  @Column({ type: 'boolean' })
  current!: boolean;

  @Column({ name: 'stripe_price_id', type: 'text', nullable: true })
  stripePriceId!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
