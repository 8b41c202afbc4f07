import type { RefundOrigin, RefundReason, RefundStatus } from '@aegis/contracts';
import { exactBigint } from '@aegis/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A refund of a ledger transaction (docs/ledger.md): ours, reserved before
 * Stripe is asked (`stripeRefundId` null until Stripe answers), or one made
 * at Stripe and mirrored from its events. Its status follows Stripe's.
 */
@Entity({ name: 'refunds' })
export class Refund {
  @PrimaryColumn({ name: 'refund_id', type: 'text' })
  refundId!: string;

  @Column({ name: 'transaction_id', type: 'uuid' })
  transactionId!: string;

  @Column({ name: 'customer_id', type: 'text', nullable: true })
  customerId!: string | null;

  @Column({ type: 'text' })
  origin!: RefundOrigin;

  @Column({ name: 'amount_cents', type: 'bigint', transformer: exactBigint })
  amountCents!: number;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ type: 'text', nullable: true })
  reason!: RefundReason | null;

  @Column({ type: 'text' })
  status!: RefundStatus;

  @Column({ name: 'failure_reason', type: 'text', nullable: true })
  failureReason!: string | null;

  @Column({ name: 'stripe_refund_id', type: 'text', nullable: true })
  stripeRefundId!: string | null;

  /** Stripe's own status, as last applied (`requires_action` shows as `pending`). */
  @Column({ name: 'stripe_status', type: 'text', nullable: true })
  stripeStatus!: string | null;

  /** Convergence stamp: the newest refund event `created` applied. */
  @Column({ name: 'last_event_created', type: 'timestamptz', nullable: true })
  lastEventCreated!: Date | null;

  /**
   * The caller's idempotency key (the gateway's `Idempotency-Key`), when it gave
   * one: one refund per transaction and key; asked again, the key's refund is answered.
   */
  @Column({ name: 'request_key', type: 'text', nullable: true })
  requestKey!: string | null;

  /** The amount the request asked for; null: the rest (what was left when it was reserved). */
  @Column({
    name: 'requested_amount_cents',
    type: 'bigint',
    nullable: true,
    transformer: exactBigint,
  })
  requestedAmountCents!: number | null;

  /**
   * Set while a request or the resumer is sending the refund to Stripe (cleared
   * when that send ends): no other sends it meanwhile. Older than SEND_LEASE_MS,
   * its sender is taken to have died.
   */
  @Column({ name: 'sending_since', type: 'timestamptz', nullable: true })
  sendingSince!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
