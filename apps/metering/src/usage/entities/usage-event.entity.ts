import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One usage event as stored: counted once per `(customerId, idempotencyKey)`
 * forever. Written by UsageStore's one statement with the rollups, never
 * through the repository; the entity serves reads.
 */
@Entity({ name: 'usage_events' })
export class UsageEvent {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ name: 'product_id', type: 'text' })
  productId!: string;

  /** Exact decimal text, as PostgreSQL's numeric keeps it. */
  @Column({ type: 'numeric' })
  quantity!: string;

  /** When the usage happened. */
  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ name: 'idempotency_key', type: 'text' })
  idempotencyKey!: string;

  @Column({ name: 'api_key_id', type: 'text', nullable: true })
  apiKeyId!: string | null;

  /** What the producer said of the usage (e.g. `{endpoint, status}`); `{}` when nothing. */
  @Column({ type: 'jsonb' })
  metadata!: Record<string, string>;

  /** Recorded after its billing period was closed (invoiced): billed as an adjustment. */
  @Column({ type: 'boolean' })
  late!: boolean;

  /**
   * Its period's generation when it was stored: the claim of (customer,
   * period, generation) bills it (docs/metering.md, "Claims"). Never updated.
   */
  @Column({ name: 'billing_generation', type: 'integer' })
  billingGeneration!: number;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}
