import { STRIPE_EVENT_APPLIED_V1, type StripeEventOutcome } from '@aegis/contracts';
import type { ConsumeContext } from '@aegis/messaging';
import type Stripe from 'stripe';

/**
 * Reports to webhook-ingest what this service did with the Stripe event it is
 * consuming, in the transaction that did it: the receipt exists if and only if
 * the change does.
 */
export async function reportStripeEventOutcome(
  context: ConsumeContext,
  service: string,
  outcome: StripeEventOutcome,
): Promise<void> {
  // A stripe.* envelope's data is the Stripe event (checked by its contract on the way in).
  const event = context.envelope.data as Pick<Stripe.Event, 'id'>;
  await context.publish(STRIPE_EVENT_APPLIED_V1, {
    eventId: event.id,
    service,
    outcome,
    appliedAt: new Date().toISOString(),
  });
}
