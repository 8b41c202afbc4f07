import { randomUUID } from 'node:crypto';
import { stripeEventName, type Envelope } from '@aegis/contracts';
import type { ConfirmChannel } from 'amqplib';
import type Stripe from 'stripe';

/**
 * Publishes a Stripe event to an events exchange exactly as webhook-ingest
 * fans it out: routing key and type `stripe.<type>`, message id = the event id
 * (or `messageId`, as a forced replay does). Wait for the channel's confirms
 * before relying on it.
 */
export function publishStripeEvent(
  channel: ConfirmChannel,
  exchange: string,
  event: Stripe.Event,
  messageId = event.id,
): void {
  const type = stripeEventName(event.type);
  const envelope: Envelope = {
    id: messageId,
    type,
    version: 1,
    occurredAt: new Date(event.created * 1_000).toISOString(),
    source: 'webhook-ingest',
    correlationId: randomUUID(),
    data: event,
  };
  channel.publish(exchange, type, Buffer.from(JSON.stringify(envelope)), {
    persistent: true,
    messageId,
    type,
    contentType: 'application/json',
  });
}
