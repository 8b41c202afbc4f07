import { Column, Entity, PrimaryColumn } from 'typeorm';

export type IdempotencyState = 'in_flight' | 'completed';

/** The first answer to a POST under an `Idempotency-Key`, per key owner, for 24 h. */
@Entity({ name: 'idempotency_records' })
export class IdempotencyRecord {
  /** The API key (or admin key id) that sent the request: keys of two callers never collide. */
  @PrimaryColumn({ name: 'owner_key_id', type: 'text' })
  ownerKeyId!: string;

  @PrimaryColumn({ name: 'idempotency_key', type: 'text' })
  idempotencyKey!: string;

  /** SHA-256 of method, path and body: the same key with another request is a 422. */
  @Column({ name: 'request_fingerprint', type: 'text' })
  requestFingerprint!: string;

  @Column({ type: 'text' })
  state!: IdempotencyState;

  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus!: number | null;

  @Column({ name: 'response_body', type: 'json', nullable: true })
  responseBody!: object | null;

  @Column({ name: 'locked_at', type: 'timestamptz' })
  lockedAt!: Date;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
