import type { BackfillStatus } from '@aegis/contracts';
import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

/**
 * One backfill: Stripe's event list walked newest to oldest down to
 * `createdSince`. `cursor` is the last event of the last committed page, so
 * an interrupted run resumes right after it.
 */
@Entity({ name: 'backfill_runs' })
export class BackfillRun {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Lower bound of the events listed (`created[gte]`); null lists all Stripe still keeps. */
  @Column({ name: 'created_since', type: 'timestamptz', nullable: true })
  createdSince!: Date | null;

  @Column({ type: 'text', nullable: true })
  cursor!: string | null;

  @Column({ type: 'text' })
  status!: BackfillStatus;

  @Column({ type: 'integer', default: 0 })
  pages!: number;

  @Column({ type: 'integer', default: 0 })
  seen!: number;

  @Column({ type: 'integer', default: 0 })
  ingested!: number;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @CreateDateColumn({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
