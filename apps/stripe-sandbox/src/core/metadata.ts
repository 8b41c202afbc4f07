import type Stripe from 'stripe';

/**
 * Stripe's metadata update: keys given are set, a key given as `''` is
 * removed, and `metadata=''` (null here) clears everything.
 */
export function mergeMetadata(
  current: Stripe.Metadata,
  update: Record<string, string> | null,
): Stripe.Metadata {
  if (update === null) return {};
  return Object.fromEntries(
    Object.entries({ ...current, ...update }).filter(([, value]) => value !== ''),
  );
}
