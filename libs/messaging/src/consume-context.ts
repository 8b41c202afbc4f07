import type { Envelope, EventName, EventPayload } from '@aegis/contracts';
import type { EntityManager } from 'typeorm';
import type { EventPublisher, PublishOptions } from './event-publisher.js';

/**
 * What a handler gets besides its event: the transaction its changes must use
 * (the inbox row commits with them) and a publisher bound to it, so events it
 * emits are written to the outbox in the same transaction.
 */
export class ConsumeContext {
  constructor(
    readonly envelope: Envelope,
    readonly manager: EntityManager,
    readonly attempt: number,
    private readonly publisher: EventPublisher,
  ) {}

  publish<K extends EventName>(
    type: K,
    data: EventPayload<K>,
    options: PublishOptions = {},
  ): Promise<Envelope<K, EventPayload<K>>> {
    return this.publisher.publish(this.manager, type, data, {
      correlationId: this.envelope.correlationId,
      ...options,
    });
  }
}
