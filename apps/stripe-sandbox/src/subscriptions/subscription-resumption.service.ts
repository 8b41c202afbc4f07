import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import type { Params } from '../core/params.js';
import { invalidRequest } from '../core/stripe-error.js';
import { EventRecorder } from '../events/event-recorder.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore, snapshot } from '../store/sandbox-store.js';
import { periodStartAt } from './billing-schedule.js';
import {
  currentPeriodOf,
  customerIdOf,
  intervalOf,
  SubscriptionLifecycle,
  type InvoiceOutcome,
} from './subscription-lifecycle.service.js';
import { PRORATION_BEHAVIORS, readBillingCycleAnchor } from './subscription-params.js';
import { SubscriptionProrations } from './subscription-prorations.service.js';

const RESUME_PAYMENT_BEHAVIORS = [
  'resume_on_payment_attempt',
  'resume_on_payment_success',
] as const;

/**
 * `POST /v1/subscriptions/:id/resume`: a `paused` subscription (a trial that
 * ended without a payment method) starts billing again. With
 * `billing_cycle_anchor[type]=now` (the default) a new period starts now and
 * is invoiced at once; with `unchanged` the period running on the old anchor
 * goes on, its remaining time prorated (`create_prorations`: for the next
 * invoice, `always_invoice`: invoiced now, `none`: not charged). An invoice
 * made is finalized and charged at once. `resume_on_payment_attempt` (the
 * default) makes the subscription active whatever the payment does, and a
 * decline makes it `past_due` (not retried); `resume_on_payment_success`
 * keeps it paused until the invoice is paid (now or later through the API).
 */
@Injectable()
export class SubscriptionResumption {
  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly events: EventRecorder,
    private readonly lifecycle: SubscriptionLifecycle,
    private readonly prorations: SubscriptionProrations,
  ) {}

  resume(id: string, params: Params): Stripe.Subscription {
    const anchor = readBillingCycleAnchor(params) ?? 'now';
    const prorationBehavior = params.oneOf('proration_behavior', PRORATION_BEHAVIORS);
    const prorationDate = params.integer('proration_date');
    const paymentBehavior =
      params.oneOf('payment_behavior', RESUME_PAYMENT_BEHAVIORS) ?? 'resume_on_payment_attempt';
    params.done();
    return this.store.transaction(() => {
      const subscription = this.store.get('subscription', id, 'subscription');
      if (subscription.status !== 'paused') {
        throw invalidRequest(
          `Only a paused subscription can be resumed; subscription ${id} is ${subscription.status}.`,
        );
      }
      if (subscription.collection_method !== 'charge_automatically') {
        throw invalidRequest(
          'Resume is only available for subscriptions that use charge_automatically collection.',
        );
      }
      const now = this.clock.nowForCustomer(customerIdOf(subscription));
      const [first] = subscription.items.data;
      if (first === undefined) throw new Error(`subscription ${id} has no items`);
      const { interval, count } = intervalOf(first.price);
      const before = snapshot(subscription);
      let outcome: InvoiceOutcome | null;
      if (anchor === 'now') {
        subscription.billing_cycle_anchor = now;
        this.lifecycle.startPeriod(subscription, now);
        outcome = this.lifecycle.invoice(subscription, {
          billingReason: 'subscription_update',
          chargeItems: true,
          periodStart: now,
          periodEnd: now,
          collection: 'attempt',
          retryOnDecline: false,
        });
      } else {
        this.lifecycle.startPeriod(
          subscription,
          periodStartAt(subscription.billing_cycle_anchor, interval, count, now),
        );
        const period = currentPeriodOf(subscription);
        const from = prorationDate ?? now;
        if (from < period.start || from > period.end) {
          throw invalidRequest(
            'The proration_date must be within the current billing period.',
            'proration_date',
          );
        }
        const behavior = prorationBehavior ?? 'create_prorations';
        let prorated = false;
        if (behavior !== 'none') {
          for (const item of subscription.items.data) {
            prorated =
              this.prorations.prorate(subscription, item, period, from, 'remaining') || prorated;
          }
        }
        outcome =
          prorated && behavior === 'always_invoice'
            ? this.lifecycle.invoice(subscription, {
                billingReason: 'subscription_update',
                chargeItems: false,
                periodStart: from,
                periodEnd: from,
                collection: 'attempt',
                retryOnDecline: false,
              })
            : null;
      }
      const paid = outcome === null || outcome.invoice.status === 'paid';
      // resume_on_payment_success: paused, its invoice open, until that invoice is paid.
      const resumed = paid || paymentBehavior === 'resume_on_payment_attempt';
      if (resumed) {
        subscription.status = paid ? 'active' : 'past_due';
        delete subscription.status_details;
      }
      const testClock = this.lifecycle.testClockOf(subscription);
      this.events.recordUpdate('customer.subscription.updated', before, subscription, {
        testClock,
      });
      if (resumed) this.events.record('customer.subscription.resumed', subscription, { testClock });
      return subscription;
    });
  }
}
