import {
  STRIPE_EVENT_APPLIED_V1,
  type Envelope,
  type StripeEventName,
  type StripeEventOutcome,
} from '@aegis/contracts';
import type { EventPublisher } from '@aegis/messaging';
import type Stripe from 'stripe';
import type { EntityManager } from 'typeorm';

/**
 * Reports to webhook-ingest what this service did with a Stripe event, in the
 * transaction that did it: the receipt exists if and only if the change does.
 */
export async function reportStripeEventOutcome(
  publisher: EventPublisher,
  manager: EntityManager,
  service: string,
  event: Envelope<StripeEventName, Stripe.Event>,
  outcome: StripeEventOutcome,
): Promise<void> {
  await publisher.publish(manager, STRIPE_EVENT_APPLIED_V1, {
    eventId: event.data.id,
    service,
    outcome,
    appliedAt: new Date().toISOString(),
  });
}
