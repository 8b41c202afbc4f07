import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { PlanHoursTerms } from '../plan-hours.js';

/**
 * The subscriptions service's answer an invoice got for one period's hours,
 * kept from the moment it came: the invoice is priced with it however often
 * its pricing is resumed.
 */
@Entity({ name: 'invoice_plan_terms' })
export class InvoicePlanTerms {
  @PrimaryColumn({ name: 'invoice_id', type: 'text' })
  invoiceId!: string;

  @PrimaryColumn({ name: 'billing_period', type: 'text' })
  billingPeriod!: string;

  /** Null: the customer had no plan in the period. */
  @Column({ type: 'jsonb', nullable: true })
  terms!: PlanHoursTerms | null;

  @Column({ name: 'asked_at', type: 'timestamptz' })
  askedAt!: Date;
}
