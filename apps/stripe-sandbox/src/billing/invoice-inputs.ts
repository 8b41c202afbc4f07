import type Stripe from 'stripe';

/** One subscription item's charge for a period, as a line of a subscription invoice. */
export interface SubscriptionLineInput {
  readonly subscriptionItem: Stripe.SubscriptionItem;
  readonly price: Stripe.Price;
  readonly quantity: number;
  readonly periodStart: number;
  readonly periodEnd: number;
}

export interface SubscriptionInvoiceInput {
  readonly subscription: Stripe.Subscription;
  readonly billingReason: 'subscription_create' | 'subscription_cycle' | 'subscription_update';
  readonly lines: readonly SubscriptionLineInput[];
  readonly periodStart: number;
  readonly periodEnd: number;
  /** The draft's `auto_advance` (default true; false for drafts kept while collection is paused). */
  readonly autoAdvance?: boolean;
}

export interface ProrationInput {
  readonly customer: string;
  readonly subscription: string;
  readonly subscriptionItem: string;
  readonly price: Stripe.Price;
  readonly quantity: number;
  /** Signed minor units: negative for unused time credited back. */
  readonly amount: number;
  readonly periodStart: number;
  readonly periodEnd: number;
  readonly description: string;
}

export interface PaymentAttemptOptions {
  /** The payment method to charge (an id or a test id such as `pm_card_visa`); default: the invoice's, subscription's or customer's default. */
  readonly paymentMethod?: string | null;
  /** After a failure: when the next automatic attempt happens (null: none); omitted keeps the current value. */
  readonly nextPaymentAttempt?: number | null;
}
