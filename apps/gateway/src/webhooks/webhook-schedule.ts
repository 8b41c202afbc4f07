/** The retry schedule of a delivery (docs/webhooks.md, "Retries"). */
export interface RetrySchedule {
  /** The delay after the first failed attempt, before jitter. */
  readonly baseDelayMs: number;
  /** No delay grows beyond this, before jitter. */
  readonly maxDelayMs: number;
}

/**
 * The delay before the next attempt after `failedAttempts` failed ones (1 or
 * more): base × 2^(failedAttempts − 1), at most the maximum, then "equal
 * jitter" (half of it fixed, the other half random), so replicas and
 * endpoints that failed together do not all come back at the same instant.
 */
export function retryDelayMs(
  failedAttempts: number,
  schedule: RetrySchedule,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(failedAttempts - 1, 0), 40);
  const capped = Math.min(schedule.maxDelayMs, schedule.baseDelayMs * 2 ** exponent);
  return Math.round(capped / 2 + random() * (capped / 2));
}
