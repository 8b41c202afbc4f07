import type { DisputeStatus } from '@aegis/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** `commanded`: the answer of one of this service's own Stripe calls (evidence, accept). */
export type DisputeHistoryOutcome = 'applied' | 'refetched' | 'commanded';

/** One change of a mirrored dispute. */
@Entity({ name: 'dispute_history' })
export class DisputeHistoryEntry {
  @PrimaryColumn({ name: 'history_id', type: 'uuid' })
  historyId!: string;

  @Column({ name: 'dispute_id', type: 'uuid' })
  disputeId!: string;

  /** The dispute's version after this change. */
  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'text' })
  outcome!: DisputeHistoryOutcome;

  /** The Stripe event's id, or the Stripe request id of our call's answer. */
  @Column({ name: 'source_id', type: 'text' })
  sourceId!: string;

  /** The event's type, or `aegis.dispute.<command>`. */
  @Column({ name: 'source_type', type: 'text' })
  sourceType!: string;

  @Column({ name: 'source_created', type: 'timestamptz' })
  sourceCreated!: Date;

  @Column({ name: 'from_status', type: 'text', nullable: true })
  fromStatus!: DisputeStatus | null;

  @Column({ name: 'to_status', type: 'text' })
  toStatus!: DisputeStatus;

  @Column({ name: 'changed_fields', type: 'text', array: true })
  changedFields!: string[];

  @Column({ name: 'applied_at', type: 'timestamptz' })
  appliedAt!: Date;
}
