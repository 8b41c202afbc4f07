import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type Stripe from 'stripe';
import { PricesService } from '../catalog/prices.service.js';
import { amountForQuantity } from '../catalog/pricing.js';
import { CustomersService } from '../customers/customers.service.js';
import { Params } from '../core/params.js';
import {
  invalidRequest,
  parameterInvalid,
  parameterMissing,
  type StripeApiError,
} from '../core/stripe-error.js';
import { EventRecorder } from '../events/event-recorder.js';
import { PaymentMethodsService } from '../payment-methods/payment-methods.service.js';
import { PaymentsService } from '../payments/payments.service.js';
import { newId } from '../store/ids.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import type { CheckoutSessionPayment } from '../store/sandbox-objects.js';
import { SandboxStore, snapshot } from '../store/sandbox-store.js';
import { StorePersistence } from '../store/store-persistence.js';
import { SubscriptionsService } from '../subscriptions/subscriptions.service.js';
import { mergeMetadata } from '../core/metadata.js';
import { idOf } from '../core/ids.js';

/** Stripe's default and longest session lifetime, and its shortest. */
export const SESSION_LIFETIME_SECONDS = 24 * 60 * 60;
export const MINIMUM_SESSION_LIFETIME_SECONDS = 30 * 60;
const EXPIRY_SWEEP_MS = 1_000;
/** How many line items an expanded `line_items` shows; the rest are on the line items list. */
const INCLUDED_LINE_ITEMS = 10;

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

interface LineItemInput {
  readonly params: Params;
  readonly source:
    | { readonly kind: 'price'; readonly id: string }
    | { readonly kind: 'price_data'; readonly priceData: Params };
  readonly quantity: number;
}

function paymentRecordIdOf(session: string): string {
  return `sandbox_payment_${session}`;
}

function lineItemsRecordIdOf(session: string): string {
  return `sandbox_items_${session}`;
}

/** `{CHECKOUT_SESSION_ID}` in a success URL replaced by the session's id, as Checkout does. */
export function successUrlOf(session: Stripe.Checkout.Session): string | null {
  return session.success_url?.replaceAll('{CHECKOUT_SESSION_ID}', session.id) ?? null;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Checkout sessions: created with their line items, completed by the
 * sandbox's payment page or the test helper (payment mode pays a payment
 * intent, subscription mode starts a subscription), expired on request or
 * at `expires_at` (on the customer's test clock, if any).
 */
@Injectable()
export class CheckoutService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CheckoutService.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly events: EventRecorder,
    private readonly persistence: StorePersistence,
    private readonly prices: PricesService,
    private readonly customers: CustomersService,
    private readonly paymentMethods: PaymentMethodsService,
    private readonly payments: PaymentsService,
    private readonly subscriptions: SubscriptionsService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), EXPIRY_SWEEP_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private async sweep(): Promise<void> {
    try {
      this.expireDue();
      await this.persistence.flush();
    } catch (error) {
      this.logger.error(`expiring checkout sessions failed: ${String(error)}`);
    }
  }

  /** Expires every open session whose `expires_at` has passed on its customer's clock. */
  expireDue(): void {
    const due = this.store.list(
      'checkout.session',
      (session) =>
        session.status === 'open' &&
        this.clock.nowForCustomer(idOf(session.customer)) >= session.expires_at,
    );
    if (due.length === 0) return;
    this.store.transaction(() => {
      for (const { id } of due) {
        this.markExpired(this.store.get('checkout.session', id, 'checkout.session'));
      }
    });
  }

  private markExpired(session: Stripe.Checkout.Session): void {
    session.status = 'expired';
    session.url = null;
    this.events.record('checkout.session.expired', session, {
      testClock: this.clock.testClockOfCustomer(idOf(session.customer)),
    });
  }

  /** A session by id, expired first if its time has come. */
  retrieve(id: string): Stripe.Checkout.Session {
    this.expireDue();
    return this.store.get('checkout.session', id, 'checkout.session');
  }

  /** The line items of a session, in the order given at creation. */
  lineItemsOf(id: string): Stripe.LineItem[] {
    return (
      this.store.find('sandbox.checkout_session_details', lineItemsRecordIdOf(id))?.line_items ?? []
    );
  }

  /**
   * The session as the API answers it: with its `line_items` included when
   * `expand` names them (Stripe's includable property, absent otherwise).
   */
  view(session: Stripe.Checkout.Session, includeLineItems: boolean): Stripe.Checkout.Session {
    if (!includeLineItems) return session;
    const items = this.lineItemsOf(session.id);
    return {
      ...session,
      line_items: {
        object: 'list',
        data: items.slice(0, INCLUDED_LINE_ITEMS),
        has_more: items.length > INCLUDED_LINE_ITEMS,
        url: `/v1/checkout/sessions/${session.id}/line_items`,
      },
    };
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

  private readUrl(params: Params, name: string): string | undefined {
    const url = params.string(name);
    if (url !== undefined && (!/^https?:\/\//.test(url) || !URL.canParse(url))) {
      throw invalidRequest('Not a valid URL', name, 'url_invalid');
    }
    return url;
  }

  private readLineItems(params: Params): LineItemInput[] | undefined {
    return params.objects('line_items')?.map((item) => {
      const price = item.string('price');
      const priceData = item.object('price_data');
      const quantity = item.integer('quantity', { min: 1, max: 999_999 });
      if (price !== undefined && priceData !== undefined) {
        throw invalidRequest(
          `You may only specify one of these parameters: ${item.path('price')}, ${item.path('price_data')}.`,
          item.path('price'),
        );
      }
      if (quantity === undefined) throw parameterMissing(item.path('quantity'));
      if (price !== undefined)
        return { params: item, source: { kind: 'price', id: price }, quantity };
      if (priceData === undefined) throw parameterMissing(item.path('price'));
      return { params: item, source: { kind: 'price_data', priceData }, quantity };
    });
  }

  /**
   * Creates an open session. `publicBaseUrl` is where browsers reach the
   * sandbox; the session's `url` is its payment page there.
   */
  create(params: Params, publicBaseUrl: string): Stripe.Checkout.Session {
    const mode = params.oneOf('mode', ['payment', 'subscription'] as const);
    if (mode === undefined) throw parameterMissing('mode');
    const lineItems = this.readLineItems(params);
    const successUrl = this.readUrl(params, 'success_url');
    const cancelUrl = this.readUrl(params, 'cancel_url');
    const customerId = params.string('customer');
    const customerEmail = params.string('customer_email');
    const customerCreation = params.oneOf('customer_creation', ['always', 'if_required'] as const);
    const clientReferenceId = params.string('client_reference_id');
    const metadata = params.metadata() ?? {};
    const paymentIntentData = params.object('payment_intent_data');
    const paymentDescription = paymentIntentData?.string('description') ?? null;
    const paymentMetadata = paymentIntentData?.metadata() ?? {};
    const setupFutureUsage =
      paymentIntentData?.oneOf('setup_future_usage', ['off_session', 'on_session'] as const) ??
      null;
    const subscriptionData = params.object('subscription_data');
    const trialPeriodDays =
      subscriptionData?.integer('trial_period_days', { min: 1, max: 730 }) ?? null;
    const subscriptionMetadata = subscriptionData?.metadata() ?? {};
    const expiresAt = params.integer('expires_at');
    const paymentMethodTypes = params.strings('payment_method_types');
    const uiMode = params.oneOf('ui_mode', ['hosted_page'] as const) ?? 'hosted_page';
    const locale = params.string('locale') ?? null;
    const billingAddressCollection =
      params.oneOf('billing_address_collection', ['auto', 'required'] as const) ?? null;

    if (lineItems === undefined || lineItems.length === 0) throw parameterMissing('line_items');
    const maximumItems = mode === 'payment' ? 100 : 20;
    if (lineItems.length > maximumItems) {
      throw invalidRequest(
        `You may only specify up to ${maximumItems} line items in \`${mode}\` mode.`,
        'line_items',
      );
    }
    if (customerId !== undefined && customerEmail !== undefined) {
      throw invalidRequest(
        'You may only specify one of these parameters: customer, customer_email.',
        'customer_email',
      );
    }
    if (customerEmail !== undefined && !EMAIL.test(customerEmail)) {
      throw invalidRequest(
        `Invalid email address: ${customerEmail}`,
        'customer_email',
        'email_invalid',
      );
    }
    if (customerCreation !== undefined) {
      if (mode !== 'payment') {
        throw invalidRequest(
          '`customer_creation` can only be used in `payment` mode.',
          'customer_creation',
        );
      }
      if (customerId !== undefined) {
        throw invalidRequest(
          'You may only specify one of these parameters: customer, customer_creation.',
          'customer_creation',
        );
      }
    }
    if (paymentIntentData !== undefined && mode !== 'payment') {
      throw invalidRequest(
        `You can not pass \`payment_intent_data\` in \`${mode}\` mode.`,
        'payment_intent_data',
      );
    }
    if (subscriptionData !== undefined && mode !== 'subscription') {
      throw invalidRequest(
        `You can not pass \`subscription_data\` in \`${mode}\` mode.`,
        'subscription_data',
      );
    }
    for (const [index, type] of (paymentMethodTypes ?? []).entries()) {
      if (type !== 'card') {
        throw parameterInvalid(
          `payment_method_types[${index}]`,
          `The sandbox takes card payments only; \`${type}\` is not supported.`,
        );
      }
    }
    if (paymentMethodTypes?.length === 0) {
      throw parameterInvalid('payment_method_types', 'payment_method_types must not be empty.');
    }

    return this.store.transaction(() => {
      if (customerId !== undefined) this.store.get('customer', customerId, 'customer', 'customer');
      const items = lineItems.map((item) => ({
        price: this.priceOf(item, mode),
        quantity: item.quantity,
        param: item.params.path(item.source.kind),
      }));
      params.done();
      this.checkPrices(mode, items);
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
        this.buildLineItem(price, quantity, trialPeriodDays !== null),
      );
      const total = lines.reduce((sum, line) => sum + line.amount_total, 0);
      const currency = items[0]?.price.currency ?? null;
      const session = this.store.insert('checkout.session', {
        id,
        object: 'checkout.session',
        adaptive_pricing: { enabled: false },
        after_expiration: null,
        allow_promotion_codes: null,
        allowed_payment_method_types: null,
        amount_subtotal: total,
        amount_total: total,
        automatic_tax: { enabled: false, liability: null, provider: null, status: null },
        billing_address_collection: billingAddressCollection,
        cancel_url: cancelUrl ?? null,
        client_reference_id: clientReferenceId ?? null,
        client_secret: null,
        collected_information: null,
        consent: null,
        consent_collection: null,
        created,
        currency,
        currency_conversion: null,
        custom_fields: [],
        custom_text: {
          after_submit: null,
          shipping_address: null,
          submit: null,
          terms_of_service_acceptance: null,
        },
        customer: customerId ?? null,
        customer_account: null,
        customer_creation:
          customerId !== undefined
            ? null
            : mode === 'subscription'
              ? 'always'
              : (customerCreation ?? 'if_required'),
        customer_details: null,
        customer_email: customerEmail ?? null,
        discounts: [],
        expires_at: expiresAt ?? created + SESSION_LIFETIME_SECONDS,
        integration_identifier: null,
        invoice: null,
        invoice_creation:
          mode === 'payment'
            ? {
                enabled: false,
                invoice_data: {
                  account_tax_ids: null,
                  custom_fields: null,
                  description: null,
                  footer: null,
                  issuer: null,
                  metadata: {},
                  rendering_options: null,
                },
              }
            : null,
        livemode: false,
        locale,
        managed_payments: null,
        metadata,
        mode,
        origin_context: null,
        payment_intent: null,
        payment_link: null,
        payment_method_collection: 'always',
        payment_method_configuration_details: null,
        payment_method_options: { card: { request_three_d_secure: 'automatic' } },
        payment_method_types: paymentMethodTypes ?? ['card'],
        payment_status: 'unpaid',
        permissions: null,
        phone_number_collection: { enabled: false },
        recovered_from: null,
        saved_payment_method_options: null,
        setup_intent: null,
        shipping_address_collection: null,
        shipping_cost: null,
        shipping_options: [],
        status: 'open',
        submit_type: null,
        subscription: null,
        success_url: successUrl ?? null,
        total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
        ui_mode: uiMode,
        url: `${publicBaseUrl.replace(/\/+$/, '')}/checkout/pay/${id}`,
        wallet_options: null,
      });
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
          description: paymentDescription,
          metadata: paymentMetadata,
          setup_future_usage: setupFutureUsage,
        },
        subscription_data: { trial_period_days: trialPeriodDays, metadata: subscriptionMetadata },
        customer: null,
      });
      return session;
    });
  }

  private priceOf(item: LineItemInput, mode: 'payment' | 'subscription'): Stripe.Price {
    if (item.source.kind === 'price_data') {
      return this.prices.createFromPriceData(item.source.priceData, {
        recurring: mode === 'payment' ? 'forbidden' : 'optional',
      });
    }
    return this.prices.getActive(item.source.id, item.params.path('price'));
  }

  private checkPrices(
    mode: 'payment' | 'subscription',
    items: readonly { price: Stripe.Price; param: string }[],
  ): void {
    const [first] = items;
    for (const { price, param } of items) {
      if (mode === 'payment' && price.recurring !== null) {
        throw invalidRequest(
          'You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.',
          param,
        );
      }
      if (first !== undefined && price.currency !== first.price.currency) {
        throw invalidRequest(
          `All line items must use the same currency: ${param} is in ${price.currency}, the first line item in ${first.price.currency}.`,
          param,
        );
      }
    }
    if (mode === 'subscription' && items.every(({ price }) => price.recurring === null)) {
      throw invalidRequest(
        'You must provide at least one recurring price in `subscription` mode when using prices.',
        'line_items',
      );
    }
  }

  private buildLineItem(price: Stripe.Price, quantity: number, trial: boolean): Stripe.LineItem {
    // During a trial nothing recurring is due today, which is what Checkout's amounts show.
    const amount = trial && price.recurring !== null ? 0 : amountForQuantity(price, quantity);
    const product = this.store.find('product', idOf(price.product));
    return {
      id: newId('li'),
      object: 'item',
      adjustable_quantity: null,
      amount_discount: 0,
      amount_subtotal: amount,
      amount_tax: 0,
      amount_total: amount,
      currency: price.currency,
      description: product?.name ?? price.nickname,
      metadata: null,
      price: snapshot(price),
      quantity,
    };
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
      this.markExpired(session);
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
    const outcome = this.store.transaction(() => this.attempt(id, payment));
    if (outcome.decline !== null) throw outcome.decline;
    return outcome.session;
  }

  private attempt(
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
        items: this.lineItemsOf(id).flatMap((line) =>
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
