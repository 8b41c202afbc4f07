import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import type { StripeApiError } from '../core/stripe-error.js';

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

/** STUB: the invoices work completes this service (and the invoice and invoice item APIs). */
@Injectable()
export class InvoicesService {
  /**
   * Creates a draft subscription invoice with a line per input line plus the
   * subscription's pending invoice items (prorations). Call inside a store
   * transaction.
   */
  createSubscriptionInvoice(_input: SubscriptionInvoiceInput): Stripe.Invoice {
    throw new Error('not implemented yet');
  }

  /** Finalizes a draft invoice (number, status open, events). Inside a store transaction. */
  finalize(_invoice: Stripe.Invoice): void {
    throw new Error('not implemented yet');
  }

  /**
   * Attempts to pay an open invoice with the given payment method, else the
   * subscription's or customer's default. Paid: status paid and its events.
   * Declined: attempt_count and next_payment_attempt updated,
   * invoice.payment_failed, and the 402 error returned for the caller to
   * throw after its transaction commits (or to ignore, off session).
   * Inside a store transaction.
   */
  attemptPayment(
    _invoice: Stripe.Invoice,
    _options: { paymentMethod?: string | null; nextPaymentAttempt?: number | null } = {},
  ): StripeApiError | null {
    throw new Error('not implemented yet');
  }

  /** Creates a pending proration invoice item of a subscription. Inside a store transaction. */
  createProration(_input: ProrationInput): Stripe.InvoiceItem {
    throw new Error('not implemented yet');
  }
}
