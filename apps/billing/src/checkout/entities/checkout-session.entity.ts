import type { CheckoutMode, CheckoutStatus, PlanBillingInterval } from '@aegis/contracts';
import { exactBigint } from '@aegis/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One checkout: the Stripe Checkout Session we made, what it sells and how far it got. */
@Entity({ name: 'checkout_sessions' })
export class CheckoutSession {
  /** `chk_` and 96 random bits: also the session's idempotency key (`aegis-checkout-<id>`). */
  @PrimaryColumn({ name: 'checkout_id', type: 'text' })
  checkoutId!: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ type: 'text' })
  mode!: CheckoutMode;

  @Column({ name: 'product_id', type: 'text', nullable: true })
  productId!: string | null;

  @Column({ name: 'plan_id', type: 'text', nullable: true })
  planId!: string | null;

  /** A plan of the subscriptions service: the interval of its Stripe Price. */
  @Column({ name: 'billing_interval', type: 'text', nullable: true })
  billingInterval!: PlanBillingInterval | null;

  /** The catalogue's version sold; null for a plan of the subscriptions service. */
  @Column({ name: 'pricing_version_id', type: 'text', nullable: true })
  pricingVersionId!: string | null;

  @Column({ name: 'stripe_price_id', type: 'text' })
  stripePriceId!: string;

  /** The product's name when the checkout was made: what the pages say was bought. */
  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'integer' })
  quantity!: number;

  @Column({
    name: 'amount_total_cents',
    type: 'bigint',
    nullable: true,
    transformer: exactBigint,
  })
  amountTotal!: number | null;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ type: 'text' })
  status!: CheckoutStatus;

  @Column({ name: 'stripe_checkout_session_id', type: 'text', unique: true })
  stripeCheckoutSessionId!: string;

  @Column({ type: 'text', nullable: true })
  url!: string | null;

  @Column({ name: 'success_url', type: 'text' })
  successUrl!: string;

  @Column({ name: 'cancel_url', type: 'text' })
  cancelUrl!: string;

  @Column({ name: 'stripe_payment_intent_id', type: 'text', nullable: true })
  stripePaymentIntentId!: string | null;

  @Column({ name: 'stripe_subscription_id', type: 'text', nullable: true })
  stripeSubscriptionId!: string | null;

  @Column({ name: 'stripe_invoice_id', type: 'text', nullable: true })
  stripeInvoiceId!: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  /** The newest `checkout.session.*` event `created` applied: the convergence stamp. */
  @Column({ name: 'last_event_created', type: 'timestamptz', nullable: true })
  lastEventCreated!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
