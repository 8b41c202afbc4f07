import type { InvoiceRunStatus } from '@aegis/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An invoice run: every customer with usage in a period, invoiced; resumable from its items. */
@Entity({ name: 'invoice_runs' })
export class InvoiceRun {
  @PrimaryColumn({ name: 'run_id', type: 'text' })
  runId!: string;

  @Column({ name: 'billing_period', type: 'text' })
  billingPeriod!: string;

  @Column({ type: 'text' })
  status!: InvoiceRunStatus;

  /** Every customer to invoice has an item. */
  @Column({ type: 'boolean' })
  listed!: boolean;

  /** The last customer id listed so far (the listing resumes after it). */
  @Column({ name: 'list_cursor', type: 'text', nullable: true })
  listCursor!: string | null;

  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}

export type InvoiceRunItemStatus = 'pending' | 'done' | 'failed';

@Entity({ name: 'invoice_run_items' })
export class InvoiceRunItem {
  @PrimaryColumn({ name: 'run_id', type: 'text' })
  runId!: string;

  @PrimaryColumn({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ type: 'text' })
  status!: InvoiceRunItemStatus;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ name: 'invoice_id', type: 'text', nullable: true })
  invoiceId!: string | null;
}
