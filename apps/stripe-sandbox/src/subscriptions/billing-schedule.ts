import Stripe from 'stripe';
import { nextRetryAt, PAYMENT_RETRY_DAYS } from '../billing/payment-retry-schedule.js';

export const SECONDS_PER_DAY = 24 * 60 * 60;

/** Stripe sends `customer.subscription.trial_will_end` three days before a trial ends. */
export const TRIAL_WILL_END_NOTICE_SECONDS = 3 * SECONDS_PER_DAY;

/** An `incomplete` subscription whose first invoice stays unpaid this long becomes `incomplete_expired`. */
export const INCOMPLETE_EXPIRY_SECONDS = 23 * 60 * 60;

// The retry schedule is the invoices' own: one-off invoices are retried on it too.
export { nextRetryAt, PAYMENT_RETRY_DAYS };

export type BillingInterval = 'day' | 'week' | 'month' | 'year';

export function isBillingInterval(value: string): value is BillingInterval {
  return value === 'day' || value === 'week' || value === 'month' || value === 'year';
}

function addMonths(time: number, months: number): number {
  const date = new Date(time * 1000);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + months;
  // A day the target month lacks (the 31st in April) falls on its last day, as Stripe bills.
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return (
    Date.UTC(
      year,
      month,
      Math.min(date.getUTCDate(), lastDay),
      date.getUTCHours(),
      date.getUTCMinutes(),
      date.getUTCSeconds(),
    ) / 1000
  );
}

/** `time` moved forward by `count` intervals (months and years by calendar, in UTC). */
export function addIntervals(time: number, interval: BillingInterval, count: number): number {
  switch (interval) {
    case 'day':
      return time + count * SECONDS_PER_DAY;
    case 'week':
      return time + count * 7 * SECONDS_PER_DAY;
    case 'month':
      return addMonths(time, count);
    case 'year':
      return addMonths(time, count * 12);
  }
}

/**
 * The end of the billing period running at `after`: the first period
 * boundary later than it, boundaries lying every `intervalCount` intervals
 * from the billing cycle anchor (always counted from the anchor, so a period
 * anchored on the 31st ends on the 28th of February and the 31st of March).
 * An anchor later than `after` (a trial's end) is itself that boundary.
 */
export function periodEndAfter(
  anchor: number,
  interval: BillingInterval,
  intervalCount: number,
  after: number,
): number {
  if (anchor > after) return anchor;
  let periods = 1;
  if (interval === 'day' || interval === 'week') {
    const length = addIntervals(0, interval, intervalCount);
    periods = Math.floor((after - anchor) / length) + 1;
  }
  for (;;) {
    const boundary = addIntervals(anchor, interval, periods * intervalCount);
    if (boundary > after) return boundary;
    periods += 1;
  }
}

/**
 * The start of the billing period running at `at`: the last boundary (every
 * `intervalCount` intervals from the anchor) not later than it; the anchor
 * itself if it is later.
 */
export function periodStartAt(
  anchor: number,
  interval: BillingInterval,
  intervalCount: number,
  at: number,
): number {
  let start = anchor;
  for (let periods = 1; ; periods += 1) {
    const boundary = addIntervals(anchor, interval, periods * intervalCount);
    if (boundary > at) return start;
    start = boundary;
  }
}

/**
 * The part of `amount` (a whole period's exact price, in minor units) that
 * the time from `from` to the period's end is worth, to the second, rounded
 * once, half up, to a whole minor unit.
 */
export function proratedAmount(
  amount: Stripe.Decimal,
  periodStart: number,
  periodEnd: number,
  from: number,
): number {
  const length = periodEnd - periodStart;
  if (length <= 0) return 0;
  const remaining = Math.min(Math.max(periodEnd - from, 0), length);
  const share = amount
    .mul(Stripe.Decimal.from(remaining))
    .div(Stripe.Decimal.from(length), 34, 'half-even');
  return Number(share.toFixed(0, 'half-up'));
}

/** A failed subscription invoice under retry. */
export interface PaymentRetryState {
  readonly invoice: string;
  readonly firstFailureAt: number;
  readonly failures: number;
}

/** What the schedule needs to know of a subscription. */
export interface ScheduleState {
  readonly status: Stripe.Subscription.Status;
  readonly created: number;
  readonly trialStart: number | null;
  readonly trialEnd: number | null;
  /** The trial end the `trial_will_end` notice was last sent for. */
  readonly trialNoticeSentFor: number | null;
  readonly currentPeriodEnd: number;
  readonly cancelAt: number | null;
  /** When paused payment collection resumes by itself (`pause_collection.resumes_at`), if it does. */
  readonly collectionResumesAt: number | null;
  /** Whether the subscription's latest invoice is paid (possibly outside the subscription's own work). */
  readonly latestInvoicePaid: boolean;
  readonly retries: readonly PaymentRetryState[];
}

/** Work the sandbox does on a subscription by itself once time reaches `at`. */
export type DueWork =
  /** The latest invoice got paid: incomplete, past_due or unpaid becomes active. */
  | { readonly kind: 'activate'; readonly at: number }
  | { readonly kind: 'expire_incomplete'; readonly at: number }
  | { readonly kind: 'trial_will_end'; readonly at: number }
  | { readonly kind: 'retry_payment'; readonly at: number; readonly invoice: string }
  /** Cancellation at `cancel_at` (set by `cancel_at_period_end`). */
  | { readonly kind: 'cancel'; readonly at: number }
  /** `pause_collection.resumes_at` reached: collection resumes (pause_collection cleared). */
  | { readonly kind: 'resume_collection'; readonly at: number }
  | { readonly kind: 'end_trial'; readonly at: number }
  | { readonly kind: 'renew'; readonly at: number };

/** Among work due at the same second, the order it happens in. */
const ORDER: readonly DueWork['kind'][] = [
  'activate',
  'expire_incomplete',
  'trial_will_end',
  'retry_payment',
  'cancel',
  // Collection resumes before a renewal at the same second, so that invoice is collected.
  'resume_collection',
  'end_trial',
  'renew',
];

function candidatesOf(state: ScheduleState): DueWork[] {
  const work = lifecycleCandidatesOf(state);
  const live =
    state.status === 'active' ||
    state.status === 'past_due' ||
    state.status === 'unpaid' ||
    state.status === 'trialing';
  if (live && state.collectionResumesAt !== null) {
    work.push({ kind: 'resume_collection', at: state.collectionResumesAt });
  }
  return work;
}

function lifecycleCandidatesOf(state: ScheduleState): DueWork[] {
  switch (state.status) {
    case 'incomplete':
      return state.latestInvoicePaid
        ? [{ kind: 'activate', at: state.created }]
        : [{ kind: 'expire_incomplete', at: state.created + INCOMPLETE_EXPIRY_SECONDS }];
    case 'trialing': {
      const trialEnd = state.trialEnd ?? state.currentPeriodEnd;
      const work: DueWork[] = [];
      if (state.trialNoticeSentFor !== trialEnd) {
        work.push({
          kind: 'trial_will_end',
          at: Math.max(state.trialStart ?? state.created, trialEnd - TRIAL_WILL_END_NOTICE_SECONDS),
        });
      }
      if (state.cancelAt !== null && state.cancelAt <= trialEnd) {
        work.push({ kind: 'cancel', at: state.cancelAt });
      } else {
        work.push({ kind: 'end_trial', at: trialEnd });
      }
      return work;
    }
    case 'active':
    case 'past_due':
    case 'unpaid': {
      const work: DueWork[] = [];
      if (state.status !== 'active' && state.latestInvoicePaid) {
        work.push({ kind: 'activate', at: state.created });
      }
      for (const retry of state.retries) {
        const at = nextRetryAt(retry.firstFailureAt, retry.failures);
        if (at !== null) work.push({ kind: 'retry_payment', at, invoice: retry.invoice });
      }
      if (state.cancelAt !== null && state.cancelAt <= state.currentPeriodEnd) {
        work.push({ kind: 'cancel', at: state.cancelAt });
      } else {
        work.push({ kind: 'renew', at: state.currentPeriodEnd });
      }
      return work;
    }
    case 'canceled':
    case 'incomplete_expired':
    case 'paused':
    default:
      return [];
  }
}

/**
 * The next thing that happens to a subscription as time passes (whether due
 * yet or not), or null when nothing ever will (it ended). Pure: the caller
 * applies it once its clock reaches `at`, then asks again.
 */
export function nextDueWork(state: ScheduleState): DueWork | null {
  const candidates = candidatesOf(state);
  candidates.sort((a, b) => a.at - b.at || ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
  return candidates[0] ?? null;
}
