import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { amountForQuantity } from '../catalog/pricing.js';
import { idOf } from '../core/ids.js';
import { mergeMetadata } from '../core/metadata.js';
import type { Params } from '../core/params.js';
import { invalidRequest, parameterMissing, type StripeApiError } from '../core/stripe-error.js';
import { EventRecorder } from '../events/event-recorder.js';
import { newId } from '../store/ids.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore, snapshot } from '../store/sandbox-store.js';
import { SECONDS_PER_DAY } from './billing-schedule.js';
import {
  requestCancellationAtPeriodEnd,
  SubscriptionCancellation,
} from './subscription-cancellation.service.js';
import { checkItems, SubscriptionItemParams, type ItemChange } from './subscription-item-params.js';
import {
  currentPeriodOf,
  customerIdOf,
  SubscriptionLifecycle,
  type Collection,
  type InvoiceOutcome,
} from './subscription-lifecycle.service.js';
import {
  emptyCancellationDetails,
  newSubscription,
  type StartSpec,
} from './subscription-objects.js';
import {
  checkResumesAt,
  checkTrialEnd,
  checkUpdatable,
  COLLECTION_METHODS,
  CREATE_PAYMENT_BEHAVIORS,
  PRORATION_BEHAVIORS,
  readCancellationDetails,
  readBillingCycleAnchor,
  readListFilter,
  readPauseCollection,
  readTrialEnd,
  readTrialSettings,
  trialEndOf,
  UPDATE_PAYMENT_BEHAVIORS,
  type BillingCycleAnchorInput,
  type CancellationInput,
  type PaymentBehavior,
  type ProrationBehavior,
  type TrialEndInput,
} from './subscription-params.js';
import { SubscriptionProrations } from './subscription-prorations.service.js';

export interface CheckoutSubscriptionInput {
  readonly customer: string;
  readonly items: readonly { readonly price: Stripe.Price; readonly quantity: number }[];
  readonly paymentMethod: Stripe.PaymentMethod;
  readonly trialPeriodDays: number | null;
  readonly metadata: Stripe.Metadata;
}

/** The billing side of a subscription change (see `SubscriptionsService.applyChanges`). */
export interface SubscriptionChange {
  readonly items?: readonly ItemChange[] | undefined;
  readonly prorationBehavior?: ProrationBehavior | undefined;
  readonly prorationDate?: number | undefined;
  readonly trialEnd?: TrialEndInput | undefined;
  readonly cancelAtPeriodEnd?: boolean | undefined;
  readonly cancellationDetails?: CancellationInput | undefined;
  readonly billingCycleAnchor?: BillingCycleAnchorInput | undefined;
  /** Where the parameters were (`subscription_details` for a preview); errors name them so. */
  readonly paramPrefix?: string;
}

export interface CheckoutSubscriptionResult {
  readonly subscription: Stripe.Subscription;
  readonly invoice: Stripe.Invoice;
  readonly decline: StripeApiError | null;
}

/**
 * Subscriptions: creation with the first invoice charged at once (or a
 * trial), updates with prorations, cancellation now or at the period end, and
 * Stripe's list filters. Time-driven work (renewals, retries, trial end) is
 * SubscriptionLifecycle's, run by test clocks and the wall-clock sweep.
 */
@Injectable()
export class SubscriptionsService {
  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly events: EventRecorder,
    private readonly lifecycle: SubscriptionLifecycle,
    private readonly itemParams: SubscriptionItemParams,
    private readonly prorations: SubscriptionProrations,
    private readonly cancellation: SubscriptionCancellation,
  ) {}

  /**
   * Starts a subscription the way a completed checkout session does: the
   * payment method becomes the subscription's default, the first invoice is
   * paid at once (or a trial starts). A declined first payment leaves the
   * subscription incomplete and returns the decline. Inside a store
   * transaction.
   */
  createForCheckout(input: CheckoutSubscriptionInput): CheckoutSubscriptionResult {
    return this.store.transaction(() => {
      const now = this.clock.nowForCustomer(input.customer);
      return this.start({
        customer: input.customer,
        items: input.items.map((item) => ({
          price: item.price,
          quantity: item.quantity,
          metadata: {},
        })),
        defaultPaymentMethod: input.paymentMethod.id,
        trialEnd:
          input.trialPeriodDays === null || input.trialPeriodDays === 0
            ? null
            : now + input.trialPeriodDays * SECONDS_PER_DAY,
        cancelAtPeriodEnd: false,
        paymentBehavior: 'allow_incomplete',
        collectionMethod: 'charge_automatically',
        daysUntilDue: null,
        description: null,
        metadata: input.metadata,
      });
    });
  }

  create(params: Params): Stripe.Subscription {
    const customerId = params.requiredString('customer');
    const itemParams = params.objects('items');
    const defaultPaymentMethod = params.string('default_payment_method');
    const trialPeriodDays = params.integer('trial_period_days', { min: 0, max: 730 });
    const trialEnd = readTrialEnd(params);
    const cancelAtPeriodEnd = params.boolean('cancel_at_period_end') ?? false;
    const paymentBehavior =
      params.oneOf('payment_behavior', CREATE_PAYMENT_BEHAVIORS) ?? 'allow_incomplete';
    // Without backdating or a billing cycle anchor there is nothing to prorate at creation.
    params.oneOf('proration_behavior', PRORATION_BEHAVIORS);
    const collectionMethod =
      params.oneOf('collection_method', COLLECTION_METHODS) ?? 'charge_automatically';
    const daysUntilDue = params.integer('days_until_due', { min: 0, max: 730 });
    const description = params.string('description');
    const metadata = params.metadata();
    const missingPaymentMethod = readTrialSettings(params);
    // Every payment the sandbox makes for a subscription is off session already.
    params.boolean('off_session');
    if (itemParams === undefined || itemParams.length === 0) throw parameterMissing('items');
    if (trialEnd !== undefined && trialPeriodDays !== undefined) {
      throw invalidRequest(
        'You may only specify one of these parameters: trial_end, trial_period_days.',
        'trial_end',
      );
    }
    if (collectionMethod === 'send_invoice' && daysUntilDue === undefined) {
      throw parameterMissing('days_until_due');
    }
    if (collectionMethod === 'charge_automatically' && daysUntilDue !== undefined) {
      throw invalidRequest(
        'The days_until_due parameter can only be set when collection_method is send_invoice.',
        'days_until_due',
      );
    }
    return this.store.transaction(() => {
      const items = itemParams.map((item, index) =>
        this.itemParams.readNewItem(item, `items[${index}]`),
      );
      params.done();
      const customer = this.store.get('customer', customerId, 'customer', 'customer');
      const now = this.clock.nowForCustomer(customerId);
      checkItems(items.map((item, index) => ({ ...item, param: `items[${index}]` })));
      if (defaultPaymentMethod !== undefined) {
        this.checkPaymentMethodOf(customerId, defaultPaymentMethod);
      }
      const trialEndsAt = trialEndOf(trialEnd, trialPeriodDays, now);
      if (
        collectionMethod === 'charge_automatically' &&
        trialEndsAt === null &&
        paymentBehavior !== 'default_incomplete' &&
        items.some((item) => amountForQuantity(item.price, item.quantity) > 0) &&
        defaultPaymentMethod === undefined &&
        customer.invoice_settings.default_payment_method === null
      ) {
        throw invalidRequest(
          'This customer has no attached payment source or default payment method. Please consider adding a default payment method. For more information, visit https://docs.stripe.com/billing/subscriptions/payment-methods-setting#payment-method-priority.',
          undefined,
          'resource_missing',
        );
      }
      const { subscription, decline } = this.start({
        customer: customerId,
        items,
        defaultPaymentMethod: defaultPaymentMethod ?? null,
        trialEnd: trialEndsAt,
        cancelAtPeriodEnd,
        paymentBehavior,
        collectionMethod,
        daysUntilDue: daysUntilDue ?? null,
        description: description ?? null,
        metadata: metadata ?? {},
        ...(missingPaymentMethod === undefined ? {} : { missingPaymentMethod }),
      });
      // Nothing of a refused subscription is kept: throwing here undoes the whole transaction.
      if (decline !== null && paymentBehavior === 'error_if_incomplete') throw decline;
      return subscription;
    });
  }

  private checkPaymentMethodOf(customer: string, id: string): void {
    const paymentMethod = this.store.get(
      'payment_method',
      id,
      'PaymentMethod',
      'default_payment_method',
    );
    if (paymentMethod.customer === null || idOf(paymentMethod.customer) !== customer) {
      throw invalidRequest(
        `The customer does not have a payment method with the ID ${id}. The payment method must be attached to the customer.`,
        'default_payment_method',
      );
    }
  }

  /** Creates the subscription and its first invoice. Inside a store transaction. */
  private start(spec: StartSpec): CheckoutSubscriptionResult {
    const now = this.clock.nowForCustomer(spec.customer);
    const id = newId('sub');
    const [firstItem] = spec.items;
    if (firstItem === undefined) throw parameterMissing('items');
    const subscription = this.store.insert(
      'subscription',
      newSubscription(id, spec, {
        now,
        currency: firstItem.price.currency,
        testClock: this.clock.testClockOfCustomer(spec.customer),
      }),
    );
    this.lifecycle.startPeriod(subscription, now);
    if (spec.cancelAtPeriodEnd) requestCancellationAtPeriodEnd(subscription, now, undefined);
    if (spec.collectionMethod === 'send_invoice' && spec.trialEnd === null) {
      // Stripe activates a send_invoice subscription at once; its invoice is paid in its own time.
      subscription.status = 'active';
    }
    // A trial's first invoice has nothing to charge: it only carries pending invoice items.
    const { invoice, decline } = this.lifecycle.invoice(subscription, {
      billingReason: 'subscription_create',
      chargeItems: spec.trialEnd === null,
      periodStart: now,
      periodEnd: now,
      collection: spec.paymentBehavior === 'default_incomplete' ? 'finalize' : 'attempt',
      retryOnDecline: false,
    });
    this.events.record('customer.subscription.created', subscription, {
      testClock: this.lifecycle.testClockOf(subscription),
    });
    return { subscription, invoice, decline };
  }

  retrieve(id: string): Stripe.Subscription {
    return this.store.get('subscription', id, 'subscription');
  }

  update(id: string, params: Params): Stripe.Subscription {
    const itemParams = params.objects('items');
    const prorationBehavior = params.oneOf('proration_behavior', PRORATION_BEHAVIORS);
    const prorationDate = params.integer('proration_date');
    const paymentBehavior = params.oneOf('payment_behavior', UPDATE_PAYMENT_BEHAVIORS);
    const cancelAtPeriodEnd = params.boolean('cancel_at_period_end');
    const defaultPaymentMethod = params.nullableString('default_payment_method');
    const description = params.nullableString('description');
    const metadata = params.metadata();
    const trialEnd = readTrialEnd(params);
    const cancellationDetails = readCancellationDetails(params);
    const pauseCollection = readPauseCollection(params);
    const billingCycleAnchor = readBillingCycleAnchor(params);
    const missingPaymentMethod = readTrialSettings(params);
    params.boolean('off_session');
    if (paymentBehavior === 'pending_if_incomplete') {
      throw invalidRequest(
        'The sandbox does not support payment_behavior=pending_if_incomplete (pending updates); use allow_incomplete, default_incomplete or error_if_incomplete.',
        'payment_behavior',
      );
    }
    return this.store.transaction(() => {
      const subscription = this.store.get('subscription', id, 'subscription');
      const changes = itemParams?.map((item, index) => this.itemParams.readItemChange(item, index));
      params.done();
      checkUpdatable(subscription, {
        items: changes,
        proration_behavior: prorationBehavior,
        proration_date: prorationDate,
        payment_behavior: paymentBehavior,
        cancel_at_period_end: cancelAtPeriodEnd,
        default_payment_method: defaultPaymentMethod,
        description,
        trial_end: trialEnd,
        pause_collection: pauseCollection,
        billing_cycle_anchor: billingCycleAnchor,
        trial_settings: missingPaymentMethod,
      });
      const customer = customerIdOf(subscription);
      const now = this.clock.nowForCustomer(customer);
      if (defaultPaymentMethod !== undefined && defaultPaymentMethod !== null) {
        this.checkPaymentMethodOf(customer, defaultPaymentMethod);
      }
      if (pauseCollection !== undefined && pauseCollection !== null) {
        checkResumesAt(pauseCollection, now);
      }
      const behavior: PaymentBehavior = paymentBehavior ?? 'allow_incomplete';
      const collection: Collection = behavior === 'default_incomplete' ? 'finalize' : 'attempt';
      const before = snapshot(subscription);
      if (metadata !== undefined) {
        subscription.metadata = mergeMetadata(subscription.metadata, metadata);
      }
      if (description !== undefined) subscription.description = description;
      if (defaultPaymentMethod !== undefined) {
        subscription.default_payment_method = defaultPaymentMethod;
      }
      if (missingPaymentMethod !== undefined) {
        subscription.trial_settings = {
          end_behavior: {
            billing_cycle_anchor:
              subscription.trial_settings?.end_behavior.billing_cycle_anchor ?? null,
            missing_payment_method: missingPaymentMethod,
          },
        };
      }
      // Pausing collection changes neither the status nor the periods: only the invoices made while paused.
      if (pauseCollection !== undefined) {
        subscription.pause_collection =
          pauseCollection === null
            ? null
            : { behavior: pauseCollection.behavior, resumes_at: pauseCollection.resumesAt };
      }
      const outcome = this.applyChanges(
        subscription,
        {
          items: changes,
          prorationBehavior,
          prorationDate,
          trialEnd,
          cancelAtPeriodEnd,
          cancellationDetails,
          billingCycleAnchor,
        },
        { now, collection },
      );
      // error_if_incomplete: a declined payment refuses the whole update.
      const decline = outcome?.decline ?? null;
      if (decline !== null && behavior === 'error_if_incomplete') throw decline;
      this.events.recordUpdate('customer.subscription.updated', before, subscription, {
        testClock: this.lifecycle.testClockOf(subscription),
      });
      return subscription;
    });
  }

  /**
   * What an update changes in billing: items (prorated), the trial end, the
   * billing cycle anchor and cancellation at the period end, with the
   * invoice made at once if the change makes one (taken as far as
   * `collection` says). Used by updates and, with `collection: 'draft'`
   * inside a transaction that is then undone, by invoice previews, so a
   * preview shows exactly what the update would do. Checks come before any
   * change. Inside a store transaction.
   */
  applyChanges(
    subscription: Stripe.Subscription,
    change: SubscriptionChange,
    options: { now: number; collection: Collection },
  ): InvoiceOutcome | null {
    const { now, collection } = options;
    const { trialEnd, prorationDate, cancelAtPeriodEnd, cancellationDetails } = change;
    const params = change.paramPrefix ?? '';
    const param = (name: string): string => (params === '' ? name : `${params}[${name}]`);
    if (prorationDate !== undefined && subscription.status !== 'trialing') {
      const period = currentPeriodOf(subscription);
      if (prorationDate < period.start || prorationDate > period.end) {
        throw invalidRequest(
          'The proration_date must be within the current billing period.',
          param('proration_date'),
        );
      }
    }
    if (typeof trialEnd === 'number') {
      if (subscription.status !== 'trialing') {
        throw invalidRequest(
          'The sandbox only moves the trial end of a trialing subscription; trial_end=now ends a trial.',
          param('trial_end'),
        );
      }
      checkTrialEnd(trialEnd, now, param('trial_end'));
    }
    if (change.billingCycleAnchor === 'now' && subscription.status === 'trialing') {
      throw invalidRequest(
        'The sandbox does not reset the billing cycle of a trialing subscription; end the trial with trial_end=now instead.',
        param('billing_cycle_anchor'),
      );
    }
    let outcome: InvoiceOutcome | null = null;
    const changes = change.items ?? [];
    if (changes.length > 0 || change.billingCycleAnchor === 'now') {
      outcome = this.prorations.changeItems(subscription, changes, {
        prorationBehavior: change.prorationBehavior ?? 'create_prorations',
        prorationDate: prorationDate ?? now,
        now,
        collection,
        ...(change.billingCycleAnchor === undefined
          ? {}
          : { billingCycleAnchor: change.billingCycleAnchor }),
      });
    }
    if (trialEnd === 'now' && subscription.status === 'trialing') {
      // Stripe sends trial_will_end when a trial is ended early, too.
      this.lifecycle.sendTrialWillEnd(subscription);
      outcome = this.lifecycle.endTrial(subscription, now, {
        billingReason: 'subscription_update',
        collection,
      });
    } else if (typeof trialEnd === 'number') {
      subscription.trial_end = trialEnd;
      subscription.billing_cycle_anchor = trialEnd;
      this.lifecycle.startPeriod(subscription, currentPeriodOf(subscription).start);
    }
    if (
      outcome?.invoice.status === 'open' &&
      collection === 'finalize' &&
      subscription.collection_method === 'charge_automatically' &&
      subscription.status === 'active'
    ) {
      subscription.status = 'past_due';
    }
    if (cancelAtPeriodEnd === true) {
      requestCancellationAtPeriodEnd(subscription, now, cancellationDetails);
    } else if (cancelAtPeriodEnd === false) {
      subscription.cancel_at_period_end = false;
      subscription.cancel_at = null;
      subscription.canceled_at = null;
      subscription.cancellation_details = emptyCancellationDetails();
    }
    if (cancellationDetails !== undefined && cancelAtPeriodEnd === undefined) {
      subscription.cancellation_details = {
        ...(subscription.cancellation_details ?? emptyCancellationDetails()),
        ...cancellationDetails,
      };
    }
    return outcome;
  }

  cancel(id: string, params: Params): Stripe.Subscription {
    return this.cancellation.cancel(id, params);
  }

  list(params: Params): Stripe.Subscription[] {
    return this.store.list('subscription', readListFilter(params));
  }
}
