import { exactBigint } from '@aegis/persistence';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** One usage record as received; the event id makes a redelivery harmless. */
@Entity({ name: 'usage_events' })
export class UsageEvent {
  @PrimaryColumn({ name: 'event_id', type: 'text' })
  eventId!: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ type: 'text' })
  meter!: string;

  @Column({ type: 'bigint', transformer: exactBigint })
  quantity!: number;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;

  @Column({ name: 'api_key_id', type: 'text', nullable: true })
  apiKeyId!: string | null;

  /** What the producer said of the call (e.g. `{endpoint, status}`); `{}` when nothing. */
  @Column({ type: 'jsonb' })
  metadata!: Record<string, string>;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}
