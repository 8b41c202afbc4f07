import type { StripeEventOutcome } from '@aegis/contracts';
import type { RefetchableKind, RefetchableObjects, StripeProvider } from './stripe-provider.js';

/** What a consumer applies for an event about an object it mirrors. */
export type StateToApply<T> =
  | { readonly outcome: Extract<StripeEventOutcome, 'applied' | 'refetched'>; readonly object: T }
  | { readonly outcome: Extract<StripeEventOutcome, 'stale'> };

/** How an event's `created` compares with the newest one a consumer applied to the same object. */
export function freshnessOf(
  eventCreated: number,
  lastAppliedCreated: number | null,
): 'newer' | 'older' | 'tie' {
  if (lastAppliedCreated === null || eventCreated > lastAppliedCreated) return 'newer';
  return eventCreated < lastAppliedCreated ? 'older' : 'tie';
}

/**
 * The convergence rule every consumer of Stripe events follows, so the
 * mirror never moves backwards whatever order events arrive in: an event
 * newer than what was applied to its object applies as it is; an older one
 * changes nothing; a tie (Stripe's `created` has one-second resolution) or
 * any doubt (`inDoubt`) re-fetches the object from Stripe, rate-limited, and
 * that current state applies. Remember `max(last, event.created)` afterwards.
 */
export async function stateToApply<K extends RefetchableKind>(
  provider: StripeProvider,
  kind: K,
  event: { readonly created: number; readonly data: { readonly object: RefetchableObjects[K] } },
  lastAppliedCreated: number | null,
  inDoubt = false,
): Promise<StateToApply<RefetchableObjects[K]>> {
  const freshness = freshnessOf(event.created, lastAppliedCreated);
  if (freshness === 'older') return { outcome: 'stale' };
  if (freshness === 'newer' && !inDoubt) return { outcome: 'applied', object: event.data.object };
  const id = (event.data.object as { id: string }).id;
  return { outcome: 'refetched', object: await provider.refetch(kind, id) };
}
