import { Injectable, type OnModuleInit } from '@nestjs/common';
import type Stripe from 'stripe';
import { InvoicesService, type SubscriptionLineInput } from '../billing/invoices.service.js';
import { Params } from '../core/params.js';
import type { StripeApiError } from '../core/stripe-error.js';
import { EventRecorder } from '../events/event-recorder.js';
import { newId } from '../store/ids.js';
import type { SubscriptionDunning } from '../store/sandbox-objects.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore, snapshot } from '../store/sandbox-store.js';
import {
  isBillingInterval,
  nextDueWork,
  nextRetryAt,
  periodEndAfter,
  type BillingInterval,
  type DueWork,
  type ScheduleState,
} from './billing-schedule.js';
import { idOf } from '../core/ids.js';

/** How far a new invoice goes at once. */
export type Collection =
  /** Finalized and, for `charge_automatically`, paid with the default payment method. */
  | 'attempt'
  /** Finalized, its payment left to the customer (`default_incomplete`). */
  | 'finalize'
  /** Left as a draft (`unpaid` subscriptions: Stripe stops finalizing their invoices). */
  | 'draft';

export interface InvoiceRequest {
  readonly billingReason: 'subscription_create' | 'subscription_cycle' | 'subscription_update';
  /** Charge the items' current periods (false: only the pending invoice items, e.g. prorations). */
  readonly chargeItems: boolean;
  readonly periodStart: number;
  readonly periodEnd: number;
  readonly collection: Collection;
  /** Whether a declined payment starts the retry schedule (not for a first invoice). */
  readonly retryOnDecline: boolean;
}

export interface InvoiceOutcome {
  readonly invoice: Stripe.Invoice;
  /** The card decline of the payment attempt, if it failed. */
  readonly decline: StripeApiError | null;
}

/** A subscription (by id) with the work that is due on it. */
export interface DueSubscription {
  readonly subscription: string;
  readonly work: DueWork;
}

/** The sandbox's own records about subscriptions, by subscription id. */
interface Bookkeeping {
  readonly dunning: ReadonlyMap<string, readonly SubscriptionDunning[]>;
  /** The trial end each subscription's `trial_will_end` was sent for. */
  readonly trialNotices: ReadonlyMap<string, number>;
}

export function customerIdOf(subscription: Stripe.Subscription): string {
  return typeof subscription.customer === 'string'
    ? subscription.customer
    : subscription.customer.id;
}

/** The subscription a subscription invoice belongs to, if it is one. */
export function subscriptionOfInvoice(invoice: Stripe.Invoice): string | null {
  return idOf(invoice.parent?.subscription_details?.subscription ?? null);
}

export function intervalOf(price: Stripe.Price): { interval: BillingInterval; count: number } {
  const recurring = price.recurring;
  if (recurring === null || !isBillingInterval(recurring.interval)) {
    throw new Error(`price ${price.id} is not a recurring price`);
  }
  return { interval: recurring.interval, count: recurring.interval_count };
}

/** The subscription's current period (all its items share one). */
export function currentPeriodOf(subscription: Stripe.Subscription): {
  start: number;
  end: number;
} {
  const [first] = subscription.items.data;
  if (first === undefined) throw new Error(`subscription ${subscription.id} has no items`);
  return { start: first.current_period_start, end: first.current_period_end };
}

/**
 * What a subscription does as time passes: its due work (trial notice and
 * end, renewals, payment retries, cancellation at period end, expiry of an
 * unpaid first invoice) and the invoicing that subscription requests need.
 * Test clocks and the wall-clock sweep find what is due with `earliestDue`
 * (outside transactions) and `apply` it, each piece in its own store
 * transaction; every other method runs inside the caller's transaction.
 */
@Injectable()
export class SubscriptionLifecycle implements OnModuleInit {
  /** Set while the lifecycle finalizes or pays an invoice itself; it follows that up on its own. */
  private payingOwnInvoice = false;

  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly events: EventRecorder,
    private readonly invoices: InvoicesService,
  ) {}

  onModuleInit(): void {
    this.invoices.onPaid((invoice) => {
      if (!this.payingOwnInvoice) this.invoicePaidElsewhere(invoice);
    });
  }

  /** An invoice paid through the API (`invoices.pay`): its subscription recovers at once, as in Stripe. */
  private invoicePaidElsewhere(invoice: Stripe.Invoice): void {
    const subscriptionId = idOf(invoice.parent?.subscription_details?.subscription ?? null);
    if (subscriptionId === null) return;
    const subscription = this.store.find('subscription', subscriptionId);
    if (subscription === undefined || !this.latestInvoicePaid(subscription)) return;
    if (subscription.status === 'paused') {
      // The resumption invoice of `resume_on_payment_success`: paid, the subscription resumes.
      if (idOf(subscription.latest_invoice) === invoice.id) this.markResumed(subscription);
      return;
    }
    this.withUpdateEvent(subscription, () => this.activate(subscription));
  }

  /** Finalizing or paying an invoice of the lifecycle's own, whose outcome it handles itself. */
  private ownInvoiceWork<T>(work: () => T): T {
    this.payingOwnInvoice = true;
    try {
      return work();
    } finally {
      this.payingOwnInvoice = false;
    }
  }

  testClockOf(subscription: Stripe.Subscription): string | null {
    return this.clock.testClockOfCustomer(customerIdOf(subscription));
  }

  nowFor(subscription: Stripe.Subscription): number {
    return this.clock.nowForCustomer(customerIdOf(subscription));
  }

  /**
   * What the schedule needs of a subscription. Read-only: call it outside
   * store transactions (a read inside one counts as a change to persist).
   */
  private scheduleStateOf(
    subscription: Stripe.Subscription,
    bookkeeping: Bookkeeping,
  ): ScheduleState {
    const latestInvoiceId = idOf(subscription.latest_invoice);
    const latestInvoice =
      latestInvoiceId === null ? undefined : this.store.find('invoice', latestInvoiceId);
    const retries = (bookkeeping.dunning.get(subscription.id) ?? [])
      .filter((d) => this.store.find('invoice', d.invoice)?.status === 'open')
      .map((d) => ({ invoice: d.invoice, firstFailureAt: d.created, failures: d.failures }));
    return {
      status: subscription.status,
      created: subscription.created,
      trialStart: subscription.trial_start,
      trialEnd: subscription.trial_end,
      trialNoticeSentFor: bookkeeping.trialNotices.get(subscription.id) ?? null,
      currentPeriodEnd: currentPeriodOf(subscription).end,
      cancelAt: subscription.cancel_at,
      collectionResumesAt: subscription.pause_collection?.resumes_at ?? null,
      latestInvoicePaid: latestInvoice?.status === 'paid',
      retries,
    };
  }

  private bookkeeping(): Bookkeeping {
    const dunning = new Map<string, SubscriptionDunning[]>();
    for (const record of this.store.list('sandbox.subscription_dunning')) {
      dunning.set(record.subscription, [...(dunning.get(record.subscription) ?? []), record]);
    }
    const trialNotices = new Map<string, number>();
    for (const notice of this.store.list('sandbox.subscription_trial_notice')) {
      trialNotices.set(notice.subscription, notice.trial_end);
    }
    return { dunning, trialNotices };
  }

  /**
   * Among `subscriptions`, the one whose next work is due earliest, if any
   * is due by its own time limit (`dueBy` of it; null: skip it). Read-only:
   * call it outside store transactions, then `apply` the work inside one.
   */
  earliestDue(
    subscriptions: readonly Stripe.Subscription[],
    dueBy: (subscription: Stripe.Subscription) => number | null,
    skip: (subscription: Stripe.Subscription, work: DueWork) => boolean = () => false,
  ): DueSubscription | null {
    const bookkeeping = this.bookkeeping();
    let earliest: DueSubscription | null = null;
    for (const subscription of subscriptions) {
      const limit = dueBy(subscription);
      if (limit === null) continue;
      const work = nextDueWork(this.scheduleStateOf(subscription, bookkeeping));
      if (work === null || work.at > limit || skip(subscription, work)) continue;
      if (earliest === null || work.at < earliest.work.at) {
        earliest = { subscription: subscription.id, work };
      }
    }
    return earliest;
  }

  /**
   * Does one piece of due work on the subscription, at its current time.
   * Inside a store transaction.
   */
  apply(subscriptionId: string, work: DueWork): void {
    const subscription = this.store.get('subscription', subscriptionId, 'subscription');
    switch (work.kind) {
      case 'activate':
        this.withUpdateEvent(subscription, () => this.activate(subscription));
        return;
      case 'expire_incomplete':
        this.expire(subscription);
        return;
      case 'trial_will_end':
        this.sendTrialWillEnd(subscription);
        return;
      case 'retry_payment':
        this.withUpdateEvent(subscription, () => this.retryPayment(subscription, work.invoice));
        return;
      case 'cancel':
        this.cancel(subscription, { endedAt: work.at });
        return;
      case 'resume_collection':
        this.withUpdateEvent(subscription, () => {
          subscription.pause_collection = null;
        });
        return;
      case 'end_trial':
        if (this.endTrialWithoutPaymentMethod(subscription, work.at)) return;
        this.withUpdateEvent(subscription, () => {
          this.endTrial(subscription, work.at, {
            billingReason: 'subscription_cycle',
            collection: 'attempt',
          });
        });
        return;
      case 'renew':
        this.withUpdateEvent(subscription, () => this.renew(subscription));
        return;
    }
  }

  /**
   * A trial ending without a payment method (none on the subscription or as
   * the customer's invoice default), when
   * `trial_settings.end_behavior.missing_payment_method` says so: `pause`
   * makes it `paused` (no invoice, no new period; `customer.subscription.updated`
   * and `customer.subscription.paused`), `cancel` cancels it. False when the
   * trial ends as usual (`create_invoice`, or a payment method is there).
   */
  private endTrialWithoutPaymentMethod(subscription: Stripe.Subscription, at: number): boolean {
    const behavior = subscription.trial_settings?.end_behavior.missing_payment_method;
    if (behavior !== 'pause' && behavior !== 'cancel') return false;
    if (this.hasPaymentMethod(subscription)) return false;
    if (behavior === 'cancel') {
      this.cancel(subscription, { endedAt: at });
      return true;
    }
    this.withUpdateEvent(subscription, () => {
      subscription.status = 'paused';
      subscription.status_details = {
        paused: {
          subscription: { type: 'trial_end_without_payment_method' },
          transitioned_at: at,
          type: 'subscription',
        },
      };
    });
    this.events.record('customer.subscription.paused', subscription, {
      testClock: this.testClockOf(subscription),
    });
    return true;
  }

  /** Whether a payment of the subscription has a payment method to charge. */
  hasPaymentMethod(subscription: Stripe.Subscription): boolean {
    if (subscription.default_payment_method !== null) return true;
    const customer = this.store.find('customer', customerIdOf(subscription));
    return (customer?.invoice_settings.default_payment_method ?? null) !== null;
  }

  /** Runs `change` and records `customer.subscription.updated` with what it changed. */
  withUpdateEvent<T>(subscription: Stripe.Subscription, change: () => T): T {
    const before = snapshot(subscription);
    const result = change();
    this.events.recordUpdate('customer.subscription.updated', before, subscription, {
      testClock: this.testClockOf(subscription),
    });
    return result;
  }

  /** A paused subscription becomes active: `customer.subscription.updated` and `.resumed`. */
  markResumed(subscription: Stripe.Subscription): void {
    this.withUpdateEvent(subscription, () => {
      subscription.status = 'active';
      delete subscription.status_details;
    });
    this.events.record('customer.subscription.resumed', subscription, {
      testClock: this.testClockOf(subscription),
    });
  }

  /** Sets each item's period to the one starting at `start`, by the billing cycle anchor. */
  startPeriod(subscription: Stripe.Subscription, start: number): void {
    for (const item of subscription.items.data) {
      const { interval, count } = intervalOf(item.price);
      item.current_period_start = start;
      item.current_period_end = periodEndAfter(
        subscription.billing_cycle_anchor,
        interval,
        count,
        start,
      );
    }
  }

  private linesOf(subscription: Stripe.Subscription): SubscriptionLineInput[] {
    return subscription.items.data.map((item) => ({
      subscriptionItem: item,
      price: item.price,
      quantity: item.quantity ?? 1,
      periodStart: item.current_period_start,
      periodEnd: item.current_period_end,
    }));
  }

  /**
   * Creates a subscription invoice (with the subscription's pending invoice
   * items), makes it the latest invoice, and takes it as far as `collection`
   * says. A declined payment of a renewal starts the retry schedule and makes
   * the subscription past_due; the decline is returned either way.
   */
  invoice(subscription: Stripe.Subscription, request: InvoiceRequest): InvoiceOutcome {
    // Collection paused: the invoices of new periods are made, but never collected.
    const paused =
      request.billingReason === 'subscription_cycle' ? subscription.pause_collection : null;
    const draft = this.invoices.createSubscriptionInvoice({
      subscription,
      billingReason: request.billingReason,
      lines: request.chargeItems ? this.linesOf(subscription) : [],
      periodStart: request.periodStart,
      periodEnd: request.periodEnd,
      ...(paused === null ? {} : { autoAdvance: false }),
    });
    subscription.latest_invoice = draft.id;
    if (paused !== null) return { invoice: this.closeWhilePaused(draft, paused), decline: null };
    if (request.collection === 'draft') return { invoice: draft, decline: null };
    this.ownInvoiceWork(() => {
      this.invoices.finalize(this.currentInvoice(draft.id));
    });
    let invoice = this.currentInvoice(draft.id);
    let decline: StripeApiError | null = null;
    if (
      invoice.status === 'open' &&
      request.collection === 'attempt' &&
      subscription.collection_method !== 'send_invoice'
    ) {
      const now = this.nowFor(subscription);
      const attempted = invoice;
      decline = this.ownInvoiceWork(() =>
        this.invoices.attemptPayment(attempted, {
          paymentMethod: idOf(subscription.default_payment_method),
          nextPaymentAttempt: request.retryOnDecline ? nextRetryAt(now, 1) : null,
        }),
      );
      invoice = this.currentInvoice(draft.id);
      if (decline !== null && request.retryOnDecline && invoice.status === 'open') {
        this.store.insert('sandbox.subscription_dunning', {
          id: newId('sdun'),
          object: 'sandbox.subscription_dunning',
          created: now,
          subscription: subscription.id,
          invoice: invoice.id,
          failures: 1,
        });
        if (subscription.status === 'active' || subscription.status === 'trialing') {
          subscription.status = 'past_due';
        }
      }
    }
    if (invoice.status === 'paid') this.activate(subscription);
    return { invoice, decline };
  }

  /**
   * An invoice made while collection is paused, as `pause_collection[behavior]`
   * says: left a draft (`keep_as_draft`, auto_advance false), or finalized and
   * then voided (`void`) or marked uncollectible (`mark_uncollectible`), with
   * no payment attempt either way.
   */
  private closeWhilePaused(
    draft: Stripe.Invoice,
    pause: Stripe.Subscription.PauseCollection,
  ): Stripe.Invoice {
    if (pause.behavior === 'keep_as_draft') return draft;
    this.ownInvoiceWork(() => {
      this.invoices.finalize(this.currentInvoice(draft.id));
    });
    // An invoice with nothing due is paid when finalized: there is nothing left to close.
    if (this.currentInvoice(draft.id).status !== 'open') return this.currentInvoice(draft.id);
    if (pause.behavior === 'void') return this.invoices.voidInvoice(draft.id, Params.of());
    return this.invoices.markUncollectible(draft.id, Params.of());
  }

  private currentInvoice(id: string): Stripe.Invoice {
    return this.store.get('invoice', id, 'invoice');
  }

  /** After the latest invoice got paid: back to active, and no more retries of paid invoices. */
  private activate(subscription: Stripe.Subscription): void {
    for (const dunning of this.store.list(
      'sandbox.subscription_dunning',
      (d) => d.subscription === subscription.id,
    )) {
      if (this.store.find('invoice', dunning.invoice)?.status !== 'open') {
        this.store.remove('sandbox.subscription_dunning', dunning.id);
      }
    }
    if (
      subscription.status === 'incomplete' ||
      subscription.status === 'past_due' ||
      subscription.status === 'unpaid'
    ) {
      subscription.status = 'active';
    }
  }

  private retryPayment(subscription: Stripe.Subscription, invoiceId: string): void {
    const record = this.store
      .list(
        'sandbox.subscription_dunning',
        (d) => d.subscription === subscription.id && d.invoice === invoiceId,
      )
      .at(0);
    if (record === undefined) return;
    const dunning = this.store.get('sandbox.subscription_dunning', record.id, 'dunning');
    const invoice = this.currentInvoice(invoiceId);
    const nextAttempt = nextRetryAt(dunning.created, dunning.failures + 1);
    const decline = this.ownInvoiceWork(() =>
      this.invoices.attemptPayment(invoice, {
        paymentMethod: idOf(subscription.default_payment_method),
        nextPaymentAttempt: nextAttempt,
      }),
    );
    if (decline === null) {
      this.store.remove('sandbox.subscription_dunning', dunning.id);
      if (subscription.latest_invoice === invoiceId || this.latestInvoicePaid(subscription)) {
        this.activate(subscription);
      }
      return;
    }
    dunning.failures += 1;
    if (nextAttempt === null) {
      this.store.remove('sandbox.subscription_dunning', dunning.id);
      if (subscription.status === 'past_due') subscription.status = 'unpaid';
    }
  }

  private latestInvoicePaid(subscription: Stripe.Subscription): boolean {
    const latest = idOf(subscription.latest_invoice);
    return latest !== null && this.store.find('invoice', latest)?.status === 'paid';
  }

  /**
   * Ends the trial at `at`: the first paid period starts, with the billing
   * cycle anchored there, and its invoice is charged; a decline makes the
   * subscription past_due and starts the retries.
   */
  endTrial(
    subscription: Stripe.Subscription,
    at: number,
    options: {
      billingReason: 'subscription_cycle' | 'subscription_update';
      collection: Collection;
    },
  ): InvoiceOutcome {
    const trialStart = subscription.trial_start ?? subscription.created;
    subscription.trial_end = at;
    subscription.billing_cycle_anchor = at;
    subscription.status = 'active';
    this.startPeriod(subscription, at);
    return this.invoice(subscription, {
      billingReason: options.billingReason,
      chargeItems: true,
      periodStart: trialStart,
      periodEnd: at,
      collection: options.collection,
      retryOnDecline: true,
    });
  }

  /**
   * Starts the next period and invoices it. Stripe creates the renewal
   * invoice as a draft at the period start and finalizes and charges it
   * about an hour later; the sandbox does all three at the period start.
   * `collection` overrides how far the invoice goes (previews: `draft`).
   */
  renew(subscription: Stripe.Subscription, collection?: Collection): InvoiceOutcome {
    const previous = currentPeriodOf(subscription);
    this.startPeriod(subscription, previous.end);
    return this.invoice(subscription, {
      billingReason: 'subscription_cycle',
      chargeItems: true,
      periodStart: previous.start,
      periodEnd: previous.end,
      collection: collection ?? (subscription.status === 'unpaid' ? 'draft' : 'attempt'),
      retryOnDecline: true,
    });
  }

  /** Records `customer.subscription.trial_will_end` and remembers it was sent for this trial end. */
  sendTrialWillEnd(subscription: Stripe.Subscription): void {
    const trialEnd = subscription.trial_end ?? currentPeriodOf(subscription).end;
    for (const notice of this.store.list(
      'sandbox.subscription_trial_notice',
      (n) => n.subscription === subscription.id,
    )) {
      this.store.remove('sandbox.subscription_trial_notice', notice.id);
    }
    this.store.insert('sandbox.subscription_trial_notice', {
      id: newId('strn'),
      object: 'sandbox.subscription_trial_notice',
      created: this.nowFor(subscription),
      subscription: subscription.id,
      trial_end: trialEnd,
    });
    this.events.record('customer.subscription.trial_will_end', subscription, {
      testClock: this.testClockOf(subscription),
    });
  }

  /** An unpaid first invoice after 23 hours: the subscription expires and its invoice is voided. */
  private expire(subscription: Stripe.Subscription): void {
    this.withUpdateEvent(subscription, () => {
      const now = this.nowFor(subscription);
      subscription.status = 'incomplete_expired';
      subscription.canceled_at = now;
      subscription.ended_at = now;
      const latest = idOf(subscription.latest_invoice);
      if (latest !== null && this.store.find('invoice', latest)?.status === 'open') {
        this.invoices.voidInvoice(latest, Params.of());
      }
    });
    this.forgetScheduleState(subscription.id);
  }

  /**
   * Cancels the subscription now (status canceled, `customer.subscription.deleted`):
   * no more invoices or payment retries.
   */
  cancel(
    subscription: Stripe.Subscription,
    options: {
      endedAt: number;
      details?: Partial<Pick<Stripe.Subscription.CancellationDetails, 'comment' | 'feedback'>>;
    },
  ): void {
    const now = this.nowFor(subscription);
    subscription.status = 'canceled';
    subscription.canceled_at ??= now;
    subscription.ended_at = Math.min(options.endedAt, now);
    subscription.cancel_at = null;
    subscription.cancel_at_period_end = false;
    subscription.cancellation_details = {
      comment: options.details?.comment ?? subscription.cancellation_details?.comment ?? null,
      feedback: options.details?.feedback ?? subscription.cancellation_details?.feedback ?? null,
      feedback_option: subscription.cancellation_details?.feedback_option ?? null,
      reason: subscription.cancellation_details?.reason ?? 'cancellation_requested',
    };
    this.forgetScheduleState(subscription.id);
    this.events.record('customer.subscription.deleted', subscription, {
      testClock: this.testClockOf(subscription),
    });
  }

  /** Drops the sandbox's own bookkeeping of a subscription that ended or is being deleted. */
  forgetScheduleState(subscription: string): void {
    for (const dunning of this.store.list(
      'sandbox.subscription_dunning',
      (d) => d.subscription === subscription,
    )) {
      this.store.remove('sandbox.subscription_dunning', dunning.id);
    }
    for (const notice of this.store.list(
      'sandbox.subscription_trial_notice',
      (n) => n.subscription === subscription,
    )) {
      this.store.remove('sandbox.subscription_trial_notice', notice.id);
    }
  }
}
