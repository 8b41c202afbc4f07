import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { PricesService } from '../catalog/prices.service.js';
import { idOf } from '../core/ids.js';
import { Params } from '../core/params.js';
import { invalidRequest, type StripeApiError } from '../core/stripe-error.js';
import { CustomersService } from '../customers/customers.service.js';
import { EventRecorder } from '../events/event-recorder.js';
import { PaymentMethodsService } from '../payment-methods/payment-methods.service.js';
import { PaymentsService } from '../payments/payments.service.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import type { CheckoutSessionPayment } from '../store/sandbox-objects.js';
import { SandboxStore } from '../store/sandbox-store.js';
import { SubscriptionsService } from '../subscriptions/subscriptions.service.js';
import { CheckoutLineItems } from './checkout-line-items.js';
import { paymentRecordIdOf } from './checkout-session-objects.js';

/** Card details as typed on the payment page, checked by the payment methods service. */
export interface CardEntry {
  readonly number: string;
  readonly expMonth: string;
  readonly expYear: string;
  readonly cvc: string;
}

/** What completes a session: a payment method (id or test id such as `pm_card_visa`) or a typed card. */
export type CheckoutPayment =
  | { readonly kind: 'payment_method'; readonly paymentMethod: string }
  | {
      readonly kind: 'card';
      readonly card: CardEntry;
      readonly email: string | null;
      readonly name: string | null;
    };

/**
 * Completing an open session with a payment: its customer, the payment
 * method, then the payment or the subscription.
 */
@Injectable()
export class CheckoutCompletion {
  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly events: EventRecorder,
    private readonly prices: PricesService,
    private readonly customers: CustomersService,
    private readonly paymentMethods: PaymentMethodsService,
    private readonly payments: PaymentsService,
    private readonly subscriptions: SubscriptionsService,
    private readonly lineItems: CheckoutLineItems,
  ) {}

  /** The attempt, inside the caller's store transaction; a decline is returned, not thrown. */
  attempt(
    id: string,
    payment: CheckoutPayment,
  ): { session: Stripe.Checkout.Session; decline: StripeApiError | null } {
    const session = this.store.get('checkout.session', id, 'checkout.session');
    if (session.status !== 'open') {
      throw invalidRequest(
        session.status === 'complete'
          ? 'This Checkout Session has already been completed.'
          : 'This Checkout Session has expired.',
      );
    }
    const record = this.store.get(
      'sandbox.checkout_session_payment',
      paymentRecordIdOf(id),
      'checkout.session',
    );
    const paymentMethod = this.paymentMethodOf(payment);
    const email =
      session.customer_email ??
      (payment.kind === 'card' ? payment.email : null) ??
      paymentMethod.billing_details.email;
    const name =
      (payment.kind === 'card' ? payment.name : null) ?? paymentMethod.billing_details.name;
    const customer = this.customerOf(session, record, email, name);
    const testClock = this.clock.testClockOfCustomer(customer?.id);
    const paymentIntentData = record.payment_intent_data;

    if (session.mode === 'subscription') {
      if (customer === null) throw new Error(`subscription-mode session ${id} has no customer`);
      this.paymentMethods.attachTo(paymentMethod, customer.id);
      const result = this.subscriptions.createForCheckout({
        customer: customer.id,
        items: this.lineItems.lineItemsOf(id).flatMap((line) =>
          line.price === null
            ? []
            : [
                {
                  price: this.prices.get(line.price.id, 'line_items'),
                  quantity: line.quantity ?? 1,
                },
              ],
        ),
        paymentMethod,
        trialPeriodDays: record.subscription_data.trial_period_days,
        metadata: record.subscription_data.metadata,
      });
      if (result.decline !== null) return { session, decline: result.decline };
      session.subscription = result.subscription.id;
      session.invoice = result.invoice.id;
      session.payment_status = result.invoice.amount_due === 0 ? 'no_payment_required' : 'paid';
    } else {
      const result = this.payments.pay({
        amount: session.amount_total ?? 0,
        currency: session.currency ?? 'usd',
        customer: customer?.id ?? null,
        paymentMethod,
        description: paymentIntentData.description,
        metadata: paymentIntentData.metadata,
        testClock,
      });
      if (result.decline !== null) return { session, decline: result.decline };
      // Checkout saves the card for later only when asked to (setup_future_usage).
      if (customer !== null && paymentIntentData.setup_future_usage !== null) {
        this.paymentMethods.attachTo(paymentMethod, customer.id);
      }
      session.payment_intent = result.paymentIntent.id;
      session.payment_status = 'paid';
    }

    session.status = 'complete';
    session.url = null;
    session.customer = customer?.id ?? null;
    session.customer_details = {
      address: paymentMethod.billing_details.address,
      business_name: null,
      email: customer?.email ?? email,
      individual_name: null,
      name: name ?? customer?.name ?? null,
      phone: customer?.phone ?? null,
      tax_exempt: customer?.tax_exempt ?? 'none',
      tax_ids: [],
    };
    session.collected_information = {
      business_name: null,
      individual_name: null,
      shipping_details: null,
    };
    this.events.record('checkout.session.completed', session, { testClock });
    return { session, decline: null };
  }

  private paymentMethodOf(payment: CheckoutPayment): Stripe.PaymentMethod {
    if (payment.kind === 'payment_method') {
      return this.paymentMethods.resolve(payment.paymentMethod, 'payment_method');
    }
    const billingDetails: Record<string, string> = {};
    if (payment.email !== null) billingDetails.email = payment.email;
    if (payment.name !== null) billingDetails.name = payment.name;
    return this.paymentMethods.create(
      Params.of({
        type: 'card',
        card: {
          number: payment.card.number,
          exp_month: payment.card.expMonth,
          exp_year: payment.card.expYear,
          cvc: payment.card.cvc,
        },
        billing_details: billingDetails,
      }),
    );
  }

  /**
   * The session's customer; else, when the session needs one, the customer
   * an earlier declined attempt created, or a new one (remembered for a retry).
   */
  private customerOf(
    session: Stripe.Checkout.Session,
    record: CheckoutSessionPayment,
    email: string | null,
    name: string | null,
  ): Stripe.Customer | null {
    const existing = idOf(session.customer) ?? record.customer;
    if (existing !== null) {
      const customer = this.store.find('customer', existing);
      if (customer !== undefined) return customer;
    }
    if (session.mode !== 'subscription' && session.customer_creation !== 'always') return null;
    const fields: Record<string, string> = {};
    if (email !== null) fields.email = email;
    if (name !== null) fields.name = name;
    const customer = this.customers.create(Params.of(fields));
    record.customer = customer.id;
    return customer;
  }
}
