import type { DisputeStatus } from '@aegis/contracts';
import { exactBigint } from '@aegis/persistence';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A dispute of a ledger transaction (docs/ledger.md, "Disputes"), as the
 * disputes service last published it: the state with the latest `updatedAt`
 * (`disputeUpdatedAt`). `transactionId` is the transaction of its charge (else
 * of its payment intent), null while billing does not know that payment yet.
 */
@Entity({ name: 'transaction_disputes' })
export class TransactionDispute {
  @PrimaryColumn({ name: 'stripe_dispute_id', type: 'text' })
  stripeDisputeId!: string;

  /** The disputes service's id of the dispute. */
  @Column({ name: 'dispute_id', type: 'uuid' })
  disputeId!: string;

  @Column({ name: 'stripe_charge_id', type: 'text' })
  stripeChargeId!: string;

  @Column({ name: 'stripe_payment_intent_id', type: 'text', nullable: true })
  stripePaymentIntentId!: string | null;

  @Column({ name: 'transaction_id', type: 'uuid', nullable: true })
  transactionId!: string | null;

  /** Disputed amount, integer minor units of `currency`. */
  @Column({ name: 'amount_cents', type: 'bigint', transformer: exactBigint })
  amountCents!: number;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ type: 'text' })
  status!: DisputeStatus;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ name: 'evidence_due_by', type: 'timestamptz', nullable: true })
  evidenceDueBy!: Date | null;

  /** Stripe's dispute fees net of reinstatements; null when unknown. */
  @Column({ name: 'fee_cents', type: 'bigint', nullable: true, transformer: exactBigint })
  feeCents!: number | null;

  /** Withdrawn from the balance less reinstated, fees apart. */
  @Column({ name: 'amount_withdrawn_cents', type: 'bigint', transformer: exactBigint })
  amountWithdrawnCents!: number;

  /** The applied state's `updatedAt`: an older state arriving later is not applied. */
  @Column({ name: 'dispute_updated_at', type: 'timestamptz' })
  disputeUpdatedAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
