import type { OutboxPublishedHook } from '@aegis/messaging';

/** Stripe's event id inside a fanned-out envelope (`data` is the Stripe event). */
function stripeEventIdOf(envelope: string): string | undefined {
  const parsed = JSON.parse(envelope) as { data?: { id?: unknown } };
  return typeof parsed.data?.id === 'string' ? parsed.data.id : undefined;
}

/**
 * Stamps `published_at` on the stored events whose fan-out the broker has just
 * confirmed, in the relay's transaction: set exactly when they are out.
 */
export const stampStripeEventsPublished: OutboxPublishedHook = async (manager, published) => {
  const eventIds = published
    .filter((message) => message.type.startsWith('stripe.'))
    .map((message) => stripeEventIdOf(message.envelope))
    .filter((id): id is string => id !== undefined);
  if (eventIds.length === 0) return;
  await manager.query(
    `UPDATE "ingest"."stripe_webhook_events" SET "published_at" = now() WHERE "event_id" = ANY($1::text[])`,
    [eventIds],
  );
};
