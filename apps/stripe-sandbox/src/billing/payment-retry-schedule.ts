const SECONDS_PER_DAY = 24 * 60 * 60;

/**
 * The sandbox's fixed retry schedule for an automatically collected invoice
 * whose payment failed (a subscription's, or a one-off invoice with
 * `auto_advance`), in days after its first failed attempt: Stripe's Smart
 * Retries pick their own times, so the sandbox follows a custom schedule
 * such as Stripe's dashboard offers (retry 3, 5 and 7 days after the first
 * failure). When the last retry fails too, the invoice stays open (Stripe's
 * "leave the invoice past due"), and a subscription becomes `unpaid`
 * (Stripe's "mark the subscription as unpaid").
 */
export const PAYMENT_RETRY_DAYS: readonly number[] = [3, 5, 7];

/**
 * When a failed invoice is next retried, `failures` attempts having failed
 * since the first failure at `firstFailureAt`; null once the retries are
 * exhausted.
 */
export function nextRetryAt(firstFailureAt: number, failures: number): number | null {
  const days = PAYMENT_RETRY_DAYS[failures - 1];
  return days === undefined ? null : firstFailureAt + days * SECONDS_PER_DAY;
}
