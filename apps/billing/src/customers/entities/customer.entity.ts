import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A customer of the registry, and its Stripe customer as billing mirrors it.
 * A row may exist before its customer's own events arrived (a payment named it
 * first): then the mirrored fields are empty and `lastEventCreated` is null.
 */
@Entity({ name: 'customers' })
export class Customer {
  /** The one customer id of the system (see CUSTOMER_ID_PATTERN of @aegis/contracts). */
  @PrimaryColumn({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ name: 'stripe_customer_id', type: 'text', unique: true })
  stripeCustomerId!: string;

  @Column({ type: 'text', nullable: true })
  email!: string | null;

  @Column({ type: 'text', nullable: true })
  name!: string | null;

  @Column({ type: 'jsonb' })
  metadata!: Record<string, string>;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;

  /** The newest Stripe event `created` applied to this customer: the convergence stamp. */
  @Column({ name: 'last_event_created', type: 'timestamptz', nullable: true })
  lastEventCreated!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** When the mirrored fields last changed. */
  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
