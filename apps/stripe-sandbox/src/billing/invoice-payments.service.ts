import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { idOf } from '../core/ids.js';
import { invalidRequest, type StripeApiError } from '../core/stripe-error.js';
import { EventRecorder } from '../events/event-recorder.js';
import { PaymentMethodsService } from '../payment-methods/payment-methods.service.js';
import { PaymentsService } from '../payments/payments.service.js';
import { newId } from '../store/ids.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore } from '../store/sandbox-store.js';
import type { PaymentAttemptOptions } from './invoice-inputs.js';
import { customerOf, paymentsOf, subscriptionOf, testClockOf } from './invoice-refs.js';
import { forgetRetries, scheduleRetries } from './invoice-retry-records.js';

function noPaymentMethodError(): StripeApiError {
  return invalidRequest(
    'This customer has no attached payment source or default payment method. Please consider adding a default payment method. For more information, visit https://docs.stripe.com/billing/subscriptions/payment-methods-setting#payment-method-priority.',
  );
}

/** The description Stripe gives the payment of an invoice. */
function paymentDescription(invoice: Stripe.Invoice): string {
  if (invoice.billing_reason === 'subscription_create') return 'Subscription creation';
  if (
    invoice.billing_reason === 'subscription_cycle' ||
    invoice.billing_reason === 'subscription_update'
  ) {
    return 'Subscription update';
  }
  return 'Payment for Invoice';
}

/**
 * Paying invoices: each attempt goes through PaymentsService and is recorded
 * as an `invoice_payment` in the invoice's `payments`; a paid invoice gets its
 * status, events and the paid listeners run.
 */
@Injectable()
export class InvoicePaymentsService {
  private readonly paidListeners: ((invoice: Stripe.Invoice) => void)[] = [];

  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly events: EventRecorder,
    private readonly payments: PaymentsService,
    private readonly paymentMethods: PaymentMethodsService,
  ) {}

  /**
   * Attempts, automatically (the sandbox's own collection or retries), to
   * pay an open (or uncollectible) invoice with the given payment method,
   * else the invoice's, the subscription's or the customer's default. Paid:
   * status paid and its events. Declined (or no payment method):
   * attempt_count and next_payment_attempt updated, invoice.payment_failed,
   * and the error returned for the caller to throw after its transaction
   * commits (or to ignore, off session). An invoice in another status is
   * left alone (null). Inside a store transaction.
   */
  attemptPayment(
    invoice: Stripe.Invoice,
    options: PaymentAttemptOptions = {},
  ): StripeApiError | null {
    return this.store.transaction(() => {
      if (invoice.status !== 'open' && invoice.status !== 'uncollectible') return null;
      const paymentMethod = this.paymentMethodFor(invoice, options.paymentMethod ?? undefined);
      return this.attemptWith(invoice, paymentMethod, options, 'automatic');
    });
  }

  /**
   * The attempt `POST /v1/invoices/:id/pay` makes: with no payment method to
   * use, the error is thrown at once; a decline is returned. Inside a store
   * transaction.
   */
  attemptRequested(
    invoice: Stripe.Invoice,
    paymentMethodParam: string | undefined,
  ): StripeApiError | null {
    const paymentMethod = this.paymentMethodFor(invoice, paymentMethodParam);
    if (paymentMethod === null) throw noPaymentMethodError();
    return this.attemptWith(invoice, paymentMethod, {}, 'manual');
  }

  /**
   * One payment attempt. As Stripe counts `attempt_count` "from the
   * perspective of the payment retry schedule", any first attempt counts,
   * and after it only automatic ones: a manual `pay` that follows changes
   * neither the count nor the schedule.
   */
  private attemptWith(
    invoice: Stripe.Invoice,
    paymentMethod: Stripe.PaymentMethod | null,
    options: PaymentAttemptOptions,
    kind: 'automatic' | 'manual',
  ): StripeApiError | null {
    const customer = customerOf(invoice);
    const now = this.clock.nowForCustomer(customer);
    const testClock = testClockOf(invoice);
    if (kind === 'automatic' || invoice.attempt_count === 0) invoice.attempt_count += 1;
    invoice.attempted = true;
    if (paymentMethod === null) {
      // Stripe does not retry a payment no payment method was there for.
      this.recordFailure(invoice, options, { retryable: false, now });
      return noPaymentMethodError();
    }
    const amount = invoice.amount_remaining;
    const result = this.payments.pay({
      amount,
      currency: invoice.currency,
      customer,
      paymentMethod,
      description: paymentDescription(invoice),
      metadata: {},
      testClock,
    });
    const payments = paymentsOf(invoice);
    for (const earlier of payments.data) {
      if (earlier.status === 'open') {
        earlier.status = 'canceled';
        earlier.is_default = false;
        earlier.status_transitions.canceled_at = now;
      }
    }
    const paid = result.decline === null;
    const payment: Stripe.InvoicePayment = {
      id: newId('inpay'),
      object: 'invoice_payment',
      amount_paid: paid ? amount : null,
      amount_requested: amount,
      created: now,
      currency: invoice.currency,
      invoice: invoice.id,
      is_default: true,
      livemode: false,
      payment: { type: 'payment_intent', payment_intent: result.paymentIntent.id },
      status: paid ? 'paid' : 'open',
      status_transitions: { canceled_at: null, paid_at: paid ? now : null },
    };
    payments.data.unshift(payment);
    const clientSecret = result.paymentIntent.client_secret;
    invoice.confirmation_secret =
      clientSecret === null ? null : { client_secret: clientSecret, type: 'payment_intent' };
    if (result.decline !== null) {
      this.recordFailure(invoice, options, { retryable: true, now });
      return result.decline;
    }
    invoice.amount_paid += amount;
    this.events.record('invoice_payment.paid', payment, { testClock });
    this.markPaid(invoice, now);
    return null;
  }

  /**
   * A failed attempt: the caller's `nextPaymentAttempt` (a subscription's
   * dunning, a retry), else for a one-off invoice its own retry schedule
   * (see scheduleRetries), then `invoice.payment_failed`. A subscription
   * invoice paid by hand keeps the `next_payment_attempt` its dunning set.
   */
  private recordFailure(
    invoice: Stripe.Invoice,
    options: PaymentAttemptOptions,
    failure: { readonly retryable: boolean; readonly now: number },
  ): void {
    if (options.nextPaymentAttempt !== undefined) {
      invoice.next_payment_attempt = options.nextPaymentAttempt;
    } else if (subscriptionOf(invoice) === null) {
      invoice.next_payment_attempt = failure.retryable
        ? scheduleRetries(this.store, invoice, failure.now)
        : null;
    }
    this.events.record('invoice.payment_failed', invoice, {
      testClock: testClockOf(invoice),
    });
  }

  /**
   * Runs `listener` in the paying transaction whenever an invoice becomes
   * paid, however it got paid (subscriptions become active again through it).
   */
  onPaid(listener: (invoice: Stripe.Invoice) => void): void {
    this.paidListeners.push(listener);
  }

  /** Marks the invoice paid at `now` with its events. Inside a store transaction. */
  markPaid(invoice: Stripe.Invoice, now: number): void {
    invoice.status = 'paid';
    invoice.attempted = true;
    invoice.auto_advance = false;
    invoice.next_payment_attempt = null;
    invoice.amount_remaining = 0;
    invoice.status_transitions.paid_at = now;
    forgetRetries(this.store, invoice.id);
    const testClock = testClockOf(invoice);
    this.events.record('invoice.paid', invoice, { testClock });
    this.events.record('invoice.payment_succeeded', invoice, { testClock });
    for (const listener of this.paidListeners) listener(invoice);
  }

  /** The payment method a payment of the invoice uses, or null when there is none. */
  private paymentMethodFor(
    invoice: Stripe.Invoice,
    explicit: string | undefined,
  ): Stripe.PaymentMethod | null {
    const customer = customerOf(invoice);
    if (explicit !== undefined) {
      const paymentMethod = this.paymentMethods.resolve(explicit, 'payment_method');
      if (paymentMethod.customer !== null && idOf(paymentMethod.customer) !== customer) {
        throw invalidRequest(
          `The payment method ${paymentMethod.id} belongs to another customer than ${customer}.`,
          'payment_method',
        );
      }
      return paymentMethod;
    }
    const subscriptionId = subscriptionOf(invoice);
    const subscription =
      subscriptionId === null ? undefined : this.store.find('subscription', subscriptionId);
    const candidates = [
      invoice.default_payment_method,
      subscription?.default_payment_method ?? null,
      this.store.find('customer', customer)?.invoice_settings.default_payment_method ?? null,
    ];
    for (const candidate of candidates) {
      if (candidate === null) continue;
      const paymentMethod = this.store.find('payment_method', idOf(candidate));
      if (paymentMethod !== undefined) return paymentMethod;
    }
    return null;
  }

  /** Every invoice payment, newest first. */
  listPayments(): Stripe.InvoicePayment[] {
    return this.store
      .list('invoice')
      .flatMap((invoice) => paymentsOf(invoice).data)
      .sort((a, b) => b.created - a.created);
  }
}
