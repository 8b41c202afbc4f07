import type Stripe from 'stripe';
import { idOf } from '../core/ids.js';
import { createdFilter } from '../core/list.js';
import type { Params } from '../core/params.js';
import {
  invalidRequest,
  parameterInvalid,
  parameterInvalidEmpty,
  parameterMissing,
} from '../core/stripe-error.js';
import { SECONDS_PER_DAY } from './billing-schedule.js';
import { currentPeriodOf, customerIdOf } from './subscription-lifecycle.service.js';

export type PaymentBehavior = 'allow_incomplete' | 'default_incomplete' | 'error_if_incomplete';
export type ProrationBehavior = 'always_invoice' | 'create_prorations' | 'none';

export const CREATE_PAYMENT_BEHAVIORS = [
  'allow_incomplete',
  'default_incomplete',
  'error_if_incomplete',
] as const;
export const UPDATE_PAYMENT_BEHAVIORS = [
  ...CREATE_PAYMENT_BEHAVIORS,
  'pending_if_incomplete',
] as const;
export const PRORATION_BEHAVIORS = ['always_invoice', 'create_prorations', 'none'] as const;
export const COLLECTION_METHODS = ['charge_automatically', 'send_invoice'] as const;
export const PAUSE_COLLECTION_BEHAVIORS = ['keep_as_draft', 'mark_uncollectible', 'void'] as const;
export type PauseCollectionBehavior = (typeof PAUSE_COLLECTION_BEHAVIORS)[number];
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

export interface CancellationInput {
  readonly comment?: string | null;
  readonly feedback?: Stripe.Subscription.CancellationDetails.Feedback;
}

export type TrialEndInput = number | 'now';

export interface PauseCollectionInput {
  readonly behavior: PauseCollectionBehavior;
  readonly resumesAt: number | null;
}

/**
 * `pause_collection[behavior]` (required) and `pause_collection[resumes_at]`;
 * `pause_collection=''` (null) unsets it, resuming collection.
 */
export function readPauseCollection(params: Params): PauseCollectionInput | null | undefined {
  const pause = params.nullableObject('pause_collection');
  if (pause === undefined || pause === null) return pause;
  if (pause.has('behavior') && pause.string('behavior') === '') {
    throw parameterInvalidEmpty(pause.path('behavior'));
  }
  const behavior = pause.oneOf('behavior', PAUSE_COLLECTION_BEHAVIORS);
  if (pause.has('resumes_at') && pause.string('resumes_at') === '') {
    throw parameterInvalidEmpty(pause.path('resumes_at'));
  }
  const resumesAt = pause.integer('resumes_at');
  if (behavior === undefined) throw parameterMissing(pause.path('behavior'));
  return { behavior, resumesAt: resumesAt ?? null };
}

/** `resumes_at` must lie in the future of the subscription's clock. */
export function checkResumesAt(pause: PauseCollectionInput, now: number): void {
  if (pause.resumesAt !== null && pause.resumesAt <= now) {
    throw invalidRequest(
      'Invalid timestamp: must be an integer Unix timestamp in the future.',
      'pause_collection[resumes_at]',
    );
  }
}

export function readTrialEnd(params: Params): TrialEndInput | undefined {
  const value = params.string('trial_end');
  if (value === undefined || value === 'now') return value;
  if (!/^\d+$/.test(value)) {
    throw parameterInvalid(
      params.path('trial_end'),
      `Invalid trial_end: must be an integer Unix timestamp or "now".`,
      'parameter_invalid_integer',
    );
  }
  return Number(value);
}

export const MISSING_PAYMENT_METHOD_BEHAVIORS = ['cancel', 'create_invoice', 'pause'] as const;
export type MissingPaymentMethodBehavior = (typeof MISSING_PAYMENT_METHOD_BEHAVIORS)[number];

/** `trial_settings[end_behavior][missing_payment_method]`: what a trial ending without a payment method does. */
export function readTrialSettings(params: Params): MissingPaymentMethodBehavior | undefined {
  const settings = params.object('trial_settings');
  if (settings === undefined) return undefined;
  const endBehavior = settings.requiredObject('end_behavior');
  const behavior = endBehavior.oneOf('missing_payment_method', MISSING_PAYMENT_METHOD_BEHAVIORS);
  if (behavior === undefined) throw parameterMissing(endBehavior.path('missing_payment_method'));
  return behavior;
}

export type BillingCycleAnchorInput = 'now' | 'unchanged';

/**
 * `billing_cycle_anchor[type]` of an update, a resumption or a preview of an
 * existing subscription: `now` or `unchanged` (since 2026-09-30.endive a hash,
 * no longer a string). `timestamp` anchors only new subscriptions.
 */
export function readBillingCycleAnchor(params: Params): BillingCycleAnchorInput | undefined {
  const anchor = params.object('billing_cycle_anchor');
  if (anchor === undefined) return undefined;
  const type = anchor.oneOf('type', ['now', 'timestamp', 'unchanged'] as const);
  if (type === undefined) throw parameterMissing(anchor.path('type'));
  if (type === 'timestamp') {
    anchor.integer('timestamp');
    throw invalidRequest(
      'For existing subscriptions, the billing cycle anchor can only be set to now or unchanged.',
      anchor.path('type'),
    );
  }
  return type;
}

export function readCancellationDetails(params: Params): CancellationInput | undefined {
  const details = params.object('cancellation_details');
  if (details === undefined) return undefined;
  const comment = details.nullableString('comment');
  const feedback = details.oneOf('feedback', FEEDBACKS);
  return {
    ...(comment === undefined ? {} : { comment }),
    ...(feedback === undefined ? {} : { feedback }),
  };
}

export function trialEndOf(
  trialEnd: TrialEndInput | undefined,
  trialPeriodDays: number | undefined,
  now: number,
): number | null {
  if (trialPeriodDays !== undefined) {
    return trialPeriodDays === 0 ? null : now + trialPeriodDays * SECONDS_PER_DAY;
  }
  if (trialEnd === undefined || trialEnd === 'now') return null;
  checkTrialEnd(trialEnd, now);
  return trialEnd;
}

export function checkTrialEnd(trialEnd: number, now: number, param = 'trial_end'): void {
  if (trialEnd <= now) {
    throw invalidRequest(
      'Invalid timestamp: must be an integer Unix timestamp in the future.',
      param,
    );
  }
  if (trialEnd > now + MAX_TRIAL_SECONDS) {
    throw invalidRequest('Invalid timestamp: can be no more than two years in the future.', param);
  }
}

/**
 * The filter of a subscription list request: Stripe's list parameters, with
 * canceled subscriptions left out unless a status asks for them.
 */
export function readListFilter(params: Params): (subscription: Stripe.Subscription) => boolean {
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
  return (subscription) => {
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
  };
}

/** Stripe's limits on what an ended or incomplete subscription may still change. */
export function checkUpdatable(
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
