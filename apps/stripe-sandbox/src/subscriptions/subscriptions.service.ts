import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import type { StripeApiError } from '../core/stripe-error.js';

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

/** STUB: the subscriptions work completes this service (and the subscription and test clock APIs). */
@Injectable()
export class SubscriptionsService {
  /**
   * Starts a subscription the way a completed checkout session does: the
   * payment method becomes the subscription's default, the first invoice is
   * paid at once (or a trial starts). Inside a store transaction.
   */
  createForCheckout(_input: CheckoutSubscriptionInput): CheckoutSubscriptionResult {
    throw new Error('not implemented yet');
  }
}
