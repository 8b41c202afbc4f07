import Stripe from 'stripe';

/** What a scenario made at Stripe: the ids an event of it names somewhere in its object. */
export interface TriggeredObjects {
  readonly ids: readonly string[];
}

type Scenario = (stripe: Stripe, key: (step: string) => string) => Promise<TriggeredObjects>;

const AMOUNT_CENTS = 2000;
const CURRENCY = 'usd';
const TRIGGER_METADATA = { made_by: 'aegis trigger' };

function idOf(reference: string | { readonly id: string } | null | undefined): string[] {
  if (reference === null || reference === undefined) return [];
  return [typeof reference === 'string' ? reference : reference.id];
}

async function paidIntent(
  stripe: Stripe,
  key: (step: string) => string,
  paymentMethod: string,
): Promise<Stripe.PaymentIntent> {
  return stripe.paymentIntents.create(
    {
      amount: AMOUNT_CENTS,
      currency: CURRENCY,
      payment_method: paymentMethod,
      // Cards only: no redirect-based method that would need a return_url.
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      confirm: true,
      description: '(created by aegis trigger)',
      metadata: TRIGGER_METADATA,
    },
    { idempotencyKey: key('payment_intent') },
  );
}

async function intentObjects(intent: Stripe.PaymentIntent): Promise<TriggeredObjects> {
  return Promise.resolve({ ids: [intent.id, ...idOf(intent.latest_charge)] });
}

async function customerWithCard(
  stripe: Stripe,
  key: (step: string) => string,
  card: string,
): Promise<{ customer: Stripe.Customer; card: Stripe.PaymentMethod }> {
  const customer = await stripe.customers.create(
    {
      email: 'trigger@example.com',
      description: '(created by aegis trigger)',
      metadata: TRIGGER_METADATA,
    },
    { idempotencyKey: key('customer') },
  );
  const attached = await stripe.paymentMethods.attach(
    card,
    { customer: customer.id },
    { idempotencyKey: key('card') },
  );
  await stripe.customers.update(
    customer.id,
    { invoice_settings: { default_payment_method: attached.id } },
    { idempotencyKey: key('default_card') },
  );
  return { customer, card: attached };
}

async function monthlyPrice(stripe: Stripe, key: (step: string) => string): Promise<Stripe.Price> {
  const product = await stripe.products.create(
    { name: 'Trigger plan (created by aegis trigger)', metadata: TRIGGER_METADATA },
    { idempotencyKey: key('product') },
  );
  return stripe.prices.create(
    {
      product: product.id,
      currency: CURRENCY,
      unit_amount: AMOUNT_CENTS,
      recurring: { interval: 'month' },
    },
    { idempotencyKey: key('price') },
  );
}

async function subscription(
  stripe: Stripe,
  key: (step: string) => string,
): Promise<Stripe.Subscription> {
  const { customer } = await customerWithCard(stripe, key, 'pm_card_visa');
  const price = await monthlyPrice(stripe, key);
  return stripe.subscriptions.create(
    { customer: customer.id, items: [{ price: price.id }], metadata: TRIGGER_METADATA },
    { idempotencyKey: key('subscription') },
  );
}

/** An invoice of one item, finalized and paid at once with the customer's card. */
async function paidInvoice(
  stripe: Stripe,
  key: (step: string) => string,
  card: string,
): Promise<TriggeredObjects> {
  const { customer } = await customerWithCard(stripe, key, card);
  const draft = await stripe.invoices.create(
    {
      customer: customer.id,
      collection_method: 'charge_automatically',
      auto_advance: false,
      metadata: TRIGGER_METADATA,
    },
    { idempotencyKey: key('invoice') },
  );
  const invoiceId = draft.id;
  await stripe.invoiceItems.create(
    {
      customer: customer.id,
      invoice: invoiceId,
      amount: AMOUNT_CENTS,
      currency: CURRENCY,
      description: 'Trigger item',
    },
    { idempotencyKey: key('invoice_item') },
  );
  await stripe.invoices.finalizeInvoice(invoiceId, {}, { idempotencyKey: key('finalize') });
  try {
    await stripe.invoices.pay(invoiceId, {}, { idempotencyKey: key('pay') });
  } catch (error) {
    // A declined card is the point of invoice.payment_failed.
    if (!(error instanceof Stripe.errors.StripeCardError)) throw error;
  }
  return { ids: [invoiceId, customer.id] };
}

/** Each Stripe event type `aegis trigger` can fire, and the objects that make Stripe fire it. */
export const TRIGGER_SCENARIOS = {
  'payment_intent.succeeded': async (stripe, key) =>
    intentObjects(await paidIntent(stripe, key, 'pm_card_visa')),
  'payment_intent.payment_failed': async (stripe, key) => {
    try {
      await paidIntent(stripe, key, 'pm_card_chargeDeclined');
    } catch (error) {
      if (error instanceof Stripe.errors.StripeCardError && error.payment_intent !== undefined)
        return intentObjects(error.payment_intent);
      throw error;
    }
    throw new Error('the declining test card was not declined');
  },
  'charge.refunded': async (stripe, key) => {
    const intent = await paidIntent(stripe, key, 'pm_card_visa');
    await stripe.refunds.create({ payment_intent: intent.id }, { idempotencyKey: key('refund') });
    return intentObjects(intent);
  },
  'checkout.session.completed': async (stripe, key) => {
    const product = await stripe.products.create(
      { name: 'Trigger item (created by aegis trigger)', metadata: TRIGGER_METADATA },
      { idempotencyKey: key('product') },
    );
    const price = await stripe.prices.create(
      { product: product.id, currency: CURRENCY, unit_amount: AMOUNT_CENTS },
      { idempotencyKey: key('price') },
    );
    const session = await stripe.checkout.sessions.create(
      {
        mode: 'payment',
        line_items: [{ price: price.id, quantity: 1 }],
        success_url: 'http://127.0.0.1/success',
        cancel_url: 'http://127.0.0.1/cancel',
        metadata: TRIGGER_METADATA,
      },
      { idempotencyKey: key('checkout_session') },
    );
    // The sandbox's test helper, as a buyer paying on the hosted page.
    await stripe.rawRequest(
      'POST',
      `/v1/test_helpers/checkout/sessions/${session.id}/complete`,
      { payment_method: 'pm_card_visa' },
      { idempotencyKey: key('complete') },
    );
    return { ids: [session.id] };
  },
  'invoice.payment_succeeded': (stripe, key) => paidInvoice(stripe, key, 'pm_card_visa'),
  'invoice.payment_failed': (stripe, key) => paidInvoice(stripe, key, 'pm_card_chargeDeclined'),
  'customer.subscription.created': async (stripe, key) => ({
    ids: [(await subscription(stripe, key)).id],
  }),
  'customer.subscription.updated': async (stripe, key) => {
    const made = await subscription(stripe, key);
    await stripe.subscriptions.update(
      made.id,
      { metadata: { ...TRIGGER_METADATA, updated: 'true' } },
      { idempotencyKey: key('update') },
    );
    return { ids: [made.id] };
  },
  'customer.subscription.deleted': async (stripe, key) => {
    const made = await subscription(stripe, key);
    await stripe.subscriptions.cancel(made.id, {}, { idempotencyKey: key('cancel') });
    return { ids: [made.id] };
  },
  'charge.dispute.created': async (stripe, key) =>
    intentObjects(await paidIntent(stripe, key, 'pm_card_createDispute')),
  'radar.early_fraud_warning.created': async (stripe, key) =>
    intentObjects(await paidIntent(stripe, key, 'pm_card_createEarlyFraudWarning')),
} satisfies Record<string, Scenario>;

export type TriggerEventType = keyof typeof TRIGGER_SCENARIOS;
export const TRIGGER_EVENT_TYPES = Object.keys(TRIGGER_SCENARIOS) as TriggerEventType[];

export function isTriggerEventType(value: string): value is TriggerEventType {
  return Object.hasOwn(TRIGGER_SCENARIOS, value);
}

/** The event of `type` whose object names one of `objects`' ids, if Stripe has recorded it. */
export function eventOf(
  events: readonly Stripe.Event[],
  type: TriggerEventType,
  objects: TriggeredObjects,
): Stripe.Event | undefined {
  return events.find((event) => {
    if (event.type !== type) return false;
    const text = JSON.stringify(event.data.object);
    return objects.ids.some((id) => text.includes(`"${id}"`));
  });
}
