import { ApiProperty } from '@nestjs/swagger';
import {
  PAUSE_BEHAVIORS,
  PLAN_BILLING_INTERVALS,
  PLAN_IDS,
  SUBSCRIPTION_STATUSES,
  type ChangePreviewResourceV1,
  type ChangePreviewV1,
  type ChangeSubscriptionReplyV1,
  type ChangeSubscriptionResultV1,
  type EntitlementsResourceV1,
  type EntitlementsV1,
  type ListV1,
  type PauseCollectionResourceV1,
  type PlanBillingIntervalV1,
  type PlanIdV1,
  type PlanPriceResourceV1,
  type PlanResourceV1,
  type PlanV1,
  type ProrationLineResourceV1,
  type SubscriptionResourceV1,
  type SubscriptionStatusV1,
  type SubscriptionV1,
} from '@aegis/contracts';
import { listOf } from '../http/list.js';

/*
 * The RPC replies' nullable fields are read `?? null`: a service that leaves
 * one out (JSON drops undefined) still gives the public object every key.
 */

const HOURS =
  'hours as exact decimal text (up to 12 decimal places, as usage values are), not a JSON number';

export class PlanPriceResource implements PlanPriceResourceV1 {
  @ApiProperty({ enum: PLAN_BILLING_INTERVALS }) billing_interval!: PlanBillingIntervalV1;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'minor units per interval; null for a custom plan',
  })
  price_cents!: number | null;
  @ApiProperty({ type: String, nullable: true, example: 'price_1Qx' })
  stripe_price_id!: string | null;
}

export class PlanResource implements PlanResourceV1 {
  @ApiProperty({ enum: PLAN_IDS }) id!: PlanIdV1;
  @ApiProperty({ example: 'Analyst' }) name!: string;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 199_900,
    description: 'the monthly price, minor units; null for a custom plan (principal)',
  })
  price_cents!: number | null;
  @ApiProperty({ enum: ['monthly'], description: 'the interval of price_cents' })
  billing_interval!: 'monthly';
  @ApiProperty({ type: Number, nullable: true }) yearly_price_cents!: number | null;
  @ApiProperty({ example: 'usd' }) currency!: string;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 80,
    description: 'hours included per calendar month; null: unlimited',
  })
  included_hours!: number | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'minor units per hour above the included ones; null when hours are unlimited',
  })
  overage_price_cents!: number | null;
  @ApiProperty({
    description:
      'each subscription names its own price (price_cents when it is created, admin key only)',
  })
  custom!: boolean;
  @ApiProperty({ type: [PlanPriceResource] }) prices!: PlanPriceResource[];
}

export class PlanList implements ListV1<PlanResource> {
  @ApiProperty({ enum: ['list'] }) object!: 'list';
  @ApiProperty({ type: [PlanResource] }) data!: PlanResource[];
  @ApiProperty({ description: 'always false: every plan is on the page' }) has_more!: boolean;
}

export class PauseCollectionResource implements PauseCollectionResourceV1 {
  @ApiProperty({ enum: PAUSE_BEHAVIORS }) behavior!: PauseCollectionResourceV1['behavior'];
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'when Stripe resumes collection by itself; null: until resumed',
  })
  resumes_at!: string | null;
}

export class SubscriptionResource implements SubscriptionResourceV1 {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'cust_abc123' }) customer_id!: string;
  @ApiProperty({
    enum: PLAN_IDS,
    nullable: true,
    description: 'null for a subscription made outside Aegis on a price that is no plan’s',
  })
  plan_id!: PlanIdV1 | null;
  @ApiProperty({ type: Number, nullable: true, description: 'minor units per interval' })
  price_cents!: number | null;
  @ApiProperty({ example: 'usd' }) currency!: string;
  @ApiProperty({ enum: PLAN_BILLING_INTERVALS, nullable: true })
  billing_interval!: PlanBillingIntervalV1 | null;
  @ApiProperty({ enum: SUBSCRIPTION_STATUSES, description: 'Stripe’s status' })
  status!: SubscriptionStatusV1;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  current_period_start!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  current_period_end!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) trial_start!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) trial_end!: string | null;
  @ApiProperty({ description: 'it ends at current_period_end' }) cancel_at_period_end!: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) cancel_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) canceled_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) ended_at!: string | null;
  @ApiProperty({
    type: PauseCollectionResource,
    nullable: true,
    description: 'set while Stripe’s collection is paused',
  })
  pause_collection!: PauseCollectionResource | null;
  @ApiProperty({ example: 'sub_1Qx' }) stripe_subscription_id!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export class ProrationLineResource implements ProrationLineResourceV1 {
  @ApiProperty() description!: string;
  @ApiProperty({ description: 'minor units; negative for the credit of unused time' })
  amount_cents!: number;
  @ApiProperty() proration!: boolean;
}

export class ChangePreviewResource implements ChangePreviewResourceV1 {
  @ApiProperty({ description: 'what Stripe would invoice now for the change, minor units' })
  proration_cents!: number;
  @ApiProperty({ example: 'usd' }) currency!: string;
  @ApiProperty({ format: 'date-time', description: 'the instant the proration is computed for' })
  proration_date!: string;
  @ApiProperty({ type: [ProrationLineResource] }) lines!: ProrationLineResource[];
}

export class ChangeSubscriptionResult implements ChangeSubscriptionResultV1 {
  @ApiProperty({
    type: SubscriptionResource,
    description: 'after the change; with preview, unchanged',
  })
  subscription!: SubscriptionResource;
  @ApiProperty({
    type: ChangePreviewResource,
    nullable: true,
    description: 'with preview: the proration Stripe would invoice; otherwise null',
  })
  preview!: ChangePreviewResource | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'when=now: Stripe’s invoice of the proration, when it made one',
  })
  stripe_invoice_id!: string | null;
}

export class EntitlementsResource implements EntitlementsResourceV1 {
  @ApiProperty({ example: 'cust_abc123' }) customer_id!: string;
  @ApiProperty({ enum: PLAN_IDS }) plan_id!: PlanIdV1;
  @ApiProperty({ format: 'uuid' }) subscription_id!: string;
  @ApiProperty({ example: '2026-03' }) billing_period!: string;
  @ApiProperty({ description: 'the usage product whose value is the hours used' })
  hours_product_id!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '80',
    description: `${HOURS}; null: unlimited`,
  })
  included_hours!: string | null;
  @ApiProperty({ example: '12.5', description: HOURS }) used_hours!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '67.5',
    description: `${HOURS}; never below 0; null: unlimited`,
  })
  remaining_hours!: string | null;
  @ApiProperty({ example: '0', description: `${HOURS}: the hours above the included ones` })
  overage_hours!: string;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'minor units per overage hour; null when hours are unlimited',
  })
  overage_price_cents!: number | null;
  @ApiProperty({ example: 'usd' }) currency!: string;
  @ApiProperty({ description: 'whether the plan’s hours may be used now' }) entitled!: boolean;
  @ApiProperty({
    format: 'date-time',
    description: 'every usage event committed before this instant is in used_hours',
  })
  usage_through!: string;
}

export function planResourceOf(plan: PlanV1): PlanResourceV1 {
  return {
    id: plan.id,
    name: plan.name,
    price_cents: plan.priceCents ?? null,
    billing_interval: 'monthly',
    yearly_price_cents: plan.yearlyPriceCents ?? null,
    currency: plan.currency,
    included_hours: plan.includedHours ?? null,
    overage_price_cents: plan.overagePriceCents ?? null,
    custom: plan.custom,
    prices: plan.prices.map((price) => ({
      billing_interval: price.billingInterval,
      price_cents: price.priceCents ?? null,
      stripe_price_id: price.stripePriceId ?? null,
    })),
  };
}

/** Every plan, in the service's order (one page: there are four). */
export function planListOf(plans: readonly PlanV1[]): ListV1<PlanResourceV1> {
  return listOf(plans.map(planResourceOf), false);
}

export function subscriptionResourceOf(subscription: SubscriptionV1): SubscriptionResourceV1 {
  const pause = subscription.pauseCollection ?? null;
  return {
    id: subscription.id,
    customer_id: subscription.customerId,
    plan_id: subscription.planId ?? null,
    price_cents: subscription.priceCents ?? null,
    currency: subscription.currency,
    billing_interval: subscription.billingInterval ?? null,
    status: subscription.status,
    current_period_start: subscription.currentPeriodStart ?? null,
    current_period_end: subscription.currentPeriodEnd ?? null,
    trial_start: subscription.trialStart ?? null,
    trial_end: subscription.trialEnd ?? null,
    cancel_at_period_end: subscription.cancelAtPeriodEnd,
    cancel_at: subscription.cancelAt ?? null,
    canceled_at: subscription.canceledAt ?? null,
    ended_at: subscription.endedAt ?? null,
    pause_collection:
      pause === null ? null : { behavior: pause.behavior, resumes_at: pause.resumesAt ?? null },
    stripe_subscription_id: subscription.stripeSubscriptionId,
    created_at: subscription.createdAt,
    updated_at: subscription.updatedAt,
  };
}

function previewResourceOf(preview: ChangePreviewV1): ChangePreviewResourceV1 {
  return {
    proration_cents: preview.prorationCents,
    currency: preview.currency,
    proration_date: preview.prorationDate,
    lines: preview.lines.map((line) => ({
      description: line.description,
      amount_cents: line.amountCents,
      proration: line.proration,
    })),
  };
}

export function changeResultOf(reply: ChangeSubscriptionReplyV1): ChangeSubscriptionResultV1 {
  const preview = reply.preview ?? null;
  return {
    subscription: subscriptionResourceOf(reply.subscription),
    preview: preview === null ? null : previewResourceOf(preview),
    stripe_invoice_id: reply.stripeInvoiceId ?? null,
  };
}

export function entitlementsResourceOf(entitlements: EntitlementsV1): EntitlementsResourceV1 {
  return {
    customer_id: entitlements.customerId,
    plan_id: entitlements.planId,
    subscription_id: entitlements.subscriptionId,
    billing_period: entitlements.billingPeriod,
    hours_product_id: entitlements.hoursProductId,
    included_hours: entitlements.includedHours ?? null,
    used_hours: entitlements.usedHours,
    remaining_hours: entitlements.remainingHours ?? null,
    overage_hours: entitlements.overageHours,
    overage_price_cents: entitlements.overagePriceCents ?? null,
    currency: entitlements.currency,
    entitled: entitlements.entitled,
    usage_through: entitlements.usageThrough,
  };
}
