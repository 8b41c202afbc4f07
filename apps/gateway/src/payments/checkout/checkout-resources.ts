import { ApiProperty } from '@nestjs/swagger';
import {
  CHECKOUT_MODES,
  CHECKOUT_STATUSES,
  PLAN_BILLING_INTERVALS,
  type CheckoutModeV1,
  type PlanBillingIntervalV1,
  type CheckoutSessionResourceV1,
  type CheckoutSessionV1,
  type CheckoutStatusV1,
} from '@aegis/contracts';

export class CheckoutSessionResource implements CheckoutSessionResourceV1 {
  @ApiProperty({ example: 'chk_3kTq9xYbZ2sLm0pA' }) id!: string;
  @ApiProperty({ enum: ['checkout_session'] }) object!: 'checkout_session';
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Stripe’s hosted payment page; null once complete or expired',
  })
  url!: string | null;
  @ApiProperty({ format: 'date-time' }) expires_at!: string;
  @ApiProperty() customer_id!: string;
  @ApiProperty({ enum: CHECKOUT_MODES }) mode!: CheckoutModeV1;
  @ApiProperty({ type: String, nullable: true }) product_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) plan_id!: string | null;
  @ApiProperty({
    enum: PLAN_BILLING_INTERVALS,
    nullable: true,
    description: 'a plan checkout’s interval; null otherwise',
  })
  billing_interval!: PlanBillingIntervalV1 | null;
  @ApiProperty({ description: 'what is bought: the product’s name' }) name!: string;
  @ApiProperty() quantity!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'minor units, as Stripe totals it' })
  amount_total!: number | null;
  @ApiProperty({ example: 'usd' }) currency!: string;
  @ApiProperty({
    enum: CHECKOUT_STATUSES,
    description:
      'open until paid or expired; processing: completed, the payment on its way; paid; payment_failed; expired',
  })
  status!: CheckoutStatusV1;
  @ApiProperty() stripe_checkout_session_id!: string;
  @ApiProperty() stripe_price_id!: string;
  @ApiProperty() success_url!: string;
  @ApiProperty() cancel_url!: string;
  @ApiProperty({ type: String, nullable: true }) stripe_payment_intent_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) stripe_subscription_id!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'the ledger’s transaction of the latest payment attempt',
  })
  transaction_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) transaction_status!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) completed_at!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export function checkoutResourceOf(checkout: CheckoutSessionV1): CheckoutSessionResourceV1 {
  return {
    id: checkout.id,
    object: 'checkout_session',
    url: checkout.url,
    expires_at: checkout.expiresAt,
    customer_id: checkout.customerId,
    mode: checkout.mode,
    product_id: checkout.productId,
    plan_id: checkout.planId,
    billing_interval: checkout.billingInterval ?? null,
    name: checkout.name,
    quantity: checkout.quantity,
    amount_total: checkout.amountTotal,
    currency: checkout.currency,
    status: checkout.status,
    stripe_checkout_session_id: checkout.stripeCheckoutSessionId,
    stripe_price_id: checkout.stripePriceId,
    success_url: checkout.successUrl,
    cancel_url: checkout.cancelUrl,
    stripe_payment_intent_id: checkout.stripePaymentIntentId,
    stripe_subscription_id: checkout.stripeSubscriptionId,
    transaction_id: checkout.transactionId,
    transaction_status: checkout.transactionStatus,
    completed_at: checkout.completedAt,
    created_at: checkout.createdAt,
  };
}
