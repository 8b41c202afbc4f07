import type Stripe from 'stripe';

/** A webhook delivery waiting to be (re)tried: one per event and endpoint. */
export interface WebhookDelivery {
  id: string;
  object: 'sandbox.webhook_delivery';
  created: number;
  event: string;
  endpoint: string;
  attempts: number;
  /** Epoch milliseconds of the next attempt. */
  next_attempt_at: number;
  last_status: number | null;
  last_error: string | null;
}

/** A stored response to a request made with an `Idempotency-Key`. */
export interface IdempotencyRecord {
  id: string;
  object: 'sandbox.idempotency_key';
  created: number;
  /** Method, path and canonical parameters of the first request. */
  fingerprint: string;
  endpoint: string;
  status: number;
  body: unknown;
}

/** What the sandbox keeps of a checkout session beyond the Stripe object (its line items). */
export interface CheckoutSessionDetails {
  id: string;
  object: 'sandbox.checkout_session_details';
  created: number;
  line_items: Stripe.LineItem[];
}

/**
 * How a checkout session pays, which the Stripe object does not show: its
 * `payment_intent_data` and `subscription_data`, and the customer an earlier
 * declined attempt created (a retry completes the session with that one).
 */
export interface CheckoutSessionPayment {
  id: string;
  object: 'sandbox.checkout_session_payment';
  created: number;
  session: string;
  payment_intent_data: {
    description: string | null;
    metadata: Stripe.Metadata;
    setup_future_usage: 'off_session' | 'on_session' | null;
  };
  subscription_data: { trial_period_days: number | null; metadata: Stripe.Metadata };
  customer: string | null;
}

/** Sandbox-only state of a subscription: the retry schedule of its unpaid invoice. */
export interface SubscriptionDunning {
  id: string;
  object: 'sandbox.subscription_dunning';
  created: number;
  subscription: string;
  invoice: string;
  /** Failed attempts so far. */
  failures: number;
}

/** Marks a price made from an inline `price_data` hash: Stripe leaves those out of price lists. */
export interface InlinePriceMarker {
  id: string;
  object: 'sandbox.inline_price';
  created: number;
  price: string;
}

/** Sandbox-only state of a subscription: the trial end its `trial_will_end` notice was sent for. */
export interface SubscriptionTrialNotice {
  id: string;
  object: 'sandbox.subscription_trial_notice';
  created: number;
  subscription: string;
  trial_end: number;
}

/**
 * The link of a finalized invoice's hosted page and PDF: an opaque token, as
 * Stripe's links are, so a link cannot be made from an invoice id.
 */
export interface HostedInvoiceLink {
  /** The token itself (`test_…`), in `/invoice/<token>` and `/invoice/<token>/pdf`. */
  id: string;
  object: 'sandbox.hosted_invoice';
  created: number;
  invoice: string;
}

/**
 * An invoice's `days_until_due`, which the Stripe object does not keep: a
 * `send_invoice` invoice given one is due that many days after it is
 * finalized (the draft's `due_date` counts from its creation until then).
 */
export interface InvoiceTerms {
  id: string;
  object: 'sandbox.invoice_terms';
  created: number;
  invoice: string;
  days_until_due: number;
}

/**
 * Sandbox-only state of a one-off invoice collected automatically
 * (`auto_advance`) whose payment failed: its retry schedule. Subscription
 * invoices have theirs in `sandbox.subscription_dunning`.
 */
export interface InvoiceRetry {
  id: string;
  object: 'sandbox.invoice_retry';
  /** The time of the first failed attempt, which the schedule counts from. */
  created: number;
  invoice: string;
  /** Failed attempts so far. */
  failures: number;
}

/**
 * Every kind of object the sandbox stores, by its `object` value. Stripe's
 * kinds use the SDK's own types, so a field Stripe does not have fails to
 * compile; `sandbox.*` kinds are the sandbox's own bookkeeping and never
 * leave it.
 */
export interface SandboxObjects {
  customer: Stripe.Customer;
  payment_method: Stripe.PaymentMethod;
  product: Stripe.Product;
  price: Stripe.Price;
  payment_intent: Stripe.PaymentIntent;
  charge: Stripe.Charge;
  refund: Stripe.Refund;
  /** Disputes are stored without their `balance_transactions` (kept as balance_transaction objects). */
  dispute: Stripe.Dispute;
  balance_transaction: Stripe.BalanceTransaction;
  'radar.early_fraud_warning': Stripe.Radar.EarlyFraudWarning;
  'checkout.session': Stripe.Checkout.Session;
  invoiceitem: Stripe.InvoiceItem;
  invoice: Stripe.Invoice;
  subscription: Stripe.Subscription;
  'test_helpers.test_clock': Stripe.TestHelpers.TestClock;
  event: Stripe.Event;
  webhook_endpoint: Stripe.WebhookEndpoint;
  'sandbox.webhook_delivery': WebhookDelivery;
  'sandbox.idempotency_key': IdempotencyRecord;
  'sandbox.checkout_session_details': CheckoutSessionDetails;
  'sandbox.subscription_dunning': SubscriptionDunning;
  'sandbox.subscription_trial_notice': SubscriptionTrialNotice;
  'sandbox.inline_price': InlinePriceMarker;
  'sandbox.checkout_session_payment': CheckoutSessionPayment;
  'sandbox.hosted_invoice': HostedInvoiceLink;
  'sandbox.invoice_terms': InvoiceTerms;
  'sandbox.invoice_retry': InvoiceRetry;
}

export type ObjectKind = keyof SandboxObjects;
export type StoredObject = SandboxObjects[ObjectKind];
