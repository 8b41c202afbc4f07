import type { DisputeEvidenceV1, DisputeStatus } from '@aegis/contracts';
import { exactBigint } from '@aegis/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A Stripe dispute as mirrored, linked to the ledger's transaction of its charge once billing has it. */
@Entity({ name: 'disputes' })
export class Dispute {
  @PrimaryColumn({ name: 'dispute_id', type: 'uuid' })
  disputeId!: string;

  @Column({ name: 'stripe_dispute_id', type: 'text', unique: true })
  stripeDisputeId!: string;

  @Column({ name: 'stripe_charge_id', type: 'text' })
  stripeChargeId!: string;

  @Column({ name: 'stripe_payment_intent_id', type: 'text', nullable: true })
  stripePaymentIntentId!: string | null;

  @Column({ name: 'customer_id', type: 'text', nullable: true })
  customerId!: string | null;

  /** billing's transaction of the charge; null until billing has it (the sweep links it later). */
  @Column({ name: 'transaction_id', type: 'uuid', nullable: true })
  transactionId!: string | null;

  @Column({ type: 'bigint', transformer: exactBigint })
  amount!: number;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ type: 'text' })
  status!: DisputeStatus;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ name: 'evidence_due_by', type: 'timestamptz', nullable: true })
  evidenceDueBy!: Date | null;

  /** Stripe counted at least one submission. */
  @Column({ name: 'evidence_submitted', type: 'boolean' })
  evidenceSubmitted!: boolean;

  /** Stripe's text evidence as it holds it now. */
  @Column({ type: 'jsonb' })
  evidence!: DisputeEvidenceV1;

  @Column({ name: 'fee_cents', type: 'bigint', nullable: true, transformer: exactBigint })
  feeCents!: number | null;

  @Column({ name: 'amount_withdrawn', type: 'bigint', transformer: exactBigint })
  amountWithdrawn!: number;

  /** When `dispute.deadline_approaching.v1` was raised (once). */
  @Column({ name: 'deadline_notified_at', type: 'timestamptz', nullable: true })
  deadlineNotifiedAt!: Date | null;

  /** The sweep's attempts to link it that found no transaction (docs/disputes.md, "Linking"). */
  @Column({ name: 'link_attempts', type: 'integer', default: 0 })
  linkAttempts!: number;

  /** When the sweep asks billing about it again; null: at its next sweep. */
  @Column({ name: 'next_link_at', type: 'timestamptz', nullable: true })
  nextLinkAt!: Date | null;

  /** The newest Stripe `created` applied (events and our own calls' answers). */
  @Column({ name: 'last_event_created', type: 'timestamptz' })
  lastEventCreated!: Date;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
