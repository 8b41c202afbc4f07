import type { InvoiceStatus } from '@aegis/contracts';
import { exactBigint } from '@aegis/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * How far an invoice has got (docs/invoicing.md, "The state machine"): each
 * stage is committed before the next step, and every Stripe step is keyed by
 * our ids, so a crash anywhere resumes from the stage without doing a step twice.
 */
export const INVOICE_STAGES = [
  'reserved',
  'priced',
  'stripe_draft',
  'items_sent',
  'finalized',
  'done',
] as const;
export type InvoiceStage = (typeof INVOICE_STAGES)[number];

export type CollectionMethod = 'charge_automatically' | 'send_invoice';

/** A customer's invoice for one billing period (one per customer and period). */
@Entity({ name: 'invoices' })
export class Invoice {
  @PrimaryColumn({ name: 'invoice_id', type: 'text' })
  invoiceId!: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ name: 'billing_period', type: 'text' })
  billingPeriod!: string;

  @Column({ type: 'text' })
  status!: InvoiceStatus;

  @Column({ type: 'text' })
  stage!: InvoiceStage;

  @Column({ name: 'auto_finalize', type: 'boolean' })
  autoFinalize!: boolean;

  /** Null until priced. */
  @Column({ type: 'text', nullable: true })
  currency!: string | null;

  @Column({ name: 'subtotal_cents', type: 'bigint', transformer: exactBigint })
  subtotal!: number;

  @Column({ name: 'discount_cents', type: 'bigint', transformer: exactBigint })
  discount!: number;

  @Column({ name: 'amount_due_cents', type: 'bigint', transformer: exactBigint })
  amountDue!: number;

  @Column({ name: 'amount_paid_cents', type: 'bigint', transformer: exactBigint })
  amountPaid!: number;

  @Column({ name: 'collection_method', type: 'text', nullable: true })
  collectionMethod!: CollectionMethod | null;

  @Column({ name: 'stripe_invoice_id', type: 'text', nullable: true })
  stripeInvoiceId!: string | null;

  @Column({ name: 'hosted_invoice_url', type: 'text', nullable: true })
  hostedInvoiceUrl!: string | null;

  @Column({ name: 'invoice_pdf', type: 'text', nullable: true })
  invoicePdf!: string | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'stripe_attempts', type: 'integer' })
  stripeAttempts!: number;

  /** Whoever drives the invoice's Stripe side holds it until then; others leave it alone. */
  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil!: Date | null;

  /** The newest Stripe invoice event `created` applied: the convergence stamp. */
  @Column({ name: 'last_event_created', type: 'timestamptz', nullable: true })
  lastEventCreated!: Date | null;

  @Column({ name: 'finalized_at', type: 'timestamptz', nullable: true })
  finalizedAt!: Date | null;

  @Column({ name: 'paid_at', type: 'timestamptz', nullable: true })
  paidAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
