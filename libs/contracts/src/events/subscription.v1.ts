import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsUUID,
  Matches,
  Min,
} from 'class-validator';
import { IsCustomerId } from '../customer-id.js';

export const SUBSCRIPTION_CREATED_V1 = 'subscription.created.v1';
export const SUBSCRIPTION_UPDATED_V1 = 'subscription.updated.v1';
export const SUBSCRIPTION_ENDED_V1 = 'subscription.ended.v1';

export const SUBSCRIPTION_STATUSES = [
  'incomplete',
  'incomplete_expired',
  'trialing',
  'active',
  'past_due',
  'canceled',
  'unpaid',
  'paused',
] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** Stripe's `recurring.interval` of a price. */
export const SUBSCRIPTION_BILLING_INTERVALS = ['day', 'week', 'month', 'year'] as const;
export type SubscriptionBillingInterval = (typeof SUBSCRIPTION_BILLING_INTERVALS)[number];

/**
 * A subscription as the subscriptions service mirrors it after a change:
 * `created` when first recorded, `updated` after each change, `ended` when
 * it reached canceled or incomplete_expired.
 */
export class SubscriptionStateV1 {
  @IsUUID()
  subscriptionId!: string;

  @Matches(/^sub_\w+$/)
  stripeSubscriptionId!: string;

  /** The customer's one id (see CUSTOMER_ID_PATTERN). */
  @IsCustomerId()
  customerId!: string;

  @Matches(/^cus_\w+$/)
  stripeCustomerId!: string;

  @IsOptional()
  @Matches(/^price_\w+$/)
  priceId!: string | null;

  @IsOptional()
  @IsInt()
  @Min(0)
  quantity!: number | null;

  /** The price's amount per unit and interval, in minor units of `currency`. */
  @IsOptional()
  @IsInt()
  @Min(0)
  unitAmount!: number | null;

  @Matches(/^[a-z]{3}$/)
  currency!: string;

  @IsIn(SUBSCRIPTION_STATUSES)
  status!: SubscriptionStatus;

  @IsOptional()
  @IsIn(SUBSCRIPTION_STATUSES)
  previousStatus!: SubscriptionStatus | null;

  @IsOptional()
  @IsISO8601({ strict: true })
  currentPeriodStart!: string | null;

  @IsOptional()
  @IsISO8601({ strict: true })
  currentPeriodEnd!: string | null;

  /**
   * The price's billing interval and its count (Stripe's `recurring`): a
   * price of `unitAmount` every `billingIntervalCount` `billingInterval`s.
   * Absent from states published before it was added.
   */
  @IsOptional()
  @IsIn(SUBSCRIPTION_BILLING_INTERVALS)
  billingInterval?: SubscriptionBillingInterval | null;

  @IsOptional()
  @IsInt()
  @Min(1)
  billingIntervalCount?: number | null;

  @IsBoolean()
  cancelAtPeriodEnd!: boolean;

  @IsOptional()
  @IsISO8601({ strict: true })
  canceledAt!: string | null;

  @IsOptional()
  @IsISO8601({ strict: true })
  trialEnd!: string | null;

  @IsISO8601({ strict: true })
  updatedAt!: string;
}
