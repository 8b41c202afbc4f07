import type { Params } from '../core/params.js';
import { invalidRequest, parameterInvalid, parameterMissing } from '../core/stripe-error.js';

export interface LineItemInput {
  readonly params: Params;
  readonly source:
    | { readonly kind: 'price'; readonly id: string }
    | { readonly kind: 'price_data'; readonly priceData: Params };
  readonly quantity: number;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function readUrl(params: Params, name: string): string | undefined {
  const url = params.string(name);
  if (url !== undefined && (!/^https?:\/\//.test(url) || !URL.canParse(url))) {
    throw invalidRequest('Not a valid URL', name, 'url_invalid');
  }
  return url;
}

function readLineItems(params: Params): LineItemInput[] | undefined {
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
 * A create request's parameters, read and checked against each other; its
 * prices and customer are looked up at creation.
 */
export function readCheckoutSessionRequest(params: Params) {
  const mode = params.oneOf('mode', ['payment', 'subscription'] as const);
  if (mode === undefined) throw parameterMissing('mode');
  const lineItems = readLineItems(params);
  const successUrl = readUrl(params, 'success_url');
  const cancelUrl = readUrl(params, 'cancel_url');
  const customerId = params.string('customer');
  const customerEmail = params.string('customer_email');
  const customerCreation = params.oneOf('customer_creation', ['always', 'if_required'] as const);
  const clientReferenceId = params.string('client_reference_id');
  const metadata = params.metadata() ?? {};
  const paymentIntentData = params.object('payment_intent_data');
  const paymentDescription = paymentIntentData?.string('description') ?? null;
  const paymentMetadata = paymentIntentData?.metadata() ?? {};
  const setupFutureUsage =
    paymentIntentData?.oneOf('setup_future_usage', ['off_session', 'on_session'] as const) ?? null;
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
  return {
    mode,
    lineItems,
    successUrl,
    cancelUrl,
    customerId,
    customerEmail,
    customerCreation,
    clientReferenceId,
    metadata,
    paymentDescription,
    paymentMetadata,
    setupFutureUsage,
    trialPeriodDays,
    subscriptionMetadata,
    expiresAt,
    paymentMethodTypes,
    uiMode,
    locale,
    billingAddressCollection,
  };
}

export type CheckoutSessionRequest = ReturnType<typeof readCheckoutSessionRequest>;
