import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import type { Params } from '../core/params.js';
import { resourceMissing } from '../core/stripe-error.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore } from '../store/sandbox-store.js';
import {
  currentPeriodOf,
  customerIdOf,
  SubscriptionLifecycle,
} from './subscription-lifecycle.service.js';
import { readCancellationDetails, type CancellationInput } from './subscription-params.js';
import { SubscriptionProrations } from './subscription-prorations.service.js';

export function requestCancellationAtPeriodEnd(
  subscription: Stripe.Subscription,
  now: number,
  details: CancellationInput | undefined,
): void {
  subscription.cancel_at_period_end = true;
  subscription.cancel_at = currentPeriodOf(subscription).end;
  subscription.canceled_at = now;
  subscription.cancellation_details = {
    comment: details?.comment ?? null,
    feedback: details?.feedback ?? null,
    feedback_option: null,
    reason: 'cancellation_requested',
  };
}

/** Cancelling a subscription at once, with a final proration credit and invoice when asked for. */
@Injectable()
export class SubscriptionCancellation {
  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly lifecycle: SubscriptionLifecycle,
    private readonly prorations: SubscriptionProrations,
  ) {}

  cancel(id: string, params: Params): Stripe.Subscription {
    const invoiceNow = params.boolean('invoice_now') ?? false;
    const prorate = params.boolean('prorate') ?? false;
    const details = readCancellationDetails(params);
    params.done();
    return this.store.transaction(() => {
      const subscription = this.store.get('subscription', id, 'subscription');
      if (subscription.status === 'canceled' || subscription.status === 'incomplete_expired') {
        // Stripe answers a canceled subscription's cancellation as if it did not exist.
        throw resourceMissing('subscription', id);
      }
      const now = this.clock.nowForCustomer(customerIdOf(subscription));
      if (
        prorate &&
        (subscription.status === 'active' ||
          subscription.status === 'past_due' ||
          subscription.status === 'unpaid')
      ) {
        const period = currentPeriodOf(subscription);
        for (const item of subscription.items.data) {
          this.prorations.prorate(subscription, item, period, now, 'unused');
        }
      }
      if (invoiceNow && this.hasPendingItems(subscription)) {
        this.lifecycle.invoice(subscription, {
          billingReason: 'subscription_update',
          chargeItems: false,
          periodStart: now,
          periodEnd: now,
          collection: 'attempt',
          retryOnDecline: false,
        });
      }
      subscription.canceled_at = now;
      subscription.cancellation_details = {
        comment: details?.comment ?? subscription.cancellation_details?.comment ?? null,
        feedback: details?.feedback ?? subscription.cancellation_details?.feedback ?? null,
        feedback_option: null,
        reason: 'cancellation_requested',
      };
      this.lifecycle.cancel(subscription, { endedAt: now });
      return subscription;
    });
  }

  private hasPendingItems(subscription: Stripe.Subscription): boolean {
    return (
      this.store.list(
        'invoiceitem',
        (item) =>
          item.invoice === null &&
          item.parent?.subscription_details?.subscription === subscription.id,
      ).length > 0
    );
  }
}
