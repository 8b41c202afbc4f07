import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { StripeApiError, invalidRequest } from '../core/stripe-error.js';
import { EventRecorder } from '../events/event-recorder.js';
import { PaymentMethodsService } from '../payment-methods/payment-methods.service.js';
import { DECLINE_MESSAGES } from '../payment-methods/test-cards.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore, snapshot } from '../store/sandbox-store.js';
import { CARD_DECLINED_DOC_URL } from './card-charges.js';
import { ChargesService } from './charges.service.js';
import { idOf } from '../core/ids.js';
import { CONFIRMABLE, unexpectedState } from './payment-intent-states.js';

/** What a confirmation may change before it pays. */
export interface ConfirmOptions {
  readonly paymentMethod: string | undefined;
  readonly returnUrl: string | undefined;
  readonly receiptEmail: string | null | undefined;
  readonly setupFutureUsage: Stripe.PaymentIntent.SetupFutureUsage | null | undefined;
}

const RETURN_URL_REQUIRED =
  'A `return_url` must be specified because this Payment Intent is configured to automatically accept the payment methods enabled in the Dashboard, some of which may require a full page redirect to succeed. If you do not want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents.';

/**
 * Paying a payment intent: confirmation's checks, the payment method's
 * usability, and each payment attempt with its charge and events.
 */
@Injectable()
export class PaymentIntentAttempts {
  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly events: EventRecorder,
    private readonly charges: ChargesService,
    private readonly paymentMethods: PaymentMethodsService,
  ) {}

  /** Stripe refuses a payment method saved to another customer, or a used unsaved one. */
  checkUsable(
    paymentMethod: Stripe.PaymentMethod,
    paymentIntent: Stripe.PaymentIntent,
    param: string,
  ): void {
    const owner = idOf(paymentMethod.customer);
    const customer = idOf(paymentIntent.customer);
    if (owner !== null && owner !== customer) {
      throw invalidRequest(
        customer === null
          ? `The provided PaymentMethod ${paymentMethod.id} is attached to a Customer. Pass that Customer's ID as the \`customer\` of this PaymentIntent to use it.`
          : `The provided PaymentMethod ${paymentMethod.id} belongs to another Customer than ${customer}, the customer of this PaymentIntent.`,
        param,
      );
    }
    const used = this.store.list(
      'charge',
      (charge) => charge.payment_method === paymentMethod.id && charge.status === 'succeeded',
    );
    if (owner === null && used.length > 0) {
      throw invalidRequest(
        'The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must attach it to a Customer first.',
        param,
      );
    }
  }

  /** Confirms `paymentIntent` with `options`: the decline to throw after commit, or null. Inside a store transaction. */
  confirmInTransaction(
    paymentIntent: Stripe.PaymentIntent,
    options: ConfirmOptions,
  ): StripeApiError | null {
    if (!CONFIRMABLE.includes(paymentIntent.status)) {
      throw unexpectedState(
        paymentIntent.status === 'succeeded'
          ? 'You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed.'
          : `You cannot confirm this PaymentIntent because it has a status of ${paymentIntent.status}. Only a PaymentIntent with one of the following statuses may be confirmed: ${CONFIRMABLE.join(', ')}.`,
        paymentIntent,
      );
    }
    const methodId = options.paymentMethod ?? idOf(paymentIntent.payment_method);
    if (methodId === null) {
      throw unexpectedState(
        "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.",
        paymentIntent,
      );
    }
    const automatic = paymentIntent.automatic_payment_methods;
    if (
      automatic?.enabled === true &&
      automatic.allow_redirects !== 'never' &&
      options.returnUrl === undefined
    ) {
      throw invalidRequest(RETURN_URL_REQUIRED);
    }
    const paymentMethod = this.paymentMethods.resolve(methodId, 'payment_method');
    this.checkUsable(paymentMethod, paymentIntent, 'payment_method');
    if (options.receiptEmail !== undefined) paymentIntent.receipt_email = options.receiptEmail;
    if (options.setupFutureUsage !== undefined) {
      paymentIntent.setup_future_usage = options.setupFutureUsage;
    }
    return this.attempt(
      paymentIntent,
      paymentMethod,
      this.clock.testClockOfCustomer(idOf(paymentIntent.customer)),
    );
  }

  /**
   * One payment attempt of a confirmable intent with the payment method:
   * the charge, the intent's new status and their events. On a decline the
   * intent goes back to requires_payment_method and the 402 card error is
   * returned, to be thrown once the transaction committed. Inside a store
   * transaction.
   */
  attempt(
    paymentIntent: Stripe.PaymentIntent,
    paymentMethod: Stripe.PaymentMethod,
    testClock: string | null,
  ): StripeApiError | null {
    paymentIntent.payment_method = paymentMethod.id;
    const { charge, declineCode } = this.charges.attempt(paymentIntent, paymentMethod, testClock);
    paymentIntent.latest_charge = charge.id;
    if (declineCode !== null) {
      const message = DECLINE_MESSAGES[declineCode];
      paymentIntent.status = 'requires_payment_method';
      paymentIntent.payment_method = null;
      paymentIntent.last_payment_error = {
        charge: charge.id,
        code: 'card_declined',
        decline_code: declineCode,
        doc_url: CARD_DECLINED_DOC_URL,
        message,
        payment_method: snapshot(paymentMethod),
        type: 'card_error',
      };
      this.events.record('payment_intent.payment_failed', paymentIntent, { testClock });
      return new StripeApiError(402, {
        type: 'card_error',
        code: 'card_declined',
        decline_code: declineCode,
        message,
        charge: charge.id,
        doc_url: CARD_DECLINED_DOC_URL,
        payment_intent: snapshot(paymentIntent),
        payment_method: snapshot(paymentMethod),
      });
    }
    paymentIntent.last_payment_error = null;
    const customer = idOf(paymentIntent.customer);
    if (paymentIntent.setup_future_usage !== null && customer !== null) {
      this.paymentMethods.attachTo(paymentMethod, customer);
    }
    if (paymentIntent.capture_method === 'manual') {
      paymentIntent.status = 'requires_capture';
      paymentIntent.amount_capturable = paymentIntent.amount;
      this.events.record('payment_intent.amount_capturable_updated', paymentIntent, {
        testClock,
      });
    } else {
      paymentIntent.status = 'succeeded';
      paymentIntent.amount_received = paymentIntent.amount;
      this.events.record('payment_intent.succeeded', paymentIntent, { testClock });
    }
    return null;
  }
}
