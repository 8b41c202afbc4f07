import { randomUUID } from 'node:crypto';
import {
  payloadClassOf,
  versionOf,
  type Envelope,
  type EventName,
  type EventPayload,
} from '@aegis/contracts';
import { currentCorrelationId, newCorrelationId } from '@aegis/observability';
import type { EntityManager } from 'typeorm';
import { toValidPayload } from './payload-validation.js';

export interface PublishOptions {
  /** The message id; defaults to a new UUID. Set it when the event has a natural id. */
  readonly id?: string;
  readonly correlationId?: string;
  readonly occurredAt?: Date;
}

/**
 * Writes outgoing events to the service's outbox inside the caller's
 * transaction: the event exists if and only if the state change committed.
 * The outbox relay publishes it afterwards.
 */
export class EventPublisher {
  constructor(
    private readonly schema: string,
    private readonly source: string,
  ) {}

  async publish<K extends EventName>(
    manager: EntityManager,
    type: K,
    data: EventPayload<K>,
    options: PublishOptions = {},
  ): Promise<Envelope<K, EventPayload<K>>> {
    this.requireTransaction(manager, type);
    const envelope = this.envelopeOf(type, data, options);
    await this.insert(manager, envelope, '');
    return envelope;
  }

  /**
   * Publishes under a natural id that may have been used before (a replay of a
   * stored event): a row already sent under that id is forgotten first, so the
   * event goes out again; a row with it still unsent means that publication is
   * still to come, and one is enough: nothing is added, and `pending` returned.
   */
  async publishAgain<K extends EventName>(
    manager: EntityManager,
    type: K,
    data: EventPayload<K>,
    options: PublishOptions & { readonly id: string },
  ): Promise<'published' | 'pending'> {
    this.requireTransaction(manager, type);
    await manager.query(
      `DELETE FROM "${this.schema}"."outbox" WHERE "id" = $1 AND "published_at" IS NOT NULL`,
      [options.id],
    );
    const inserted = await this.insert(
      manager,
      this.envelopeOf(type, data, options),
      'ON CONFLICT ("id") DO NOTHING',
    );
    return inserted ? 'published' : 'pending';
  }

  /**
   * Publishes under an id derived from its cause, at most once: a second
   * call with the same id (the same cause seen again) adds nothing and
   * answers false.
   */
  async publishOnce<K extends EventName>(
    manager: EntityManager,
    type: K,
    data: EventPayload<K>,
    options: PublishOptions & { readonly id: string },
  ): Promise<boolean> {
    this.requireTransaction(manager, type);
    return this.insert(
      manager,
      this.envelopeOf(type, data, options),
      'ON CONFLICT ("id") DO NOTHING',
    );
  }

  /**
   * An INSERT of outbox rows from `rows`, a query with the columns `id`,
   * `type`, `correlation_id` and `envelope` (jsonb, headed by
   * `envelopeHeaderOf`), to run as one part of a caller's statement (a
   * data-modifying WITH): outbox rows written in bulk, with the state change
   * they announce.
   */
  outboxInsertSql(rows: string): string {
    return `INSERT INTO "${this.schema}"."outbox" ("id", "message_type", "routing_key", "correlation_id", "envelope")
      SELECT "id", "type", "type", "correlation_id", "envelope" FROM (${rows}) AS "outgoing"`;
  }

  private requireTransaction(manager: EntityManager, type: string): void {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error(`publish(${type}) must run inside a transaction with the state change`);
    }
  }

  private envelopeOf<K extends EventName>(
    type: K,
    data: EventPayload<K>,
    options: PublishOptions,
  ): Envelope<K, EventPayload<K>> {
    toValidPayload(type, payloadClassOf(type), data);
    return { ...this.envelopeHeaderOf(type, options), data };
  }

  /**
   * An envelope without its data, for a caller that writes outbox rows of
   * its own in bulk (webhook-ingest's group commit) and has checked the data
   * against the contract already.
   */
  envelopeHeaderOf<K extends EventName>(
    type: K,
    options: PublishOptions = {},
  ): Omit<Envelope<K>, 'data'> {
    return {
      id: options.id ?? randomUUID(),
      type,
      version: versionOf(type),
      occurredAt: (options.occurredAt ?? new Date()).toISOString(),
      source: this.source,
      correlationId: options.correlationId ?? currentCorrelationId() ?? newCorrelationId(),
    };
  }

  /** Writes the outbox row; false when `onConflict` skipped it. */
  private async insert(
    manager: EntityManager,
    envelope: Envelope,
    onConflict: '' | 'ON CONFLICT ("id") DO NOTHING',
  ): Promise<boolean> {
    const inserted: unknown[] = await manager.query(
      `INSERT INTO "${this.schema}"."outbox" ("id", "message_type", "routing_key", "correlation_id", "envelope")
       VALUES ($1, $2, $3, $4, $5) ${onConflict} RETURNING "id"`,
      [envelope.id, envelope.type, envelope.type, envelope.correlationId, JSON.stringify(envelope)],
    );
    return inserted.length > 0;
  }
}
