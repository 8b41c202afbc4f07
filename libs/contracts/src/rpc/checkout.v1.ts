import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsProductId } from '../catalog.js';
import { IsCustomerId } from '../customer-id.js';
import { defineRpcRoute } from './rpc-route.js';
import { PLAN_BILLING_INTERVALS, type PlanBillingInterval } from './subscriptions.v1.js';

/**
 * billing's checkouts over RPC (docs/checkout.md): one Stripe Checkout
 * Session each, made with the idempotency key `aegis-checkout-<id>`, and the
 * row that follows the session's `checkout.session.*` events. Expected
 * failures: `customer_not_found`, `product_not_found`, `plan_not_found` and
 * `checkout_not_found` (404), `invalid_checkout` (400, with the fields at
 * fault), `product_archived`, `no_pricing` and `subscription_exists` (409: a
 * plan checkout for a customer with a live subscription), and Stripe's
 * refusals (502) or absence (503); a plan checkout also asks the
 * subscriptions service, whose absence is 503/504.
 */

/** `payment`: a quantity of an outcome product, paid once; `subscription`: a recurring price. */
export const CHECKOUT_MODES = ['payment', 'subscription'] as const;
export type CheckoutMode = (typeof CHECKOUT_MODES)[number];

/**
 * Ours, from the session's events: `open` until paid or expired at Stripe;
 * `processing` when completed with the payment still on its way (an async
 * payment method); `paid` (also when nothing was due); `payment_failed` when
 * that async payment failed; `expired`.
 */
export const CHECKOUT_STATUSES = [
  'open',
  'processing',
  'paid',
  'payment_failed',
  'expired',
] as const;
export type CheckoutStatus = (typeof CHECKOUT_STATUSES)[number];

/** Ours: `chk_` and 96 random bits, base64url. */
export const CHECKOUT_ID_PATTERN = /^chk_[A-Za-z0-9_-]{16}$/;
/** Stripe's Checkout Session ids (`cs_test_…`, `cs_live_…`). */
export const STRIPE_CHECKOUT_SESSION_ID_PATTERN = /^cs_[A-Za-z0-9_]{1,250}$/;

/** The largest quantity one checkout line may have (Stripe's own limit). */
export const MAX_CHECKOUT_QUANTITY = 999_999;

/** An absolute http(s) URL without white space (the caller checks its host). */
const HTTP_URL_PATTERN = /^https?:\/\/\S+$/;

export class CheckoutSessionV1 {
  @Matches(CHECKOUT_ID_PATTERN)
  id!: string;

  @IsCustomerId()
  customerId!: string;

  @IsIn(CHECKOUT_MODES)
  mode!: CheckoutMode;

  /** `payment`: the outcome product bought. */
  @IsOptional()
  @IsProductId()
  productId!: string | null;

  /** `subscription`: the plan as it was named (a plan of the subscriptions service, a catalogue product or a Stripe Price id). */
  @IsOptional()
  @IsString()
  planId!: string | null;

  /** A plan of the subscriptions service: the interval of its Stripe Price the session bills. */
  @IsOptional()
  @IsIn(PLAN_BILLING_INTERVALS)
  billingInterval?: PlanBillingInterval | null;

  /** The pricing version whose Stripe Price the session bills; null for a plan of the subscriptions service. */
  @IsOptional()
  @IsString()
  pricingVersionId!: string | null;

  @IsString()
  stripePriceId!: string;

  /** What was bought, as the pages show it: the product's name. */
  @IsString()
  name!: string;

  @IsInt()
  @Min(1)
  quantity!: number;

  /** Minor units of `currency`, as Stripe totals the session (null when Stripe did not say). */
  @IsOptional()
  @IsInt()
  @Min(0)
  amountTotal!: number | null;

  @IsString()
  currency!: string;

  @IsIn(CHECKOUT_STATUSES)
  status!: CheckoutStatus;

  @Matches(STRIPE_CHECKOUT_SESSION_ID_PATTERN)
  stripeCheckoutSessionId!: string;

  /** Stripe's hosted page; null once the session is complete or expired. */
  @IsOptional()
  @IsString()
  url!: string | null;

  @IsString()
  successUrl!: string;

  @IsString()
  cancelUrl!: string;

  @IsOptional()
  @IsString()
  stripePaymentIntentId!: string | null;

  @IsOptional()
  @IsString()
  stripeSubscriptionId!: string | null;

  @IsOptional()
  @IsString()
  stripeInvoiceId!: string | null;

  /** The ledger's transaction of the checkout's latest payment attempt, once it has one. */
  @IsOptional()
  @IsString()
  transactionId!: string | null;

  @IsOptional()
  @IsString()
  transactionStatus!: string | null;

  @IsISO8601({ strict: true })
  expiresAt!: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  completedAt!: string | null;

  @IsISO8601({ strict: true })
  createdAt!: string;
}

export class CreateCheckoutRequestV1 {
  @IsCustomerId()
  customerId!: string;

  @IsIn(CHECKOUT_MODES)
  mode!: CheckoutMode;

  @IsOptional()
  @IsProductId()
  productId?: string;

  /** A plan id (`isPlanId`: junior, analyst, lead; principal is refused), or a recurring catalogue product or Stripe Price id. */
  @IsOptional()
  @IsString()
  planId?: string;

  /** With a plan id: which of its Stripe Prices (default monthly). */
  @IsOptional()
  @IsIn(PLAN_BILLING_INTERVALS)
  billingInterval?: PlanBillingInterval;

  /** Default 1. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_CHECKOUT_QUANTITY)
  quantity?: number;

  /** Resolved and checked by the caller (the gateway's allowed hosts); Stripe's placeholders kept. */
  @Matches(HTTP_URL_PATTERN, { message: 'successUrl must be an http(s) URL' })
  successUrl!: string;

  @Matches(HTTP_URL_PATTERN, { message: 'cancelUrl must be an http(s) URL' })
  cancelUrl!: string;
}

export class CheckoutReplyV1 {
  @ValidateNested()
  @Type(() => CheckoutSessionV1)
  checkout!: CheckoutSessionV1;
}

export class CheckoutRefV1 {
  @Matches(CHECKOUT_ID_PATTERN, { message: 'checkoutId must be a checkout id (chk_…)' })
  checkoutId!: string;

  /** With a customer key: the caller's customer; another's checkout is not found. */
  @IsOptional()
  @IsCustomerId()
  customerId?: string;
}

export class CheckoutByStripeSessionRequestV1 {
  @Matches(STRIPE_CHECKOUT_SESSION_ID_PATTERN, {
    message: 'stripeCheckoutSessionId must be a Checkout Session id (cs_…)',
  })
  stripeCheckoutSessionId!: string;
}

/**
 * What the keyless success page may show of a checkout: what was bought and
 * how far its payment got, nothing of the customer.
 */
export class CheckoutPublicViewV1 {
  @IsIn(CHECKOUT_MODES)
  mode!: CheckoutMode;

  @IsString()
  name!: string;

  @IsInt()
  @Min(1)
  quantity!: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  amountTotal!: number | null;

  @IsString()
  currency!: string;

  @IsIn(CHECKOUT_STATUSES)
  status!: CheckoutStatus;
}

export class CheckoutPublicViewReplyV1 {
  @ValidateNested()
  @Type(() => CheckoutPublicViewV1)
  view!: CheckoutPublicViewV1;
}

/** Makes a checkout and its Stripe Checkout Session. */
export const BILLING_CHECKOUT_CREATE_V1 = defineRpcRoute({
  name: 'billing.checkout.create.v1',
  service: 'billing',
  request: CreateCheckoutRequestV1,
  reply: CheckoutReplyV1,
});

export const BILLING_CHECKOUT_GET_V1 = defineRpcRoute({
  name: 'billing.checkout.get.v1',
  service: 'billing',
  request: CheckoutRefV1,
  reply: CheckoutReplyV1,
});

/** The success page's view of the checkout whose Stripe session id it was given. */
export const BILLING_CHECKOUT_PUBLIC_VIEW_V1 = defineRpcRoute({
  name: 'billing.checkout.public_view.v1',
  service: 'billing',
  request: CheckoutByStripeSessionRequestV1,
  reply: CheckoutPublicViewReplyV1,
});
