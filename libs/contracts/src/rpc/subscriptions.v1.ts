import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { BILLING_PERIOD_PATTERN } from './usage.v1.js';
import { IsCustomerId } from '../customer-id.js';
import { SUBSCRIPTION_STATUSES, type SubscriptionStatus } from '../events/subscription.v1.js';
import { defineRpcRoute } from './rpc-route.js';

/**
 * The subscriptions service's plans and commands over RPC (docs/subscriptions.md).
 * Every command goes to Stripe first; its answer is applied to the mirror
 * through the same convergence rule as Stripe's events, so the reply is the
 * caller's own write. Expected failures: `plan_not_found`,
 * `subscription_not_found`, `customer_not_found` (404), `invalid_subscription`
 * (400, with the fields at fault), `subscription_exists` (409: the customer
 * already has a live subscription, or one is being started),
 * `subscription_ended` and `invalid_subscription_state` (409), Stripe's
 * refusals (502 `stripe_refused`, e.g. a declined
 * first payment, Stripe's `card_declined` in the message) or absence (503).
 */

/** The agent-as-employee plans (seed 000). `principal` has a price per customer and unlimited hours. */
export const PLAN_IDS = ['junior', 'analyst', 'lead', 'principal'] as const;
export type PlanId = (typeof PLAN_IDS)[number];

export function isPlanId(value: unknown): value is PlanId {
  return typeof value === 'string' && (PLAN_IDS as readonly string[]).includes(value);
}

export const PLAN_BILLING_INTERVALS = ['monthly', 'yearly'] as const;
export type PlanBillingInterval = (typeof PLAN_BILLING_INTERVALS)[number];

/** Hours as exact decimal text (metering's values), at most 12 decimal places. */
export const HOURS_PATTERN = /^-?\d{1,15}(\.\d{1,12})?$/;

/** The longest trial Stripe accepts. */
export const MAX_TRIAL_DAYS = 730;

/** The largest custom price of a principal plan, in minor units (Stripe's own limit for unit_amount). */
export const MAX_PLAN_PRICE_CENTS = 99_999_999;

export class PlanPriceV1 {
  @IsIn(PLAN_BILLING_INTERVALS)
  billingInterval!: PlanBillingInterval;

  /** Minor units of the plan's currency per interval; null for a custom (per-customer) plan. */
  @IsOptional()
  @IsInt()
  @Min(0)
  priceCents!: number | null;

  /** The Stripe Price subscriptions of this interval use; null for a custom plan. */
  @IsOptional()
  @Matches(/^price_\w+$/)
  stripePriceId!: string | null;
}

export class PlanV1 {
  @IsIn(PLAN_IDS)
  id!: PlanId;

  @IsString()
  name!: string;

  /** The monthly price; null for a custom plan (principal). */
  @IsOptional()
  @IsInt()
  @Min(0)
  priceCents!: number | null;

  @IsOptional()
  @IsInt()
  @Min(0)
  yearlyPriceCents!: number | null;

  @Matches(/^[a-z]{3}$/)
  currency!: string;

  /** Included hours per calendar month; null: unlimited. */
  @IsOptional()
  @IsInt()
  @Min(0)
  includedHours!: number | null;

  /** Minor units per hour above the included ones; null when hours are unlimited. */
  @IsOptional()
  @IsInt()
  @Min(0)
  overagePriceCents!: number | null;

  /** True when each subscription names its own price (`priceCents` at creation). */
  @IsBoolean()
  custom!: boolean;

  @IsOptional()
  @Matches(/^prod_\w+$/)
  stripeProductId!: string | null;

  @ValidateNested({ each: true })
  @Type(() => PlanPriceV1)
  prices!: PlanPriceV1[];
}

export class ListPlansRequestV1 {
  /** Only this plan. */
  @IsOptional()
  @IsIn(PLAN_IDS)
  planId?: PlanId;
}

export class ListPlansReplyV1 {
  @ValidateNested({ each: true })
  @Type(() => PlanV1)
  plans!: PlanV1[];
}

export const PAUSE_BEHAVIORS = ['keep_as_draft', 'mark_uncollectible', 'void'] as const;
export type PauseBehavior = (typeof PAUSE_BEHAVIORS)[number];

export class PauseCollectionV1 {
  @IsIn(PAUSE_BEHAVIORS)
  behavior!: PauseBehavior;

  @IsOptional()
  @IsISO8601({ strict: true })
  resumesAt!: string | null;
}

/** A subscription as the subscriptions service holds it: Stripe's state, read through the mirror. */
export class SubscriptionV1 {
  @IsUUID()
  id!: string;

  @IsCustomerId()
  customerId!: string;

  /** null for a subscription made outside Aegis on a price that is no plan's. */
  @IsOptional()
  @IsIn(PLAN_IDS)
  planId!: PlanId | null;

  @IsOptional()
  @IsIn(PLAN_BILLING_INTERVALS)
  billingInterval!: PlanBillingInterval | null;

  /** The price per interval, in minor units of `currency`. */
  @IsOptional()
  @IsInt()
  @Min(0)
  priceCents!: number | null;

  @Matches(/^[a-z]{3}$/)
  currency!: string;

  @IsIn(SUBSCRIPTION_STATUSES)
  status!: SubscriptionStatus;

  @Matches(/^sub_\w+$/)
  stripeSubscriptionId!: string;

  @IsOptional()
  @IsString()
  stripePriceId!: string | null;

  @IsOptional()
  @IsISO8601({ strict: true })
  currentPeriodStart!: string | null;

  @IsOptional()
  @IsISO8601({ strict: true })
  currentPeriodEnd!: string | null;

  @IsOptional()
  @IsISO8601({ strict: true })
  trialStart!: string | null;

  @IsOptional()
  @IsISO8601({ strict: true })
  trialEnd!: string | null;

  @IsBoolean()
  cancelAtPeriodEnd!: boolean;

  @IsOptional()
  @IsISO8601({ strict: true })
  cancelAt!: string | null;

  @IsOptional()
  @IsISO8601({ strict: true })
  canceledAt!: string | null;

  @IsOptional()
  @IsISO8601({ strict: true })
  endedAt!: string | null;

  /** Set while Stripe's collection is paused (`pause_collection`). */
  @IsOptional()
  @ValidateNested()
  @Type(() => PauseCollectionV1)
  pauseCollection!: PauseCollectionV1 | null;

  /** The mirror's version: it grows by one with each change applied. */
  @IsInt()
  @Min(1)
  version!: number;

  /**
   * The customer's flags, e.g. `lost_dispute` (a dispute of the customer's
   * payment was lost; docs/subscriptions.md, "Lost disputes"); empty when
   * none. Additive: absent from a service that predates it.
   */
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  customerFlags?: string[];

  @IsISO8601({ strict: true })
  createdAt!: string;

  @IsISO8601({ strict: true })
  updatedAt!: string;
}

export class SubscriptionReplyV1 {
  @ValidateNested()
  @Type(() => SubscriptionV1)
  subscription!: SubscriptionV1;
}

export class CreateSubscriptionRequestV1 {
  @IsCustomerId()
  customerId!: string;

  @IsIn(PLAN_IDS)
  planId!: PlanId;

  @IsIn(PLAN_BILLING_INTERVALS)
  billingInterval!: PlanBillingInterval;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_TRIAL_DAYS)
  trialDays?: number;

  /** The principal plan's price for this customer (required there, refused elsewhere). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PLAN_PRICE_CENTS)
  priceCents?: number;
}

export class SubscriptionRefV1 {
  @IsUUID('all', { message: 'subscriptionId must be a subscription id' })
  subscriptionId!: string;

  /** With a customer key: the caller's customer; another's subscription is not found. */
  @IsOptional()
  @IsCustomerId()
  customerId?: string;
}

export class CustomerSubscriptionRequestV1 {
  @IsCustomerId()
  customerId!: string;
}

export const PLAN_CHANGE_TIMINGS = ['now', 'period_end'] as const;
export type PlanChangeTiming = (typeof PLAN_CHANGE_TIMINGS)[number];

export class ChangeSubscriptionRequestV1 extends SubscriptionRefV1 {
  @IsIn(PLAN_IDS)
  planId!: PlanId;

  /** Default: the subscription's own interval. */
  @IsOptional()
  @IsIn(PLAN_BILLING_INTERVALS)
  billingInterval?: PlanBillingInterval;

  /** `now`: Stripe prorates and invoices the difference at once; `period_end`: no proration, the new price from the next period. */
  @IsIn(PLAN_CHANGE_TIMINGS)
  when!: PlanChangeTiming;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PLAN_PRICE_CENTS)
  priceCents?: number;

  /** Only preview: Stripe's proration for the change (create_preview), nothing changed. */
  @IsOptional()
  @IsBoolean()
  preview?: boolean;

  /**
   * The instant the proration is computed for (default: Stripe's now): a
   * preview's `prorationDate` passed to the change makes it bill exactly
   * what was previewed.
   */
  @IsOptional()
  @IsISO8601({ strict: true })
  prorationDate?: string;
}

export class ProrationPreviewLineV1 {
  @IsString()
  description!: string;

  /** Minor units; negative for the credit of unused time. */
  @IsInt()
  amountCents!: number;

  @IsBoolean()
  proration!: boolean;
}

export class ChangePreviewV1 {
  /** What Stripe would invoice now for the change (the proration lines' sum). */
  @IsInt()
  prorationCents!: number;

  @Matches(/^[a-z]{3}$/)
  currency!: string;

  @ValidateNested({ each: true })
  @Type(() => ProrationPreviewLineV1)
  lines!: ProrationPreviewLineV1[];

  /** The instant the proration is computed for. */
  @IsISO8601({ strict: true })
  prorationDate!: string;
}

export class ChangeSubscriptionReplyV1 {
  @ValidateNested()
  @Type(() => SubscriptionV1)
  subscription!: SubscriptionV1;

  /** With `preview`: the proration Stripe would invoice; the subscription unchanged. */
  @IsOptional()
  @ValidateNested()
  @Type(() => ChangePreviewV1)
  preview!: ChangePreviewV1 | null;

  /** `now`: the Stripe invoice of the proration, when Stripe made one. */
  @IsOptional()
  @Matches(/^in_\w+$/)
  stripeInvoiceId!: string | null;
}

export class CancelSubscriptionRequestV1 extends SubscriptionRefV1 {
  @IsBoolean()
  atPeriodEnd!: boolean;
}

export class PauseSubscriptionRequestV1 extends SubscriptionRefV1 {
  /** When Stripe resumes collection by itself; absent: until resumed. */
  @IsOptional()
  @IsISO8601({ strict: true })
  resumesAt?: string;
}

export class EntitlementsRequestV1 {
  @IsCustomerId()
  customerId!: string;

  /** Default: the current calendar month (UTC). */
  @IsOptional()
  @Matches(BILLING_PERIOD_PATTERN, { message: 'billingPeriod must be YYYY-MM' })
  billingPeriod?: string;
}

export class EntitlementsV1 {
  @IsCustomerId()
  customerId!: string;

  @IsIn(PLAN_IDS)
  planId!: PlanId;

  @IsString()
  subscriptionId!: string;

  @Matches(BILLING_PERIOD_PATTERN)
  billingPeriod!: string;

  /** The hours product whose metered value is the hours used. */
  @IsString()
  hoursProductId!: string;

  /** null: unlimited. */
  @IsOptional()
  @Matches(HOURS_PATTERN)
  includedHours!: string | null;

  @Matches(HOURS_PATTERN)
  usedHours!: string;

  /** null: unlimited. */
  @IsOptional()
  @Matches(HOURS_PATTERN)
  remainingHours!: string | null;

  @Matches(HOURS_PATTERN)
  overageHours!: string;

  /** Minor units per overage hour; null when hours are unlimited. */
  @IsOptional()
  @IsInt()
  @Min(0)
  overagePriceCents!: number | null;

  @Matches(/^[a-z]{3}$/)
  currency!: string;

  /** Whether the plan's hours may be used now (see docs/subscriptions.md, "Entitlements"). */
  @IsBoolean()
  entitled!: boolean;

  /** Every usage event committed before this instant is in `usedHours`. */
  @IsISO8601({ strict: true })
  usageThrough!: string;

  /**
   * The customer's flags, e.g. `lost_dispute` (a dispute of the customer's
   * payment was lost; docs/subscriptions.md, "Lost disputes"); empty when
   * none. They do not change `entitled`. Additive: absent from a service
   * that predates it.
   */
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  customerFlags?: string[];
}

export class EntitlementsReplyV1 {
  @ValidateNested()
  @Type(() => EntitlementsV1)
  entitlements!: EntitlementsV1;
}

export class OverageTermsRequestV1 {
  @IsCustomerId()
  customerId!: string;

  @Matches(BILLING_PERIOD_PATTERN, { message: 'billingPeriod must be YYYY-MM' })
  billingPeriod!: string;
}

/**
 * How billing prices the hours product for a customer and period: the
 * included hours free, the rest at the overage price. None when the customer
 * had no plan subscription in the period.
 */
export class OverageTermsV1 {
  @IsString()
  hoursProductId!: string;

  @IsIn(PLAN_IDS)
  planId!: PlanId;

  @IsString()
  subscriptionId!: string;

  /** null: unlimited (nothing is overage). */
  @IsOptional()
  @IsInt()
  @Min(0)
  includedHours!: number | null;

  @IsOptional()
  @IsInt()
  @Min(0)
  overagePriceCents!: number | null;

  @Matches(/^[a-z]{3}$/)
  currency!: string;
}

export class OverageTermsReplyV1 {
  @IsOptional()
  @ValidateNested()
  @Type(() => OverageTermsV1)
  terms!: OverageTermsV1 | null;
}

export const SUBSCRIPTIONS_PLAN_LIST_V1 = defineRpcRoute({
  name: 'subscriptions.plan.list.v1',
  service: 'subscriptions',
  request: ListPlansRequestV1,
  reply: ListPlansReplyV1,
});

/** Starts a plan subscription at Stripe (the customer's default payment method, or a trial). */
export const SUBSCRIPTIONS_CREATE_V1 = defineRpcRoute({
  name: 'subscriptions.subscription.create.v1',
  service: 'subscriptions',
  request: CreateSubscriptionRequestV1,
  reply: SubscriptionReplyV1,
});

export const SUBSCRIPTIONS_GET_V1 = defineRpcRoute({
  name: 'subscriptions.subscription.get.v1',
  service: 'subscriptions',
  request: SubscriptionRefV1,
  reply: SubscriptionReplyV1,
});

/** The customer's live subscription (not canceled nor incomplete_expired); subscription_not_found when none. */
export const SUBSCRIPTIONS_LIVE_V1 = defineRpcRoute({
  name: 'subscriptions.subscription.live.v1',
  service: 'subscriptions',
  request: CustomerSubscriptionRequestV1,
  reply: SubscriptionReplyV1,
});

export const SUBSCRIPTIONS_CHANGE_V1 = defineRpcRoute({
  name: 'subscriptions.subscription.change.v1',
  service: 'subscriptions',
  request: ChangeSubscriptionRequestV1,
  reply: ChangeSubscriptionReplyV1,
});

export const SUBSCRIPTIONS_CANCEL_V1 = defineRpcRoute({
  name: 'subscriptions.subscription.cancel.v1',
  service: 'subscriptions',
  request: CancelSubscriptionRequestV1,
  reply: SubscriptionReplyV1,
});

/** Pauses Stripe's collection (`pause_collection`, behavior `void`): no invoice is charged until resumed. */
export const SUBSCRIPTIONS_PAUSE_V1 = defineRpcRoute({
  name: 'subscriptions.subscription.pause.v1',
  service: 'subscriptions',
  request: PauseSubscriptionRequestV1,
  reply: SubscriptionReplyV1,
});

/** Resumes collection, or a subscription Stripe paused (status `paused`) through `/resume`. */
export const SUBSCRIPTIONS_RESUME_V1 = defineRpcRoute({
  name: 'subscriptions.subscription.resume.v1',
  service: 'subscriptions',
  request: SubscriptionRefV1,
  reply: SubscriptionReplyV1,
});

export const SUBSCRIPTIONS_ENTITLEMENTS_V1 = defineRpcRoute({
  name: 'subscriptions.entitlements.get.v1',
  service: 'subscriptions',
  request: EntitlementsRequestV1,
  reply: EntitlementsReplyV1,
});

/** billing's question while pricing an invoice: how to price the customer's hours in the period. */
export const SUBSCRIPTIONS_OVERAGE_TERMS_V1 = defineRpcRoute({
  name: 'subscriptions.overage_terms.get.v1',
  service: 'subscriptions',
  request: OverageTermsRequestV1,
  reply: OverageTermsReplyV1,
});
