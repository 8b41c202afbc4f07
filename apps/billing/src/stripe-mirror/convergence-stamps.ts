/**
 * Convergence stamps are kept as timestamptz; the rule (`stateToApply`)
 * compares Stripe's `created` seconds.
 */
export function secondsOf(stamp: Date | null | undefined): number | null {
  return stamp === null || stamp === undefined ? null : Math.floor(stamp.getTime() / 1_000);
}

/** The stamp after applying an event of `created` (seconds): never earlier than before. */
export function laterStamp(stamp: Date | null | undefined, created: number): Date {
  const current = secondsOf(stamp);
  return new Date(Math.max(current ?? created, created) * 1_000);
}
