import type { ReceivedVia } from '@aegis/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One Stripe event as received, stored once whatever how often Stripe delivers it. */
@Entity({ name: 'stripe_webhook_events' })
export class StripeWebhookEvent {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'event_id', type: 'text', unique: true })
  eventId!: string;

  @Column({ name: 'event_type', type: 'text' })
  eventType!: string;

  @Column({ name: 'api_version', type: 'text', nullable: true })
  apiVersion!: string | null;

  @Column({ type: 'boolean' })
  livemode!: boolean;

  /** The connected account the event came from (Stripe Connect); null for our own account. */
  @Column({ type: 'text', nullable: true })
  account!: string | null;

  @Column({ name: 'stripe_created_at', type: 'timestamptz' })
  stripeCreatedAt!: Date;

  /** Stripe's event JSON as received. */
  @Column({ type: 'jsonb' })
  payload!: object;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ name: 'received_via', type: 'text' })
  receivedVia!: ReceivedVia;

  /** Webhook deliveries of this event; 0 if only a backfill brought it. */
  @Column({ name: 'delivery_count', type: 'integer' })
  deliveryCount!: number;

  /** When the broker confirmed the latest publication; null while one is pending. */
  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;

  @Column({ name: 'replay_count', type: 'integer', default: 0 })
  replayCount!: number;

  /** When the apply-deadline sweep checked its receipts; null until then. */
  @Column({ name: 'apply_checked_at', type: 'timestamptz', nullable: true })
  applyCheckedAt!: Date | null;
}
