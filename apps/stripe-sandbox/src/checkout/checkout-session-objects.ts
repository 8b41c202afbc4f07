import type Stripe from 'stripe';
import type { CheckoutSessionRequest } from './checkout-session-params.js';

/** Stripe's default and longest session lifetime, and its shortest. */
export const SESSION_LIFETIME_SECONDS = 24 * 60 * 60;
export const MINIMUM_SESSION_LIFETIME_SECONDS = 30 * 60;

export function paymentRecordIdOf(session: string): string {
  return `sandbox_payment_${session}`;
}

export function lineItemsRecordIdOf(session: string): string {
  return `sandbox_items_${session}`;
}

/** `{CHECKOUT_SESSION_ID}` in a success URL replaced by the session's id, as Checkout does. */
export function successUrlOf(session: Stripe.Checkout.Session): string | null {
  return session.success_url?.replaceAll('{CHECKOUT_SESSION_ID}', session.id) ?? null;
}

/** What a new session gets besides its request: its id, time and amounts. */
export interface NewCheckoutSession {
  readonly id: string;
  readonly created: number;
  readonly total: number;
  readonly currency: string | null;
  /** Where browsers reach the sandbox; the session's `url` is its payment page there. */
  readonly publicBaseUrl: string;
}

/** A new open session as stored. */
export function newCheckoutSession(
  request: CheckoutSessionRequest,
  { id, created, total, currency, publicBaseUrl }: NewCheckoutSession,
): Stripe.Checkout.Session {
  const {
    mode,
    successUrl,
    cancelUrl,
    customerId,
    customerEmail,
    customerCreation,
    clientReferenceId,
    metadata,
    expiresAt,
    paymentMethodTypes,
    uiMode,
    locale,
    billingAddressCollection,
  } = request;
  return {
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
  };
}
