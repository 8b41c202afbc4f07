import type { FraudWarningDecision } from '@aegis/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A Radar early fraud warning as mirrored, with what was decided about it (once). */
@Entity({ name: 'fraud_warnings' })
export class FraudWarning {
  @PrimaryColumn({ name: 'warning_id', type: 'uuid' })
  warningId!: string;

  @Column({ name: 'stripe_warning_id', type: 'text', unique: true })
  stripeWarningId!: string;

  @Column({ name: 'stripe_charge_id', type: 'text' })
  stripeChargeId!: string;

  @Column({ name: 'stripe_payment_intent_id', type: 'text', nullable: true })
  stripePaymentIntentId!: string | null;

  @Column({ name: 'customer_id', type: 'text', nullable: true })
  customerId!: string | null;

  @Column({ type: 'boolean' })
  actionable!: boolean;

  @Column({ name: 'fraud_type', type: 'text' })
  fraudType!: string;

  /** Null until decided: billing did not know the charge yet, or was unreachable. */
  @Column({ type: 'text', nullable: true })
  decision!: FraudWarningDecision | null;

  @Column({ name: 'refund_id', type: 'text', nullable: true })
  refundId!: string | null;

  @Column({ name: 'decision_detail', type: 'text', nullable: true })
  decisionDetail!: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  @Column({ name: 'stripe_created', type: 'timestamptz' })
  stripeCreated!: Date;

  @Column({ name: 'last_event_created', type: 'timestamptz' })
  lastEventCreated!: Date;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
