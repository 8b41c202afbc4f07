import type { StripeEventOutcome } from '@aegis/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** What one consuming service reported doing with one Stripe event: its latest receipt. */
@Entity({ name: 'stripe_event_receipts' })
@Unique('stripe_event_receipts_event_service_key', ['eventId', 'service'])
export class StripeEventReceipt {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'event_id', type: 'text' })
  eventId!: string;

  @Column({ type: 'text' })
  service!: string;

  @Column({ type: 'text' })
  outcome!: StripeEventOutcome;

  @Column({ name: 'applied_at', type: 'timestamptz' })
  appliedAt!: Date;

  /** Receipts the service sent for this event; more than one after a forced replay. */
  @Column({ name: 'receipt_count', type: 'integer', default: 1 })
  receiptCount!: number;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}
