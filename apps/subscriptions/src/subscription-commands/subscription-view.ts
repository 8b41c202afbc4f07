import type { PlanBillingInterval, SubscriptionStatus, SubscriptionV1 } from '@aegis/contracts';
import type { Subscription } from '../subscription-mirror/entities/subscription.entity.js';
import { isEnded } from '../subscription-mirror/subscription-mirror.js';

const isoOf = (date: Date | null): string | null => date?.toISOString() ?? null;

/** The plan interval of Stripe's recurring interval, when it is one a plan has. */
export function planIntervalOf(
  row: Pick<Subscription, 'billingInterval' | 'billingIntervalCount'>,
): PlanBillingInterval | null {
  if (row.billingIntervalCount !== 1) return null;
  if (row.billingInterval === 'month') return 'monthly';
  if (row.billingInterval === 'year') return 'yearly';
  return null;
}

/** Statuses whose subscription still counts as the customer's one live subscription. */
export function isLive(status: SubscriptionStatus): boolean {
  return !isEnded(status);
}

/** The subscription as the RPC answers it, with its customer's flags (`customerFlagsOf`). */
export function subscriptionViewOf(
  row: Subscription,
  customerFlags: readonly string[],
): SubscriptionV1 {
  return {
    id: row.subscriptionId,
    customerId: row.customerId,
    planId: row.planId,
    billingInterval: planIntervalOf(row),
    priceCents: row.unitAmount,
    currency: row.currency,
    status: row.status,
    stripeSubscriptionId: row.stripeSubscriptionId,
    stripePriceId: row.priceId,
    currentPeriodStart: isoOf(row.currentPeriodStart),
    currentPeriodEnd: isoOf(row.currentPeriodEnd),
    trialStart: isoOf(row.trialStart),
    trialEnd: isoOf(row.trialEnd),
    cancelAtPeriodEnd: row.cancelAtPeriodEnd,
    cancelAt: isoOf(row.cancelAt),
    canceledAt: isoOf(row.canceledAt),
    endedAt: isoOf(row.endedAt),
    pauseCollection:
      row.pauseBehavior === null
        ? null
        : { behavior: row.pauseBehavior, resumesAt: isoOf(row.pauseResumesAt) },
    version: row.version,
    customerFlags: [...customerFlags],
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
