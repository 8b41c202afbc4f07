import { exactBigint } from '@aegis/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { PlanHoursTerms } from '../plan-hours.js';

/**
 * What has been billed so far of one product's usage in one of a customer's
 * periods, over all its lines: late usage is billed as price(all) − this.
 */
@Entity({ name: 'billed_usage' })
export class BilledUsage {
  @PrimaryColumn({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @PrimaryColumn({ name: 'product_id', type: 'text' })
  productId!: string;

  @PrimaryColumn({ name: 'billing_period', type: 'text' })
  billingPeriod!: string;

  @Column({ type: 'numeric' })
  value!: string;

  @Column({ name: 'event_count', type: 'bigint', transformer: exactBigint })
  eventCount!: number;

  @Column({ name: 'subtotal_cents', type: 'bigint', transformer: exactBigint })
  subtotal!: number;

  @Column({ name: 'discount_cents', type: 'bigint', transformer: exactBigint })
  discount!: number;

  @Column({ name: 'amount_cents', type: 'bigint', transformer: exactBigint })
  amount!: number;

  /** The period is priced with this version and the discount in force at `pricedAt`, adjustments too. */
  @Column({ name: 'pricing_version_id', type: 'text' })
  pricingVersionId!: string;

  @Column({ name: 'priced_at', type: 'timestamptz' })
  pricedAt!: Date;

  /**
   * The hours product of a customer with a plan: the plan's terms the period
   * was first priced with, used for its adjustments too (null: the catalogue's version).
   */
  @Column({ name: 'plan_terms', type: 'jsonb', nullable: true })
  planTerms!: PlanHoursTerms | null;

  @Column({ name: 'last_line_id', type: 'text' })
  lastLineId!: string;
}
