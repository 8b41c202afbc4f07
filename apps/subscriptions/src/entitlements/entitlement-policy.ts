import type { Subscription } from '../subscription-mirror/entities/subscription.entity.js';

/**
 * Whether a subscription's plan hours may be used now: while trialing or
 * active, and while past due (Stripe is retrying the renewal: the grace of
 * dunning; it ends when Stripe cancels or marks it unpaid). Not while
 * collection is paused (the agent is on leave), nor when unpaid, incomplete,
 * paused by Stripe or ended.
 */
export function isEntitled(subscription: Pick<Subscription, 'status' | 'pauseBehavior'>): boolean {
  if (subscription.pauseBehavior !== null) return false;
  return (
    subscription.status === 'trialing' ||
    subscription.status === 'active' ||
    subscription.status === 'past_due'
  );
}
