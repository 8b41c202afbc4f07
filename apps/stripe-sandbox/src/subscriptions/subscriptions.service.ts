import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { InvoicesService } from '../billing/invoices.service.js';
import { amountForQuantity, exactAmountForQuantity } from '../catalog/pricing.js';
import { PricesService } from '../catalog/prices.service.js';
import { createdFilter } from '../core/list.js';
import type { Params } from '../core/params.js';
import {
  invalidRequest,
  parameterInvalid,
  parameterMissing,
  resourceMissing,
  type StripeApiError,
} from '../core/stripe-error.js';
import { EventRecorder } from '../events/event-recorder.js';
import { newId } from '../store/ids.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore, snapshot } from '../store/sandbox-store.js';
import { mergeMetadata } from '../core/metadata.js';
import { proratedAmount, SECONDS_PER_DAY } from './billing-schedule.js';
import {
  currentPeriodOf,
  customerIdOf,
  intervalOf,
  SubscriptionLifecycle,
  type Collection,
  type InvoiceOutcome,
} from './subscription-lifecycle.service.js';
import { idOf } from '../core/ids.js';

export interface CheckoutSubscriptionInput {
  readonly customer: string;
  readonly items: readonly { readonly price: Stripe.Price; readonly quantity: number }[];
  readonly paymentMethod: Stripe.PaymentMethod;
  readonly trialPeriodDays: number | null;
  readonly metadata: Stripe.Metadata;
}

export interface CheckoutSubscriptionResult {
  readonly subscription: Stripe.Subscription;
  readonly invoice: Stripe.Invoice;
  readonly decline: StripeApiError | null;
}

type PaymentBehavior = 'allow_incomplete' | 'default_incomplete' | 'error_if_incomplete';
type ProrationBehavior = 'always_invoice' | 'create_prorations' | 'none';

const CREATE_PAYMENT_BEHAVIORS = [
  'allow_incomplete',
  'default_incomplete',
  'error_if_incomplete',
] as const;
const UPDATE_PAYMENT_BEHAVIORS = [...CREATE_PAYMENT_BEHAVIORS, 'pending_if_incomplete'] as const;
const PRORATION_BEHAVIORS = ['always_invoice', 'create_prorations', 'none'] as const;
const COLLECTION_METHODS = ['charge_automatically', 'send_invoice'] as const;
const LIST_STATUSES = [
  'active',
  'all',
  'canceled',
  'ended',
  'incomplete',
  'incomplete_expired',
  'past_due',
  'paused',
  'trialing',
  'unpaid',
] as const;
const FEEDBACKS = [
  'customer_service',
  'low_quality',
  'missing_features',
  'other',
  'switched_service',
  'too_complex',
  'too_expensive',
  'unused',
] as const;
/** Stripe refuses trials ending more than two years ahead. */
const MAX_TRIAL_SECONDS = 730 * SECONDS_PER_DAY;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface NewItem {
  readonly price: Stripe.Price;
  readonly quantity: number;
  readonly metadata: Stripe.Metadata;
}

interface StartSpec {
  readonly customer: string;
  readonly items: readonly NewItem[];
  readonly defaultPaymentMethod: string | null;
  readonly trialEnd: number | null;
  readonly cancelAtPeriodEnd: boolean;
  readonly paymentBehavior: PaymentBehavior;
  readonly collectionMethod: 'charge_automatically' | 'send_invoice';
  readonly daysUntilDue: number | null;
  readonly description: string | null;
  readonly metadata: Stripe.Metadata;
}

interface ItemChange {
  readonly param: string;
  readonly id: string | undefined;
  readonly price: Stripe.Price | undefined;
  readonly quantity: number | undefined;
  readonly metadata: Record<string, string> | null | undefined;
  readonly deleted: boolean;
}

interface CancellationInput {
  readonly comment?: string | null;
  readonly feedback?: Stripe.Subscription.CancellationDetails.Feedback;
}

type TrialEndInput = number | 'now';

function readTrialEnd(params: Params): TrialEndInput | undefined {
  const value = params.string('trial_end');
  if (value === undefined || value === 'now') return value;
  if (!/^\d+$/.test(value)) {
    throw parameterInvalid(
      'trial_end',
      `Invalid trial_end: must be an integer Unix timestamp or "now".`,
      'parameter_invalid_integer',
    );
  }
  return Number(value);
}

function readCancellationDetails(params: Params): CancellationInput | undefined {
  const details = params.object('cancellation_details');
  if (details === undefined) return undefined;
  const comment = details.nullableString('comment');
  const feedback = details.oneOf('feedback', FEEDBACKS);
  return {
    ...(comment === undefined ? {} : { comment }),
    ...(feedback === undefined ? {} : { feedback }),
  };
}

/** The price's twin as the legacy `plan` object Stripe still shows on subscription items. */
function planOf(price: Stripe.Price): Stripe.Plan {
  const { interval, count } = intervalOf(price);
  return {
    id: price.id,
    object: 'plan',
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: price.billing_scheme,
    created: price.created,
    currency: price.currency,
    interval,
    interval_count: count,
    livemode: false,
    metadata: price.metadata,
    meter: price.recurring?.meter ?? null,
    nickname: price.nickname,
    product: price.product,
    ...(price.tiers === undefined ? {} : { tiers: price.tiers }),
    tiers_mode: price.tiers_mode,
    transform_usage: price.transform_quantity,
    trial_period_days: price.recurring?.trial_period_days ?? null,
    usage_type: price.recurring?.usage_type ?? 'licensed',
  };
}

/** `15 Jan 2025`: how Stripe dates proration descriptions. */
function describeDate(time: number): string {
  const date = new Date(time * 1000);
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()] ?? ''} ${date.getUTCFullYear()}`;
}

/** Whether an item (if it existed) charges what another does: same price, same quantity. */
function chargesTheSame(
  item: Stripe.SubscriptionItem | undefined,
  other: Stripe.SubscriptionItem,
): boolean {
  return item?.price.id === other.price.id && item.quantity === other.quantity;
}

function emptyCancellationDetails(): Stripe.Subscription.CancellationDetails {
  return { comment: null, feedback: null, feedback_option: null, reason: null };
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
    private readonly prices: PricesService,
    private readonly invoices: InvoicesService,
    private readonly lifecycle: SubscriptionLifecycle,
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
      const items = itemParams.map((item, index) => this.readNewItem(item, `items[${index}]`));
      params.done();
      const customer = this.store.get('customer', customerId, 'customer', 'customer');
      const now = this.clock.nowForCustomer(customerId);
      this.checkItems(items.map((item, index) => ({ ...item, param: `items[${index}]` })));
      if (defaultPaymentMethod !== undefined) {
        this.checkPaymentMethodOf(customerId, defaultPaymentMethod);
      }
      const trialEndsAt = this.trialEndOf(trialEnd, trialPeriodDays, now);
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
      });
      // Nothing of a refused subscription is kept: throwing here undoes the whole transaction.
      if (decline !== null && paymentBehavior === 'error_if_incomplete') throw decline;
      return subscription;
    });
  }

  private trialEndOf(
    trialEnd: TrialEndInput | undefined,
    trialPeriodDays: number | undefined,
    now: number,
  ): number | null {
    if (trialPeriodDays !== undefined) {
      return trialPeriodDays === 0 ? null : now + trialPeriodDays * SECONDS_PER_DAY;
    }
    if (trialEnd === undefined || trialEnd === 'now') return null;
    this.checkTrialEnd(trialEnd, now);
    return trialEnd;
  }

  private checkTrialEnd(trialEnd: number, now: number): void {
    if (trialEnd <= now) {
      throw invalidRequest(
        'Invalid timestamp: must be an integer Unix timestamp in the future.',
        'trial_end',
      );
    }
    if (trialEnd > now + MAX_TRIAL_SECONDS) {
      throw invalidRequest(
        'Invalid timestamp: can be no more than two years in the future.',
        'trial_end',
      );
    }
  }

  private readNewItem(item: Params, param: string): NewItem {
    const price = this.readPrice(item);
    const quantity = item.integer('quantity', { min: 0 }) ?? 1;
    const metadata = item.metadata() ?? {};
    if (price === undefined) throw parameterMissing(`${param}[price]`);
    return { price, quantity, metadata };
  }

  /** `price`, `plan` (its legacy name) or `price_data` of an item, at most one of them. */
  private readPrice(item: Params): Stripe.Price | undefined {
    const priceId = item.string('price') ?? item.string('plan');
    const priceData = item.object('price_data');
    if (priceId !== undefined && priceData !== undefined) {
      throw invalidRequest(
        'You may only specify one of these parameters: price, price_data.',
        item.path('price'),
      );
    }
    if (priceId !== undefined) return this.prices.getActive(priceId, item.path('price'));
    if (priceData !== undefined) {
      return this.prices.createFromPriceData(priceData, { recurring: 'required' });
    }
    return undefined;
  }

  /** Stripe's rules for a subscription's items: recurring prices of one currency and interval, each once. */
  private checkItems(items: readonly (NewItem & { param: string })[]): void {
    const [first] = items;
    if (first === undefined) {
      throw invalidRequest('A subscription must have at least one item.', 'items');
    }
    const seen = new Set<string>();
    for (const item of items) {
      if (item.price.type !== 'recurring' || item.price.recurring === null) {
        throw invalidRequest(
          'The price specified is set to `type=one_time` but this field only accepts prices with `type=recurring`.',
          `${item.param}[price]`,
        );
      }
      if (seen.has(item.price.id)) {
        throw invalidRequest(
          `Cannot add multiple subscription items with the same price: ${item.price.id}`,
          `${item.param}[price]`,
        );
      }
      seen.add(item.price.id);
      const { interval, count } = intervalOf(item.price);
      const expected = intervalOf(first.price);
      if (item.price.currency !== first.price.currency) {
        throw invalidRequest(
          'Currency and interval fields must match across all plans on this subscription. Found mismatch in currency field.',
          `${item.param}[price]`,
        );
      }
      if (interval !== expected.interval || count !== expected.count) {
        throw invalidRequest(
          'Currency and interval fields must match across all plans on this subscription. Found mismatch in interval field.',
          `${item.param}[price]`,
        );
      }
    }
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

  private buildItem(
    subscription: string,
    item: NewItem,
    created: number,
    period: { start: number; end: number },
  ): Stripe.SubscriptionItem {
    return {
      id: newId('si', 14),
      object: 'subscription_item',
      billing_thresholds: null,
      created,
      current_period_end: period.end,
      current_period_start: period.start,
      current_trial: null,
      discounts: [],
      metadata: item.metadata,
      plan: planOf(item.price),
      price: snapshot(item.price),
      quantity: item.quantity,
      subscription,
      tax_rates: [],
    };
  }

  /** Creates the subscription and its first invoice. Inside a store transaction. */
  private start(spec: StartSpec): CheckoutSubscriptionResult {
    const now = this.clock.nowForCustomer(spec.customer);
    const id = newId('sub');
    const [firstItem] = spec.items;
    if (firstItem === undefined) throw parameterMissing('items');
    const subscription = this.store.insert('subscription', {
      id,
      object: 'subscription',
      application: null,
      application_fee_percent: null,
      automatic_tax: { disabled_reason: null, enabled: false, liability: null },
      billing_cycle_anchor: spec.trialEnd ?? now,
      billing_cycle_anchor_config: null,
      billing_mode: { flexible: null, type: 'classic' },
      billing_schedules: [],
      billing_thresholds: null,
      cancel_at: null,
      cancel_at_period_end: false,
      canceled_at: null,
      cancellation_details: emptyCancellationDetails(),
      collection_method: spec.collectionMethod,
      created: now,
      currency: firstItem.price.currency,
      customer: spec.customer,
      customer_account: null,
      days_until_due: spec.daysUntilDue,
      default_payment_method: spec.defaultPaymentMethod,
      default_source: null,
      default_tax_rates: [],
      description: spec.description,
      discounts: [],
      ended_at: null,
      invoice_settings: {
        account_tax_ids: null,
        custom_fields: null,
        description: null,
        footer: null,
        issuer: { type: 'self' },
      },
      items: {
        object: 'list',
        data: spec.items.map((item) =>
          this.buildItem(id, item, now, { start: now, end: spec.trialEnd ?? now }),
        ),
        has_more: false,
        url: `/v1/subscription_items?subscription=${id}`,
      },
      latest_invoice: null,
      livemode: false,
      managed_payments: null,
      metadata: spec.metadata,
      next_pending_invoice_item_invoice: null,
      on_behalf_of: null,
      pause_collection: null,
      payment_settings: {
        payment_method_options: null,
        payment_method_types: null,
        save_default_payment_method: 'off',
      },
      pending_invoice_item_interval: null,
      pending_setup_intent: null,
      pending_update: null,
      schedule: null,
      start_date: now,
      status: spec.trialEnd === null ? 'incomplete' : 'trialing',
      test_clock: this.clock.testClockOfCustomer(spec.customer),
      transfer_data: null,
      trial_end: spec.trialEnd,
      trial_settings: {
        end_behavior: { billing_cycle_anchor: null, missing_payment_method: 'create_invoice' },
      },
      trial_start: spec.trialEnd === null ? null : now,
    });
    this.lifecycle.startPeriod(subscription, now);
    if (spec.cancelAtPeriodEnd) this.requestCancellationAtPeriodEnd(subscription, now, undefined);
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
    params.boolean('off_session');
    if (paymentBehavior === 'pending_if_incomplete') {
      throw invalidRequest(
        'The sandbox does not support payment_behavior=pending_if_incomplete (pending updates); use allow_incomplete, default_incomplete or error_if_incomplete.',
        'payment_behavior',
      );
    }
    return this.store.transaction(() => {
      const subscription = this.store.get('subscription', id, 'subscription');
      const changes = itemParams?.map((item, index) => this.readItemChange(item, index));
      params.done();
      const changing = {
        items: changes,
        proration_behavior: prorationBehavior,
        proration_date: prorationDate,
        payment_behavior: paymentBehavior,
        cancel_at_period_end: cancelAtPeriodEnd,
        default_payment_method: defaultPaymentMethod,
        description,
        trial_end: trialEnd,
      };
      this.checkUpdatable(subscription, changing);
      const customer = customerIdOf(subscription);
      const now = this.clock.nowForCustomer(customer);
      if (defaultPaymentMethod !== undefined && defaultPaymentMethod !== null) {
        this.checkPaymentMethodOf(customer, defaultPaymentMethod);
      }
      if (prorationDate !== undefined && subscription.status !== 'trialing') {
        const period = currentPeriodOf(subscription);
        if (prorationDate < period.start || prorationDate > period.end) {
          throw invalidRequest(
            'The proration_date must be within the current billing period.',
            'proration_date',
          );
        }
      }
      if (typeof trialEnd === 'number') {
        if (subscription.status !== 'trialing') {
          throw invalidRequest(
            'The sandbox only moves the trial end of a trialing subscription; trial_end=now ends a trial.',
            'trial_end',
          );
        }
        this.checkTrialEnd(trialEnd, now);
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
      let outcome: InvoiceOutcome | null = null;
      if (changes !== undefined && changes.length > 0) {
        outcome = this.changeItems(subscription, changes, {
          prorationBehavior: prorationBehavior ?? 'create_prorations',
          prorationDate: prorationDate ?? now,
          now,
          collection,
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
        this.requestCancellationAtPeriodEnd(subscription, now, cancellationDetails);
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
      // error_if_incomplete: a declined payment refuses the whole update.
      const decline = outcome?.decline ?? null;
      if (decline !== null && behavior === 'error_if_incomplete') throw decline;
      this.events.recordUpdate('customer.subscription.updated', before, subscription, {
        testClock: this.lifecycle.testClockOf(subscription),
      });
      return subscription;
    });
  }

  private requestCancellationAtPeriodEnd(
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

  /** Stripe's limits on what an ended or incomplete subscription may still change. */
  private checkUpdatable(
    subscription: Stripe.Subscription,
    changing: Record<string, unknown>,
  ): void {
    const given = Object.entries(changing)
      .filter(([, value]) => value !== undefined)
      .map(([name]) => name);
    if (subscription.status === 'canceled' || subscription.status === 'incomplete_expired') {
      const refused = given[0];
      if (refused !== undefined) {
        throw invalidRequest(
          'A canceled subscription can only update its cancellation_details and metadata.',
          refused,
        );
      }
    }
    if (subscription.status === 'incomplete') {
      const refused = given.find(
        (name) => name !== 'default_payment_method' && name !== 'description',
      );
      if (refused !== undefined) {
        throw invalidRequest(
          'You cannot update a subscription in `incomplete` status in a way that results in new invoices or invoice items. Only metadata, description and the default payment method can be updated.',
          refused,
        );
      }
    }
  }

  private readItemChange(item: Params, index: number): ItemChange {
    const param = `items[${index}]`;
    const id = item.string('id');
    const price = this.readPrice(item);
    const quantity = item.integer('quantity', { min: 0 });
    const metadata = item.metadata();
    const deleted = item.boolean('deleted') ?? false;
    // Usage records of metered items are not kept, so there is none to clear.
    item.boolean('clear_usage');
    if (id === undefined && deleted) throw parameterMissing(`${param}[id]`);
    if (id === undefined && price === undefined) throw parameterMissing(`${param}[price]`);
    return { param, id, price, quantity, metadata, deleted };
  }

  /**
   * Applies item changes. On an active subscription each changed item is
   * prorated (unless `none`): a credit for the unused time of what it was and
   * a charge for the rest of the period of what it becomes, as pending
   * invoice items for the next invoice, or invoiced at once with
   * `always_invoice`. A change of billing interval starts a new period now,
   * invoiced at once.
   */
  private changeItems(
    subscription: Stripe.Subscription,
    changes: readonly ItemChange[],
    options: {
      prorationBehavior: ProrationBehavior;
      prorationDate: number;
      now: number;
      collection: Collection;
    },
  ): InvoiceOutcome | null {
    const period = currentPeriodOf(subscription);
    const oldItems = snapshot(subscription.items.data);
    const items = subscription.items.data;
    for (const change of changes) {
      if (change.id === undefined) {
        const price = change.price;
        if (price === undefined) throw parameterMissing(`${change.param}[price]`);
        items.push(
          this.buildItem(
            subscription.id,
            { price, quantity: change.quantity ?? 1, metadata: change.metadata ?? {} },
            options.now,
            period,
          ),
        );
        continue;
      }
      const changeId = change.id;
      const index = items.findIndex((item) => item.id === changeId);
      const item = items[index];
      if (item === undefined) {
        throw resourceMissing('subscription_item', changeId, `${change.param}[id]`);
      }
      if (change.deleted) {
        items.splice(index, 1);
        continue;
      }
      if (change.price !== undefined) {
        item.price = snapshot(change.price);
        item.plan = planOf(change.price);
      }
      if (change.quantity !== undefined) item.quantity = change.quantity;
      if (change.metadata !== undefined) {
        item.metadata = mergeMetadata(item.metadata, change.metadata);
      }
    }
    this.checkItems(
      items.map((item) => ({
        price: item.price,
        quantity: item.quantity ?? 1,
        metadata: item.metadata,
        param: changes.find((change) => change.id === item.id)?.param ?? 'items',
      })),
    );
    const [first] = items;
    const [oldFirst] = oldItems;
    if (first === undefined || oldFirst === undefined) return null;
    if (first.price.currency !== subscription.currency) {
      throw invalidRequest(
        `The currency of a subscription cannot change (from ${subscription.currency} to ${first.price.currency}).`,
        'items',
      );
    }
    const oldInterval = intervalOf(oldFirst.price);
    const newInterval = intervalOf(first.price);
    const intervalChanged =
      oldInterval.interval !== newInterval.interval || oldInterval.count !== newInterval.count;
    if (subscription.status === 'trialing') return null;
    const prorating = options.prorationBehavior !== 'none';
    let prorated = false;
    if (prorating) {
      for (const old of oldItems) {
        const current = items.find((item) => item.id === old.id);
        if (!intervalChanged && chargesTheSame(current, old)) continue;
        prorated =
          this.prorate(subscription, old, period, options.prorationDate, 'unused') || prorated;
      }
      if (!intervalChanged) {
        for (const item of items) {
          const old = oldItems.find((candidate) => candidate.id === item.id);
          if (chargesTheSame(old, item)) continue;
          prorated =
            this.prorate(subscription, item, period, options.prorationDate, 'remaining') ||
            prorated;
        }
      }
    }
    if (intervalChanged) {
      // A new billing interval resets the billing cycle: the new period starts now, billed at once.
      subscription.billing_cycle_anchor = options.now;
      this.lifecycle.startPeriod(subscription, options.now);
      return this.lifecycle.invoice(subscription, {
        billingReason: 'subscription_update',
        chargeItems: true,
        periodStart: period.start,
        periodEnd: options.now,
        collection: options.collection,
        retryOnDecline: true,
      });
    }
    if (prorated && options.prorationBehavior === 'always_invoice') {
      return this.lifecycle.invoice(subscription, {
        billingReason: 'subscription_update',
        chargeItems: false,
        periodStart: options.prorationDate,
        periodEnd: options.prorationDate,
        collection: options.collection,
        retryOnDecline: true,
      });
    }
    return null;
  }

  /** One proration invoice item of an item; false when it would be worth nothing. */
  private prorate(
    subscription: Stripe.Subscription,
    item: Stripe.SubscriptionItem,
    period: { start: number; end: number },
    from: number,
    side: 'unused' | 'remaining',
  ): boolean {
    const quantity = item.quantity ?? 1;
    const share = proratedAmount(
      exactAmountForQuantity(item.price, quantity),
      period.start,
      period.end,
      from,
    );
    if (share === 0) return false;
    const productId = idOf(item.price.product);
    const name = this.store.find('product', productId)?.name ?? productId;
    const label = quantity === 1 ? name : `${quantity} × ${name}`;
    this.invoices.createProration({
      customer: customerIdOf(subscription),
      subscription: subscription.id,
      subscriptionItem: item.id,
      price: item.price,
      quantity,
      amount: side === 'unused' ? -share : share,
      periodStart: from,
      periodEnd: period.end,
      description: `${side === 'unused' ? 'Unused' : 'Remaining'} time on ${label} after ${describeDate(from)}`,
    });
    return true;
  }

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
          this.prorate(subscription, item, period, now, 'unused');
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

  list(params: Params): Stripe.Subscription[] {
    const customer = params.string('customer');
    const price = params.string('price') ?? params.string('plan');
    const status = params.oneOf('status', LIST_STATUSES);
    const testClock = params.string('test_clock');
    const collectionMethod = params.oneOf('collection_method', COLLECTION_METHODS);
    const created = createdFilter(params);
    const periodStart = createdFilter(params, 'current_period_start');
    const periodEnd = createdFilter(params, 'current_period_end');
    const statusMatches = (value: Stripe.Subscription.Status): boolean => {
      if (status === undefined) return value !== 'canceled';
      if (status === 'all') return true;
      if (status === 'ended') return value === 'canceled' || value === 'incomplete_expired';
      return value === status;
    };
    return this.store.list('subscription', (subscription) => {
      const period = currentPeriodOf(subscription);
      return (
        (customer === undefined || customerIdOf(subscription) === customer) &&
        (price === undefined || subscription.items.data.some((item) => item.price.id === price)) &&
        statusMatches(subscription.status) &&
        (testClock === undefined || idOf(subscription.test_clock) === testClock) &&
        (collectionMethod === undefined || subscription.collection_method === collectionMethod) &&
        created(subscription.created) &&
        periodStart(period.start) &&
        periodEnd(period.end)
      );
    });
  }
}
