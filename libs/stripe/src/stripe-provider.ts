import { Inject, Injectable } from '@nestjs/common';
import { AEGIS_CUSTOMER_ID_KEY } from '@aegis/contracts';
import type Stripe from 'stripe';
import { customerCreationKey } from './customer-ids.js';
import { toStripeDomainError } from './stripe-errors.js';
import { RateLimiter } from './rate-limiter.js';
import type { Counter } from 'prom-client';
import { DEFAULT_RATE_LIMIT_BACKOFF, writeWithinRateLimit } from './stripe-writes.js';
import type {
  PaymentProvider,
  ProviderHealth,
  ProviderMode,
  TransactionRef,
} from './payment-provider.js';
import { StripeBreaker } from './stripe-breaker.js';
import { verifyStripeWebhook } from './webhook-verification.js';

/** Injection token of the service's Stripe client (the official SDK). */
export const STRIPE_CLIENT = Symbol('STRIPE_CLIENT');
export const STRIPE_REFETCH_LIMITER = Symbol('STRIPE_REFETCH_LIMITER');
export const STRIPE_WRITE_LIMITER = Symbol('STRIPE_WRITE_LIMITER');
export const STRIPE_BREAKER = Symbol('STRIPE_BREAKER');
export const STRIPE_MODE = Symbol('STRIPE_MODE');
export const STRIPE_RATE_LIMITED = Symbol('STRIPE_RATE_LIMITED');

/** The objects a consumer may re-fetch when an event's order is in doubt, by their `object` value. */
export interface RefetchableObjects {
  customer: Stripe.Customer | Stripe.DeletedCustomer;
  charge: Stripe.Charge;
  payment_intent: Stripe.PaymentIntent;
  invoice: Stripe.Invoice;
  subscription: Stripe.Subscription;
  'checkout.session': Stripe.Checkout.Session;
  refund: Stripe.Refund;
  dispute: Stripe.Dispute;
  'radar.early_fraud_warning': Stripe.Radar.EarlyFraudWarning;
}

export type RefetchableKind = keyof RefetchableObjects;

/** The metadata key naming, on a Stripe Product, the catalogue product it is. */
export const AEGIS_PRODUCT_ID_KEY = 'aegis_product_id';
/** The metadata key naming, on a Stripe Price, the pricing version it is. */
export const AEGIS_PRICING_VERSION_ID_KEY = 'aegis_pricing_version_id';

/** The metadata keys naming, on a Stripe invoice and invoice item, our invoice and line. */
export const AEGIS_INVOICE_ID_KEY = 'aegis_invoice_id';
export const AEGIS_INVOICE_LINE_ID_KEY = 'aegis_invoice_line_id';
/** The metadata keys naming, on a Checkout Session and a refund, our checkout and refund. */
export const AEGIS_CHECKOUT_ID_KEY = 'aegis_checkout_id';
export const AEGIS_REFUND_ID_KEY = 'aegis_refund_id';
/** The metadata keys naming, on a subscription and a plan's Product and Price, our subscription and plan. */
export const AEGIS_SUBSCRIPTION_ID_KEY = 'aegis_subscription_id';
export const AEGIS_PLAN_ID_KEY = 'aegis_plan_id';

function idOrNull(value: string | { readonly id: string } | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : value.id;
}

/** Creating the Stripe Product of catalogue product `productId`: a retry creates none. */
export function productCreationKey(productId: string): string {
  return `aegis-product-create-${productId}`;
}

/** One change of a product, named by the product's new `updated_at`: each change is its own call. */
export function productUpdateKey(productId: string, changedAt: Date): string {
  return `aegis-product-update-${productId}-${changedAt.getTime()}`;
}

/** Archiving happens once per product (nothing unarchives it). */
export function productArchiveKey(productId: string): string {
  return `aegis-product-archive-${productId}`;
}

/** Creating the Stripe Price of pricing version `pricingVersionId`. */
export function priceCreationKey(pricingVersionId: string): string {
  return `aegis-price-create-${pricingVersionId}`;
}

/** Stripe's create parameters, with our own metadata (the provider adds the key naming our id). */
type WithOwnMetadata<Params> = Omit<Params, 'metadata'> & {
  readonly metadata?: Readonly<Record<string, string>>;
};

/** What a re-fetch may ask for besides the object, e.g. `{ expand: ['payments'] }` on an invoice. */
export interface RefetchParams {
  readonly expand?: string[];
}

export function isRefetchable(kind: string): kind is RefetchableKind {
  return [
    'customer',
    'charge',
    'payment_intent',
    'invoice',
    'subscription',
    'checkout.session',
    'refund',
    'dispute',
    'radar.early_fraud_warning',
  ].includes(kind);
}

/**
 * Stripe as the services see it, the only way they reach it: reads are
 * rate-limited (a burst of same-second events cannot exhaust Stripe's rate
 * limit), every creating call carries an idempotency key derived from our ids
 * (a retry after a crash repeats nothing), and Stripe's errors come out as
 * StripeRefusedError (502) or StripeUnavailableError (503).
 */
@Injectable()
export class StripeProvider implements PaymentProvider {
  constructor(
    @Inject(STRIPE_CLIENT) private readonly client: Stripe,
    @Inject(STRIPE_REFETCH_LIMITER) private readonly limiter: RateLimiter,
    @Inject(STRIPE_WRITE_LIMITER) private readonly writeLimiter: RateLimiter,
    @Inject(STRIPE_BREAKER) private readonly breaker: StripeBreaker,
    @Inject(STRIPE_MODE) readonly mode: ProviderMode,
    @Inject(STRIPE_RATE_LIMITED) private readonly rateLimited: Counter,
  ) {}

  /**
   * Creates the Stripe Checkout Session of our checkout `checkoutId`, named in
   * `metadata.aegis_checkout_id`, with an idempotency key derived from it.
   */
  createCheckoutSession(
    checkoutId: string,
    params: Stripe.Checkout.SessionCreateParams,
  ): Promise<Stripe.Checkout.Session> {
    return this.writing(() =>
      this.client.checkout.sessions.create(
        { ...params, metadata: { ...params.metadata, [AEGIS_CHECKOUT_ID_KEY]: checkoutId } },
        { idempotencyKey: `aegis-checkout-${checkoutId}` },
      ),
    );
  }

  /** The payment intent or charge a ledger transaction mirrors, as Stripe has it now. */
  getTransaction(ref: TransactionRef): Promise<Stripe.PaymentIntent | Stripe.Charge> {
    return this.refetch(ref.kind, ref.id);
  }

  /**
   * Creates the Stripe refund of our refund `refundId`, named in
   * `metadata.aegis_refund_id`, with an idempotency key derived from it.
   */
  refund(refundId: string, params: Stripe.RefundCreateParams): Promise<Stripe.Refund> {
    return this.writing(() =>
      this.client.refunds.create(
        { ...params, metadata: { ...params.metadata, [AEGIS_REFUND_ID_KEY]: refundId } },
        { idempotencyKey: `aegis-refund-${refundId}` },
      ),
    );
  }

  verifyWebhook(
    payload: Buffer,
    signatureHeader: string | undefined,
    secrets: readonly string[],
    toleranceSeconds: number,
  ): Stripe.Event {
    return verifyStripeWebhook(payload, signatureHeader, secrets, toleranceSeconds);
  }

  /**
   * One cheap authenticated call (`GET /v1/balance`), outside the breaker and
   * the rate limits, timed: whether Stripe answers, and how fast.
   */
  async healthCheck(): Promise<ProviderHealth> {
    const started = performance.now();
    try {
      // No retries: a health check says how Stripe answers now, and says it fast.
      await this.client.balance.retrieve({}, { maxNetworkRetries: 0 });
      return this.health(started, null);
    } catch (error) {
      return this.health(started, error instanceof Error ? error.message : String(error));
    }
  }

  private health(started: number, error: string | null): ProviderHealth {
    return {
      reachable: error === null,
      latencyMs: Math.round((performance.now() - started) * 10) / 10,
      mode: this.mode,
      circuit: this.breaker.state,
      error,
    };
  }

  async refetch<K extends RefetchableKind>(
    kind: K,
    id: string,
    params: RefetchParams = {},
  ): Promise<RefetchableObjects[K]> {
    const retrieve: { [Kind in RefetchableKind]: () => Promise<RefetchableObjects[Kind]> } = {
      customer: () => this.client.customers.retrieve(id, params),
      charge: () => this.client.charges.retrieve(id, params),
      payment_intent: () => this.client.paymentIntents.retrieve(id, params),
      invoice: () => this.client.invoices.retrieve(id, params),
      subscription: () => this.client.subscriptions.retrieve(id, params),
      'checkout.session': () => this.client.checkout.sessions.retrieve(id, params),
      refund: () => this.client.refunds.retrieve(id, params),
      dispute: () => this.client.disputes.retrieve(id, params),
      'radar.early_fraud_warning': () => this.client.radar.earlyFraudWarnings.retrieve(id, params),
    };
    return this.reading(retrieve[kind]);
  }

  /** One page of events, oldest cursor first as Stripe lists them (newest first). */
  async listEvents(params: Stripe.EventListParams): Promise<Stripe.ApiList<Stripe.Event>> {
    return this.reading(() => this.client.events.list(params));
  }

  /** Every payment of an invoice (an invoice embeds only the first page). */
  async invoicePaymentsOf(invoiceId: string): Promise<Stripe.InvoicePayment[]> {
    return this.reading(() =>
      this.client.invoicePayments
        .list({ invoice: invoiceId, limit: 100 })
        .autoPagingToArray({ limit: 10_000 }),
    );
  }

  /**
   * Creates the Stripe customer of Aegis customer `customerId`, naming it in
   * `metadata.aegis_customer_id`. The idempotency key derives from the id, so
   * two concurrent calls, or a retry after a crash, make one Stripe customer.
   */
  createCustomer(
    customerId: string,
    params: Omit<Stripe.CustomerCreateParams, 'metadata'> & {
      readonly metadata?: Readonly<Record<string, string>>;
    },
  ): Promise<Stripe.Customer> {
    return this.writing(() =>
      this.client.customers.create(
        { ...params, metadata: { ...params.metadata, [AEGIS_CUSTOMER_ID_KEY]: customerId } },
        { idempotencyKey: customerCreationKey(customerId) },
      ),
    );
  }

  /**
   * Creates the Stripe Product of catalogue product `productId`, naming it in
   * `metadata.aegis_product_id`, with an idempotency key derived from the id.
   */
  createProduct(
    productId: string,
    params: WithOwnMetadata<Stripe.ProductCreateParams>,
  ): Promise<Stripe.Product> {
    return this.writing(() =>
      this.client.products.create(
        { ...params, metadata: { ...params.metadata, [AEGIS_PRODUCT_ID_KEY]: productId } },
        { idempotencyKey: productCreationKey(productId) },
      ),
    );
  }

  /**
   * Changes the Stripe Product of `productId` (name, description, unit label,
   * metadata: a key set to `''` is removed, as Stripe unsets it); `changedAt`,
   * the change's own time, makes its idempotency key.
   */
  updateProduct(
    productId: string,
    stripeProductId: string,
    changedAt: Date,
    params: WithOwnMetadata<
      Pick<Stripe.ProductUpdateParams, 'name' | 'description' | 'unit_label'>
    >,
  ): Promise<Stripe.Product> {
    return this.writing(() =>
      this.client.products.update(
        stripeProductId,
        { ...params, metadata: { ...params.metadata, [AEGIS_PRODUCT_ID_KEY]: productId } },
        { idempotencyKey: productUpdateKey(productId, changedAt) },
      ),
    );
  }

  /** Archives the Stripe Product of `productId` (`active=false`): its prices can no longer be bought. */
  archiveProduct(productId: string, stripeProductId: string): Promise<Stripe.Product> {
    return this.writing(() =>
      this.client.products.update(
        stripeProductId,
        { active: false },
        { idempotencyKey: productArchiveKey(productId) },
      ),
    );
  }

  /**
   * Creates the Stripe Price of pricing version `pricingVersionId`, naming it
   * in `metadata.aegis_pricing_version_id`, with an idempotency key derived
   * from the version's id.
   */
  createPrice(
    pricingVersionId: string,
    params: WithOwnMetadata<Stripe.PriceCreateParams>,
  ): Promise<Stripe.Price> {
    return this.writing(() =>
      this.client.prices.create(
        {
          ...params,
          metadata: { ...params.metadata, [AEGIS_PRICING_VERSION_ID_KEY]: pricingVersionId },
        },
        { idempotencyKey: priceCreationKey(pricingVersionId) },
      ),
    );
  }

  /** The customer's default payment method for invoices, or its default source; null when it has neither. */
  async defaultPaymentMethodOf(stripeCustomerId: string): Promise<string | null> {
    const customer = await this.refetch('customer', stripeCustomerId);
    if ('deleted' in customer && customer.deleted === true) return null;
    return (
      idOrNull(customer.invoice_settings.default_payment_method) ??
      idOrNull(customer.default_source)
    );
  }

  /** Creates the Stripe invoice (a draft) of our invoice `invoiceId`, named in `metadata.aegis_invoice_id`. */
  createInvoice(
    invoiceId: string,
    params: WithOwnMetadata<Stripe.InvoiceCreateParams>,
  ): Promise<Stripe.Invoice> {
    return this.writing(() =>
      this.client.invoices.create(
        { ...params, metadata: { ...params.metadata, [AEGIS_INVOICE_ID_KEY]: invoiceId } },
        { idempotencyKey: `aegis-invoice-create-${invoiceId}` },
      ),
    );
  }

  /** Adds our invoice line `lineId` to a Stripe invoice: the line's id is the idempotency key. */
  createInvoiceItem(
    lineId: string,
    params: WithOwnMetadata<Stripe.InvoiceItemCreateParams>,
  ): Promise<Stripe.InvoiceItem> {
    return this.writing(() =>
      this.client.invoiceItems.create(
        { ...params, metadata: { ...params.metadata, [AEGIS_INVOICE_LINE_ID_KEY]: lineId } },
        { idempotencyKey: lineId },
      ),
    );
  }

  /** Finalizes our invoice's Stripe draft, Stripe then advancing it by itself (`auto_advance`). */
  finalizeInvoice(invoiceId: string, stripeInvoiceId: string): Promise<Stripe.Invoice> {
    return this.writing(() =>
      this.client.invoices.finalizeInvoice(
        stripeInvoiceId,
        { auto_advance: true },
        { idempotencyKey: `aegis-invoice-finalize-${invoiceId}` },
      ),
    );
  }

  /** Attempts the payment of a finalized invoice now; a decline is StripeRefusedError with status 402. */
  payInvoice(invoiceId: string, stripeInvoiceId: string): Promise<Stripe.Invoice> {
    return this.writing(() =>
      this.client.invoices.pay(
        stripeInvoiceId,
        {},
        { idempotencyKey: `aegis-invoice-pay-${invoiceId}` },
      ),
    );
  }

  /** Sends a finalized `send_invoice` invoice to its customer. */
  sendInvoice(invoiceId: string, stripeInvoiceId: string): Promise<Stripe.Invoice> {
    return this.writing(() =>
      this.client.invoices.sendInvoice(
        stripeInvoiceId,
        {},
        { idempotencyKey: `aegis-invoice-send-${invoiceId}` },
      ),
    );
  }

  /** Voids a finalized invoice. */
  voidInvoice(invoiceId: string, stripeInvoiceId: string): Promise<Stripe.Invoice> {
    return this.writing(() =>
      this.client.invoices.voidInvoice(
        stripeInvoiceId,
        {},
        { idempotencyKey: `aegis-invoice-void-${invoiceId}` },
      ),
    );
  }

  /** Deletes a draft (Stripe voids only finalized invoices). */
  deleteDraftInvoice(stripeInvoiceId: string): Promise<Stripe.DeletedInvoice> {
    return this.writing(() => this.client.invoices.del(stripeInvoiceId));
  }

  /** Creates the Stripe Product of plan `planId`, named in `metadata.aegis_plan_id`. */
  createPlanProduct(
    planId: string,
    params: WithOwnMetadata<Stripe.ProductCreateParams>,
  ): Promise<Stripe.Product> {
    return this.writing(() =>
      this.client.products.create(
        { ...params, metadata: { ...params.metadata, [AEGIS_PLAN_ID_KEY]: planId } },
        { idempotencyKey: `aegis-plan-product-${planId}` },
      ),
    );
  }

  /** Creates the Stripe Price of plan price `planPriceId` (one amount and interval of a plan). */
  createPlanPrice(
    planId: string,
    planPriceId: string,
    params: WithOwnMetadata<Stripe.PriceCreateParams>,
  ): Promise<Stripe.Price> {
    return this.writing(() =>
      this.client.prices.create(
        { ...params, metadata: { ...params.metadata, [AEGIS_PLAN_ID_KEY]: planId } },
        { idempotencyKey: `aegis-plan-price-${planPriceId}` },
      ),
    );
  }

  /** Creates the Stripe subscription of our subscription `subscriptionId`, named in its metadata. */
  createSubscription(
    subscriptionId: string,
    params: WithOwnMetadata<Stripe.SubscriptionCreateParams>,
  ): Promise<Stripe.Subscription> {
    return this.writing(() =>
      this.client.subscriptions.create(
        {
          ...params,
          metadata: { ...params.metadata, [AEGIS_SUBSCRIPTION_ID_KEY]: subscriptionId },
        },
        { idempotencyKey: `aegis-subscription-create-${subscriptionId}` },
      ),
    );
  }

  /**
   * Changes a Stripe subscription. `commandKey` names the one change (our
   * subscription, the mirror's version it was asked at, and what it asks),
   * so a retry of it repeats nothing.
   */
  updateSubscription(
    stripeSubscriptionId: string,
    commandKey: string,
    params: Stripe.SubscriptionUpdateParams,
  ): Promise<Stripe.Subscription> {
    return this.writing(() =>
      this.client.subscriptions.update(stripeSubscriptionId, params, {
        idempotencyKey: `aegis-subscription-${commandKey}`,
      }),
    );
  }

  /** Cancels a Stripe subscription now. */
  cancelSubscription(
    stripeSubscriptionId: string,
    commandKey: string,
    params: Stripe.SubscriptionCancelParams = {},
  ): Promise<Stripe.Subscription> {
    return this.writing(() =>
      this.client.subscriptions.cancel(stripeSubscriptionId, params, {
        idempotencyKey: `aegis-subscription-${commandKey}`,
      }),
    );
  }

  /** Resumes a subscription Stripe paused (status `paused`). */
  resumeSubscription(
    stripeSubscriptionId: string,
    commandKey: string,
    params: Stripe.SubscriptionResumeParams = {},
  ): Promise<Stripe.Subscription> {
    return this.writing(() =>
      this.client.subscriptions.resume(stripeSubscriptionId, params, {
        idempotencyKey: `aegis-subscription-${commandKey}`,
      }),
    );
  }

  /**
   * Sends a dispute's evidence, submitting it when `submit` (final: Stripe takes
   * one submission). The key names the one update (the dispute and a digest of
   * what is sent), so a retry repeats nothing.
   */
  updateDispute(
    stripeDisputeId: string,
    updateKey: string,
    params: Stripe.DisputeUpdateParams,
  ): Promise<Stripe.Dispute> {
    return this.writing(() =>
      this.client.disputes.update(stripeDisputeId, params, {
        idempotencyKey: `aegis-dispute-update-${stripeDisputeId}-${updateKey}`,
      }),
    );
  }

  /** Concedes a dispute (Stripe's close): it ends `lost` (a warning, `warning_closed`). */
  closeDispute(stripeDisputeId: string): Promise<Stripe.Dispute> {
    return this.writing(() =>
      this.client.disputes.close(
        stripeDisputeId,
        {},
        { idempotencyKey: `aegis-dispute-close-${stripeDisputeId}` },
      ),
    );
  }

  /** The customer's Stripe subscriptions of every status (at most 100: Aegis keeps one live). */
  listSubscriptionsOf(stripeCustomerId: string): Promise<Stripe.Subscription[]> {
    return this.reading(async () => {
      const page = await this.client.subscriptions.list({
        customer: stripeCustomerId,
        status: 'all',
        limit: 100,
      });
      return page.data;
    });
  }

  /** Stripe's preview of the invoice a change would make (nothing changes). */
  previewInvoice(params: Stripe.InvoiceCreatePreviewParams): Promise<Stripe.Invoice> {
    return this.reading(() => this.client.invoices.createPreview(params));
  }

  /**
   * Stripe's time of one of its answers, in seconds, on the clock the
   * object's events are stamped with: the test clock's frozen time when the
   * object runs on one, else the answer's `Date` header (else now).
   */
  async answerTime(answer: object, testClockId: string | null): Promise<number> {
    if (testClockId !== null) return this.testClockTime(testClockId);
    const date = (answer as Partial<Stripe.Response<object>>).lastResponse?.headers.date;
    const parsed = date === undefined ? Number.NaN : Date.parse(date);
    return Math.floor((Number.isNaN(parsed) ? Date.now() : parsed) / 1000);
  }

  /** A test clock's frozen time, in Stripe's seconds. */
  async testClockTime(testClockId: string): Promise<number> {
    const clock = await this.reading(() =>
      this.client.testHelpers.testClocks.retrieve(testClockId),
    );
    return clock.frozen_time;
  }

  /** A read: through the read bucket (STRIPE_REFETCH_PER_SECOND) and 429 back-off, not the breaker. */
  private reading<T>(work: () => Promise<T>): Promise<T> {
    return this.calling(() =>
      writeWithinRateLimit(this.limiter, work, DEFAULT_RATE_LIMIT_BACKOFF, () =>
        this.rateLimited.inc(),
      ),
    );
  }

  /** A write: through the breaker (open: refused at once), the write bucket and 429 back-off. */
  private writing<T>(work: () => Promise<T>): Promise<T> {
    return this.breaker.call(() =>
      this.calling(() => writeWithinRateLimit(this.writeLimiter, work)),
    );
  }

  private async calling<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toStripeDomainError(error);
    }
  }
}
