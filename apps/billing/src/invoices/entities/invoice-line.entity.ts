import type { Aggregation, InvoiceLineKind } from '@aegis/contracts';
import { exactBigint } from '@aegis/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { PlanHoursTerms } from '../plan-hours.js';

/** What one line of an invoice priced: one product's usage of one period (or its late part). */
@Entity({ name: 'invoice_lines' })
export class InvoiceLine {
  /** invoiceLineIdOf(invoiceId, billingPeriod, productId): also the idempotency key of its Stripe item. */
  @PrimaryColumn({ name: 'line_id', type: 'text' })
  lineId!: string;

  @Column({ name: 'invoice_id', type: 'text' })
  invoiceId!: string;

  @Column({ type: 'integer' })
  position!: number;

  @Column({ type: 'text' })
  kind!: InvoiceLineKind;

  @Column({ name: 'product_id', type: 'text' })
  productId!: string;

  @Column({ name: 'billing_period', type: 'text' })
  billingPeriod!: string;

  @Column({ type: 'text' })
  description!: string;

  @Column({ type: 'text' })
  aggregation!: Aggregation;

  /** Exact decimal text, as numeric. */
  @Column({ type: 'numeric' })
  value!: string;

  @Column({ name: 'previously_billed_value', type: 'numeric' })
  previouslyBilledValue!: string;

  @Column({ name: 'event_count', type: 'bigint', transformer: exactBigint })
  eventCount!: number;

  @Column({ name: 'first_event_at', type: 'timestamptz', nullable: true })
  firstEventAt!: Date | null;

  @Column({ name: 'last_event_at', type: 'timestamptz', nullable: true })
  lastEventAt!: Date | null;

  @Column({ name: 'usage_through', type: 'timestamptz' })
  usageThrough!: Date;

  /** The catalogue's version in force; it priced the line unless `planTerms` did. */
  @Column({ name: 'pricing_version_id', type: 'text' })
  pricingVersionId!: string;

  /** The plan's terms the hours line was priced with (docs/invoicing.md, "Plan hours"); null otherwise. */
  @Column({ name: 'plan_terms', type: 'jsonb', nullable: true })
  planTerms!: PlanHoursTerms | null;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ name: 'subtotal_cents', type: 'bigint', transformer: exactBigint })
  subtotal!: number;

  @Column({ name: 'discount_cents', type: 'bigint', transformer: exactBigint })
  discount!: number;

  @Column({ name: 'amount_cents', type: 'bigint', transformer: exactBigint })
  amount!: number;

  @Column({ name: 'stripe_invoice_item_id', type: 'text', nullable: true })
  stripeInvoiceItemId!: string | null;
}
