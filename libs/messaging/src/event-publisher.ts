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
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error(`publish(${type}) must run inside a transaction with the state change`);
    }
    toValidPayload(type, payloadClassOf(type), data);
    const envelope: Envelope<K, EventPayload<K>> = {
      id: options.id ?? randomUUID(),
      type,
      version: versionOf(type),
      occurredAt: (options.occurredAt ?? new Date()).toISOString(),
      source: this.source,
      correlationId: options.correlationId ?? currentCorrelationId() ?? newCorrelationId(),
      data,
    };
    await manager.query(
      `INSERT INTO "${this.schema}"."outbox" ("id", "message_type", "routing_key", "correlation_id", "envelope")
       VALUES ($1, $2, $3, $4, $5)`,
      [envelope.id, type, type, envelope.correlationId, JSON.stringify(envelope)],
    );
    return envelope;
  }
}
