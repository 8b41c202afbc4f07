import type { SubscriptionBillingInterval, SubscriptionStatus } from '@aegis/contracts';

/**
 * The pure rules of docs/metrics.md: MRR of a subscription's state, the
 * movement a change of a customer's MRR makes, exact rounding of quotients
 * and rates. Money is integer minor units; no float touches an amount.
 */

export const MRR_MOVEMENTS = ['new', 'expansion', 'contraction', 'churned', 'reactivated'] as const;
export type MrrMovement = (typeof MRR_MOVEMENTS)[number];

/** Statuses whose subscription counts in MRR: it bills now (past_due is still being collected). */
export const MRR_STATUSES: readonly SubscriptionStatus[] = ['active', 'past_due'];

/** Statuses after which the subscriptions service sends no further state (subscription.ended.v1). */
const ENDED_STATUSES: readonly SubscriptionStatus[] = ['canceled', 'incomplete_expired'];

/** The mean Gregorian month, 365.25 / 12 days, in milliseconds. */
const MEAN_MONTH_MS = 2_629_800_000;

/** round half up of `numerator / denominator`, both non-negative integers, denominator > 0. */
export function divideRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n || numerator < 0n) throw new RangeError('divideRoundHalfUp of a negative');
  return (2n * numerator + denominator) / (2n * denominator);
}

/** As divideRoundHalfUp, of safe integers, as a safe integer. */
export function quotientRoundHalfUp(numerator: number, denominator: number): number {
  const value = Number(divideRoundHalfUp(BigInt(numerator), BigInt(denominator)));
  if (!Number.isSafeInteger(value))
    throw new RangeError(`${numerator}/${denominator} is too large`);
  return value;
}

/** The decimal places of every rate. */
export const RATE_DECIMALS = 6;

/**
 * `numerator / denominator` as decimal text with RATE_DECIMALS places,
 * rounded half up from the exact fraction; "0.000000" when the denominator
 * is 0 (nothing to measure against).
 */
export function rateOf(numerator: number, denominator: number): string {
  if (denominator === 0) return `0.${'0'.repeat(RATE_DECIMALS)}`;
  const scale = 10n ** BigInt(RATE_DECIMALS);
  const scaled = divideRoundHalfUp(BigInt(numerator) * scale, BigInt(denominator));
  const whole = scaled / scale;
  const fraction = (scaled % scale).toString().padStart(RATE_DECIMALS, '0');
  return `${whole.toString()}.${fraction}`;
}

/**
 * Months of a price's billing interval, where it is whole months: a month
 * interval's count, twelve for each year. Otherwise (days, weeks, or an
 * older state without the interval) the current period's length decides
 * (intervalMonthsOf).
 */
export function priceIntervalMonthsOf(
  interval: SubscriptionBillingInterval | null | undefined,
  count: number | null | undefined,
  periodStart: string | null,
  periodEnd: string | null,
): number {
  const every = count ?? 1;
  if (interval === 'month') return Math.max(1, every);
  if (interval === 'year') return Math.max(1, 12 * every);
  return intervalMonthsOf(periodStart, periodEnd);
}

/**
 * Whole months of a billing period: its length divided by the mean month
 * (30.4375 days), rounded half up, at least 1 (a month of 28 to 31 days is
 * 1, a year of 365 or 366 days is 12). No period known: 1.
 */
export function intervalMonthsOf(start: string | null, end: string | null): number {
  if (start === null || end === null) return 1;
  const length = Date.parse(end) - Date.parse(start);
  if (!Number.isFinite(length) || length <= 0) return 1;
  return Math.max(1, quotientRoundHalfUp(length, MEAN_MONTH_MS));
}

export interface SubscriptionAmounts {
  readonly status: SubscriptionStatus;
  readonly unitAmount: number | null;
  readonly quantity: number | null;
  readonly intervalMonths: number;
}

/**
 * A subscription's MRR: 0 unless its status is in MRR_STATUSES; else
 * round half up (unit amount × quantity (1 when unknown) / interval months).
 * An unknown unit amount gives 0.
 */
export function mrrOf(subscription: SubscriptionAmounts): number {
  if (!MRR_STATUSES.includes(subscription.status) || subscription.unitAmount === null) return 0;
  const amount = BigInt(subscription.unitAmount) * BigInt(subscription.quantity ?? 1);
  const value = Number(divideRoundHalfUp(amount, BigInt(subscription.intervalMonths)));
  if (!Number.isSafeInteger(value)) throw new RangeError('an MRR beyond a safe integer');
  return value;
}

/**
 * The movement of a customer's MRR (in one currency) from `before` to
 * `after`: new or reactivated from 0 (reactivated when the customer had MRR
 * before, ever), churned to 0, expansion or contraction between two non-zero
 * amounts, none when unchanged.
 */
export function movementOf(before: number, after: number, paidBefore: boolean): MrrMovement | null {
  if (before === after) return null;
  if (before === 0) return paidBefore ? 'reactivated' : 'new';
  if (after === 0) return 'churned';
  return after > before ? 'expansion' : 'contraction';
}

/**
 * Whether a state replaces the one held: a later `updatedAt`, or the same
 * one ending the subscription when the held one did not.
 */
export function supersedesState(
  incoming: { readonly updatedAt: Date; readonly status: SubscriptionStatus },
  held: { readonly updatedAt: Date; readonly status: SubscriptionStatus },
): boolean {
  const difference = incoming.updatedAt.getTime() - held.updatedAt.getTime();
  if (difference !== 0) return difference > 0;
  return ENDED_STATUSES.includes(incoming.status) && !ENDED_STATUSES.includes(held.status);
}

/** The UTC month containing the instant just before `at`: its first instant. */
export function periodStartOf(at: Date): Date {
  const before = new Date(at.getTime() - 1);
  return new Date(Date.UTC(before.getUTCFullYear(), before.getUTCMonth(), 1));
}

/** `YYYY-MM-DD` (UTC) as its first instant. */
export function dayStart(day: string): Date {
  return new Date(`${day}T00:00:00.000Z`);
}

/** The instant after the last one of `day` (UTC): the next day's first. */
export function dayEnd(day: string): Date {
  return new Date(dayStart(day).getTime() + 86_400_000);
}
