import type { OutboxPublishedHook } from '@aegis/messaging';

/**
 * Stamps `published_at` on the stored events whose fan-out the broker has just
 * confirmed, in the relay's transaction: set exactly when they are out. The
 * event's id is read from the outbox row's envelope (a forced replay goes out
 * under a message id of its own), by PostgreSQL rather than by parsing each
 * envelope here.
 */
export const stampStripeEventsPublished: OutboxPublishedHook = async (manager, published) => {
  const messageIds = published
    .filter((message) => message.type.startsWith('stripe.'))
    .map((message) => message.id);
  if (messageIds.length === 0) return;
  await manager.query(
    `UPDATE "ingest"."stripe_webhook_events" SET "published_at" = now()
      WHERE "event_id" IN (
        SELECT "envelope"->'data'->>'id' FROM "ingest"."outbox" WHERE "id" = ANY($1::text[])
      )`,
    [messageIds],
  );
};
