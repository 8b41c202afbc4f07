import type Stripe from 'stripe';
import { newId } from '../store/ids.js';
import { snapshot } from '../store/sandbox-store.js';
import type { NewItem } from './subscription-item-params.js';
import { intervalOf } from './subscription-lifecycle.service.js';
import type { MissingPaymentMethodBehavior, PaymentBehavior } from './subscription-params.js';

export interface StartSpec {
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
  /** What the trial's end does without a payment method (default `create_invoice`). */
  readonly missingPaymentMethod?: MissingPaymentMethodBehavior;
}

/** The price's twin as the legacy `plan` object Stripe still shows on subscription items. */
export function planOf(price: Stripe.Price): Stripe.Plan {
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

export function emptyCancellationDetails(): Stripe.Subscription.CancellationDetails {
  return { comment: null, feedback: null, feedback_option: null, reason: null };
}

export function buildItem(
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

/** A new subscription as Stripe shows it before its first period starts and its first invoice is made. */
export function newSubscription(
  id: string,
  spec: StartSpec,
  { now, currency, testClock }: { now: number; currency: string; testClock: string | null },
): Stripe.Subscription {
  return {
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
    currency,
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
        buildItem(id, item, now, { start: now, end: spec.trialEnd ?? now }),
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
    test_clock: testClock,
    transfer_data: null,
    trial_end: spec.trialEnd,
    trial_settings: {
      end_behavior: {
        billing_cycle_anchor: null,
        missing_payment_method: spec.missingPaymentMethod ?? 'create_invoice',
      },
    },
    trial_start: spec.trialEnd === null ? null : now,
  };
}
