import type { ReplayResultV1 } from '@aegis/contracts';
import { Injectable } from '@nestjs/common';
import { stripeEventName } from '@aegis/contracts';
import { EventPublisher } from '@aegis/messaging';
import type Stripe from 'stripe';
import { DataSource, type EntityManager } from 'typeorm';
import { StripeWebhookEvent } from '../ingest/entities/stripe-webhook-event.entity.js';
import type { ReplaySelection } from './replay-selection.js';

/** Events per transaction; a replay of a whole type goes through in batches of this size. */
const BATCH_SIZE = 500;

@Injectable()
export class ReplayService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: EventPublisher,
  ) {}

  /**
   * Publishes stored events again through the outbox, oldest first. Unforced,
   * each goes out under its event id, which consumers' inboxes already hold:
   * harmless. Forced, each gets a new message id, so consumers apply it
   * again, which their convergence rule makes safe.
   */
  async replay(selection: ReplaySelection, force: boolean): Promise<ReplayResultV1> {
    let matched = 0;
    let republished = 0;
    let alreadyPending = 0;
    const found = new Set<string>();
    let after: StripeWebhookEvent | undefined;
    for (;;) {
      const batch = await this.nextBatch(selection, after);
      if (batch.length === 0) break;
      const sent = await this.dataSource.transaction((manager) =>
        this.republish(manager, batch, force),
      );
      matched += batch.length;
      republished += sent;
      alreadyPending += batch.length - sent;
      if (selection.kind === 'ids') for (const event of batch) found.add(event.eventId);
      after = batch.at(-1);
      if (batch.length < BATCH_SIZE) break;
    }
    const notFound =
      selection.kind === 'ids' ? selection.eventIds.filter((id) => !found.has(id)) : [];
    return { forced: force, matched, republished, alreadyPending, notFound };
  }

  private nextBatch(
    selection: ReplaySelection,
    after: StripeWebhookEvent | undefined,
  ): Promise<StripeWebhookEvent[]> {
    const query = this.dataSource.manager
      .createQueryBuilder(StripeWebhookEvent, 'event')
      .where('TRUE')
      .orderBy('event.stripeCreatedAt', 'ASC')
      .addOrderBy('event.id', 'ASC')
      .limit(BATCH_SIZE);
    if (selection.kind === 'ids') {
      query.andWhere('event.eventId = ANY(:eventIds)', { eventIds: selection.eventIds });
    } else {
      if (selection.type !== undefined)
        query.andWhere('event.eventType = :type', { type: selection.type });
      if (selection.from !== undefined)
        query.andWhere('event.stripeCreatedAt >= :from', { from: selection.from });
      if (selection.to !== undefined)
        query.andWhere('event.stripeCreatedAt < :to', { to: selection.to });
    }
    if (after !== undefined) {
      query.andWhere('(event.stripeCreatedAt, event.id) > (:afterCreatedAt, :afterId)', {
        afterCreatedAt: after.stripeCreatedAt,
        afterId: after.id,
      });
    }
    return query.getMany();
  }

  /** Returns how many of the batch were put in the outbox. */
  private async republish(
    manager: EntityManager,
    batch: readonly StripeWebhookEvent[],
    force: boolean,
  ): Promise<number> {
    const replayed: StripeWebhookEvent[] = [];
    for (const stored of batch) {
      const event = stored.payload as Stripe.Event;
      const options = { occurredAt: stored.stripeCreatedAt };
      if (force) {
        // A new message id: past every consumer's inbox, so each applies the event again.
        await this.publisher.publish(manager, stripeEventName(event.type), event, options);
        replayed.push(stored);
      } else {
        // The event's own id: consumers that applied it already ignore it. A publication of it
        // still waiting in the outbox is enough.
        const outcome = await this.publisher.publishAgain(
          manager,
          stripeEventName(event.type),
          event,
          {
            ...options,
            id: stored.eventId,
          },
        );
        if (outcome === 'published') replayed.push(stored);
      }
    }
    if (replayed.length > 0) {
      await manager
        .createQueryBuilder()
        .update(StripeWebhookEvent)
        .set({ publishedAt: null, replayCount: () => '"replay_count" + 1' })
        .where('eventId = ANY(:eventIds)', { eventIds: replayed.map((event) => event.eventId) })
        .execute();
    }
    return replayed.length;
  }
}
