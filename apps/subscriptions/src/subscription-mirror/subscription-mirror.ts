import {
  AEGIS_CUSTOMER_ID_KEY,
  SUBSCRIPTION_CREATED_V1,
  SUBSCRIPTION_ENDED_V1,
  PAUSE_BEHAVIORS,
  SUBSCRIPTION_STATUSES,
  SUBSCRIPTION_UPDATED_V1,
  isOperatorCustomerId,
  type PauseBehavior,
  type SubscriptionStatus,
} from '@aegis/contracts';
import { fromStripeTime, idOf } from '@aegis/stripe';
import { SubscriptionsException, SubscriptionsExceptionCode } from '../subscriptions.exception.js';
import type Stripe from 'stripe';

export const BILLING_INTERVALS = ['day', 'week', 'month', 'year'] as const;
export type BillingInterval = (typeof BILLING_INTERVALS)[number];

/**
 * What the service keeps of a Stripe subscription: the fields its row
 * mirrors. Price, quantity and amount are the first item's (a subscription
 * of Aegis has one), the period too: in this API version periods live on
 * the items.
 */
export interface SubscriptionMirror {
  readonly stripeCustomerId: string;
  readonly status: SubscriptionStatus;
  readonly priceId: string | null;
  readonly quantity: number | null;
  readonly currency: string;
  /** Integer minor units of `currency`; null for tiered or decimal-only prices. */
  readonly unitAmount: number | null;
  readonly billingInterval: BillingInterval | null;
  readonly billingIntervalCount: number | null;
  readonly currentPeriodStart: Date | null;
  readonly currentPeriodEnd: Date | null;
  readonly cancelAtPeriodEnd: boolean;
  readonly cancelAt: Date | null;
  readonly canceledAt: Date | null;
  readonly endedAt: Date | null;
  readonly trialStart: Date | null;
  readonly trialEnd: Date | null;
  readonly pauseBehavior: PauseBehavior | null;
  readonly pauseResumesAt: Date | null;
  readonly metadata: Readonly<Record<string, string>>;
}

export type MirroredField = keyof SubscriptionMirror;

/** A subscription status this service cannot store (Stripe added one): the event is dead-lettered at once. */
export class UnknownSubscriptionStatusError extends SubscriptionsException {
  constructor(subscription: string, status: string) {
    super(
      SubscriptionsExceptionCode.UNKNOWN_SUBSCRIPTION_STATUS,
      `subscription ${subscription} has status "${status}", which the mirror does not know`,
    );
  }
}

function isSubscriptionStatus(status: string): status is SubscriptionStatus {
  return (SUBSCRIPTION_STATUSES as readonly string[]).includes(status);
}

function isBillingInterval(interval: string): interval is BillingInterval {
  return (BILLING_INTERVALS as readonly string[]).includes(interval);
}

function pauseBehaviorOf(subscription: Stripe.Subscription): PauseBehavior | null {
  const behavior = subscription.pause_collection?.behavior ?? null;
  if (behavior === null) return null;
  if (!(PAUSE_BEHAVIORS as readonly string[]).includes(behavior)) {
    throw new UnknownSubscriptionStatusError(subscription.id, `paused with ${behavior}`);
  }
  return behavior as PauseBehavior;
}

export function mirrorOf(subscription: Stripe.Subscription): SubscriptionMirror {
  if (!isSubscriptionStatus(subscription.status)) {
    throw new UnknownSubscriptionStatusError(subscription.id, subscription.status);
  }
  const [item] = subscription.items.data;
  const recurring = item?.price.recurring ?? null;
  return {
    stripeCustomerId: idOf(subscription.customer),
    status: subscription.status,
    priceId: item?.price.id ?? null,
    quantity: item?.quantity ?? null,
    currency: subscription.currency,
    unitAmount: item?.price.unit_amount ?? null,
    billingInterval:
      recurring !== null && isBillingInterval(recurring.interval) ? recurring.interval : null,
    billingIntervalCount: recurring?.interval_count ?? null,
    currentPeriodStart: fromStripeTime(item?.current_period_start),
    currentPeriodEnd: fromStripeTime(item?.current_period_end),
    cancelAtPeriodEnd: subscription.cancel_at_period_end,
    cancelAt: fromStripeTime(subscription.cancel_at),
    canceledAt: fromStripeTime(subscription.canceled_at),
    endedAt: fromStripeTime(subscription.ended_at),
    trialStart: fromStripeTime(subscription.trial_start),
    trialEnd: fromStripeTime(subscription.trial_end),
    pauseBehavior: pauseBehaviorOf(subscription),
    pauseResumesAt: fromStripeTime(subscription.pause_collection?.resumes_at),
    metadata: { ...subscription.metadata },
  };
}

type MirroredValue = SubscriptionMirror[MirroredField];

function canonical(value: MirroredValue): unknown {
  if (value instanceof Date) return value.getTime();
  if (value !== null && typeof value === 'object') {
    // jsonb does not keep key order.
    return JSON.stringify(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  return value;
}

/** The fields whose values differ, in the order of `after`'s keys. */
export function changedFields(
  before: SubscriptionMirror,
  after: SubscriptionMirror,
): MirroredField[] {
  return (Object.keys(after) as MirroredField[]).filter(
    (field) => canonical(before[field]) !== canonical(after[field]),
  );
}

/** Canceled and incomplete_expired are final: Stripe never brings such a subscription back. */
export const ENDED_STATUSES = [
  'canceled',
  'incomplete_expired',
] as const satisfies readonly SubscriptionStatus[];

export function isEnded(status: SubscriptionStatus): boolean {
  return (ENDED_STATUSES as readonly SubscriptionStatus[]).includes(status);
}

/** Aegis's customer id from Stripe metadata, if it carries a well-formed one. */
/** The customer id the metadata names under `aegis_customer_id`, if it names a valid one. */
export function aegisCustomerIdOf(metadata: Stripe.Metadata | null | undefined): string | null {
  const value = metadata?.[AEGIS_CUSTOMER_ID_KEY];
  return isOperatorCustomerId(value) ? value : null;
}

/**
 * Whether an event newer than what the row holds may still be older than
 * the row's state, so that its object must be re-fetched rather than
 * applied: the row holds a re-fetched state no event has caught up with
 * yet, or the event would bring an ended subscription back.
 */
export function isInDoubt(
  row: { readonly refetchedAhead: boolean; readonly status: SubscriptionStatus },
  incomingStatus: string,
): boolean {
  return (
    row.refetchedAhead ||
    (isEnded(row.status) && !(isSubscriptionStatus(incomingStatus) && isEnded(incomingStatus)))
  );
}

/**
 * Whether the row holds a re-fetched state that is ahead of the events
 * applied so far: a re-fetch returns Stripe's state now, which may be newer
 * than events already sent but not yet received, so those must not apply
 * their own (older) objects. An event whose own object matches what is
 * stored settles the doubt.
 */
export function refetchedAheadAfter(change: {
  readonly wasAhead: boolean;
  /** `commanded` (the answer of our own call) is Stripe's state now, as a re-fetch is. */
  readonly outcome: 'applied' | 'refetched' | 'commanded';
  readonly rowChanged: boolean;
  readonly eventObjectMatches: boolean;
}): boolean {
  if (change.outcome === 'applied' || change.eventObjectMatches) return false;
  return change.rowChanged || change.wasAhead;
}

export type SubscriptionEventName =
  typeof SUBSCRIPTION_CREATED_V1 | typeof SUBSCRIPTION_UPDATED_V1 | typeof SUBSCRIPTION_ENDED_V1;

/**
 * What a change of the mirror tells the rest of the system: `created` for a
 * subscription seen for the first time, `ended` when it reaches canceled or
 * incomplete_expired, `updated` for any other change (an ended one included).
 */
export function domainEventsOf(
  previousStatus: SubscriptionStatus | null,
  status: SubscriptionStatus,
): SubscriptionEventName[] {
  const ends = isEnded(status) && (previousStatus === null || !isEnded(previousStatus));
  if (previousStatus === null) {
    return ends ? [SUBSCRIPTION_CREATED_V1, SUBSCRIPTION_ENDED_V1] : [SUBSCRIPTION_CREATED_V1];
  }
  return [ends ? SUBSCRIPTION_ENDED_V1 : SUBSCRIPTION_UPDATED_V1];
}
