import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { idOf } from '../core/ids.js';
import { mergeMetadata } from '../core/metadata.js';
import type { Params } from '../core/params.js';
import { invalidRequest } from '../core/stripe-error.js';
import { newId } from '../store/ids.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore } from '../store/sandbox-store.js';
import { type CheckoutPayment, CheckoutCompletion } from './checkout-completion.js';
import { CheckoutExpiry } from './checkout-expiry.js';
import { CheckoutLineItems } from './checkout-line-items.js';
import {
  lineItemsRecordIdOf,
  MINIMUM_SESSION_LIFETIME_SECONDS,
  newCheckoutSession,
  paymentRecordIdOf,
  SESSION_LIFETIME_SECONDS,
} from './checkout-session-objects.js';
import { readCheckoutSessionRequest } from './checkout-session-params.js';

/**
 * Checkout sessions: created with their line items, completed by the
 * sandbox's payment page or the test helper (payment mode pays a payment
 * intent, subscription mode starts a subscription), expired on request or
 * at `expires_at` (on the customer's test clock, if any).
 */
@Injectable()
export class CheckoutService {
  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly expiry: CheckoutExpiry,
    private readonly lineItems: CheckoutLineItems,
    private readonly completion: CheckoutCompletion,
  ) {}

  /** Expires every open session whose `expires_at` has passed on its customer's clock. */
  expireDue(): void {
    this.expiry.expireDue();
  }

  /** A session by id, expired first if its time has come. */
  retrieve(id: string): Stripe.Checkout.Session {
    this.expireDue();
    return this.store.get('checkout.session', id, 'checkout.session');
  }

  /** The line items of a session, in the order given at creation. */
  lineItemsOf(id: string): Stripe.LineItem[] {
    return this.lineItems.lineItemsOf(id);
  }

  /** The session as the API answers it, with its `line_items` when `expand` names them. */
  view(session: Stripe.Checkout.Session, includeLineItems: boolean): Stripe.Checkout.Session {
    return this.lineItems.view(session, includeLineItems);
  }

  list(params: Params): Stripe.Checkout.Session[] {
    const customer = params.string('customer');
    const email = params.object('customer_details')?.requiredString('email');
    const paymentIntent = params.string('payment_intent');
    const paymentLink = params.string('payment_link');
    const subscription = params.string('subscription');
    const status = params.oneOf('status', ['complete', 'expired', 'open'] as const);
    this.expireDue();
    return this.store.list(
      'checkout.session',
      (session) =>
        (customer === undefined || idOf(session.customer) === customer) &&
        (email === undefined || session.customer_details?.email === email) &&
        (paymentIntent === undefined || idOf(session.payment_intent) === paymentIntent) &&
        (paymentLink === undefined || idOf(session.payment_link) === paymentLink) &&
        (subscription === undefined || idOf(session.subscription) === subscription) &&
        (status === undefined || session.status === status),
    );
  }

  /**
   * Creates an open session. `publicBaseUrl` is where browsers reach the
   * sandbox; the session's `url` is its payment page there.
   */
  create(params: Params, publicBaseUrl: string): Stripe.Checkout.Session {
    const request = readCheckoutSessionRequest(params);
    const { mode, lineItems, customerId, expiresAt, trialPeriodDays } = request;

    return this.store.transaction(() => {
      if (customerId !== undefined) this.store.get('customer', customerId, 'customer', 'customer');
      const items = lineItems.map((item) => ({
        price: this.lineItems.priceOf(item, mode),
        quantity: item.quantity,
        param: item.params.path(item.source.kind),
      }));
      params.done();
      this.lineItems.checkPrices(mode, items);
      const created = this.clock.nowForCustomer(customerId);
      if (
        expiresAt !== undefined &&
        (expiresAt < created + MINIMUM_SESSION_LIFETIME_SECONDS ||
          expiresAt > created + SESSION_LIFETIME_SECONDS)
      ) {
        throw invalidRequest(
          expiresAt < created + MINIMUM_SESSION_LIFETIME_SECONDS
            ? 'The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.'
            : 'The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.',
          'expires_at',
        );
      }
      const id = newId('cs_test', 58);
      const lines = items.map(({ price, quantity }) =>
        this.lineItems.buildLineItem(price, quantity, trialPeriodDays !== null),
      );
      const total = lines.reduce((sum, line) => sum + line.amount_total, 0);
      const currency = items[0]?.price.currency ?? null;
      const session = this.store.insert(
        'checkout.session',
        newCheckoutSession(request, { id, created, total, currency, publicBaseUrl }),
      );
      this.store.insert('sandbox.checkout_session_details', {
        id: lineItemsRecordIdOf(id),
        object: 'sandbox.checkout_session_details',
        created,
        line_items: lines,
      });
      this.store.insert('sandbox.checkout_session_payment', {
        id: paymentRecordIdOf(id),
        object: 'sandbox.checkout_session_payment',
        created,
        session: id,
        payment_intent_data: {
          description: request.paymentDescription,
          metadata: request.paymentMetadata,
          setup_future_usage: request.setupFutureUsage,
        },
        subscription_data: {
          trial_period_days: trialPeriodDays,
          metadata: request.subscriptionMetadata,
        },
        customer: null,
      });
      return session;
    });
  }

  /** Updates a session's metadata, the one field a hosted session lets the API change. */
  update(id: string, params: Params): Stripe.Checkout.Session {
    const metadata = params.metadata();
    params.done();
    return this.store.transaction(() => {
      const session = this.store.get('checkout.session', id, 'checkout.session');
      if (metadata !== undefined)
        session.metadata = mergeMetadata(session.metadata ?? {}, metadata);
      return session;
    });
  }

  /** Expires an open session (`/expire`), with `checkout.session.expired`. */
  expire(id: string): Stripe.Checkout.Session {
    this.expireDue();
    return this.store.transaction(() => {
      const session = this.store.get('checkout.session', id, 'checkout.session');
      if (session.status !== 'open') {
        throw invalidRequest(
          `Only Checkout Sessions with a status in ["open"] can be expired. This session has status \`${String(session.status)}\`.`,
        );
      }
      this.expiry.markExpired(session);
      return session;
    });
  }

  /**
   * Completes an open session as the payment page does: the customer (the
   * session's, or one created when required), the payment method, then the
   * payment (payment mode) or the subscription (subscription mode), and
   * `checkout.session.completed`. A declined card commits the failed attempt,
   * leaves the session open and throws the 402 card error afterwards.
   */
  complete(id: string, payment: CheckoutPayment): Stripe.Checkout.Session {
    this.expireDue();
    const outcome = this.store.transaction(() => this.completion.attempt(id, payment));
    if (outcome.decline !== null) throw outcome.decline;
    return outcome.session;
  }
}
