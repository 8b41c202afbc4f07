/**
 * The gateway's public HTTP API (`../shared/API.md`), declared once: the
 * gateway's response classes implement these shapes, and the CLI, the
 * dashboard and the tests read them. Field names are the public API's
 * (snake_case); messages between services keep their own (camelCase) shapes.
 */

const segment = encodeURIComponent;

export const PUBLIC_API_PATHS = {
  openapi: '/api/v1/openapi.json',
  docs: '/api/docs',
  /** POST a CreateCustomerBodyV1 (201 new, 200 existing); GET: a ListV1<CustomerResourceV1>. */
  customers: '/api/v1/customers',
  customer: (customerId: string): string => `/api/v1/customers/${segment(customerId)}`,
  /** POST a CreateApiKeyBodyV1 (201, CreatedApiKeyV1); GET: a ListV1<ApiKeyResourceV1>. */
  customerApiKeys: (customerId: string): string =>
    `/api/v1/customers/${segment(customerId)}/api_keys`,
  /** POST (no body): the revoked key's ApiKeyResourceV1 (200). */
  revokeApiKey: (keyId: string): string => `/api/v1/api_keys/${segment(keyId)}/revoke`,
  /** POST a RollApiKeyBodyV1: a CreatedApiKeyV1 (201); the old key keeps working for the grace period. */
  rollApiKey: (keyId: string): string => `/api/v1/api_keys/${segment(keyId)}/roll`,
  /** POST a VerifyApiKeyBodyV1 (admin key): a VerifyResultV1, always 200. */
  verifyApiKey: '/api/v1/api_keys/verify',
  stripeEvent: (eventId: string): string => `/api/v1/stripe_events/${segment(eventId)}`,
  /** POST a ReplayStripeEventsBodyV1: a ReplayResultResourceV1. */
  replayStripeEvents: '/api/v1/stripe_events/replay',
  /** POST a StartBackfillBodyV1: a BackfillRunResourceV1 (202). */
  backfills: '/api/v1/stripe_events/backfill',
  backfill: (runId: string): string => `/api/v1/stripe_events/backfills/${segment(runId)}`,
  /** POST a CreateProductBodyV1 (201); GET: a ListV1<ProductResourceV1>. */
  products: '/api/v1/products',
  /** GET, PATCH an UpdateProductBodyV1. */
  product: (productId: string): string => `/api/v1/products/${segment(productId)}`,
  archiveProduct: (productId: string): string => `/api/v1/products/${segment(productId)}/archive`,
  /** PUT a SetPricingBodyV1: a new PricingVersionResourceV1 (201); GET: every version, oldest first. */
  productPricing: (productId: string): string => `/api/v1/products/${segment(productId)}/pricing`,
  /** PUT a SetDiscountBodyV1; DELETE (`?product_id=`) clears it. */
  customerDiscount: (customerId: string): string =>
    `/api/v1/customers/${segment(customerId)}/discount`,
  /** POST a QuoteBodyV1: a QuoteResourceV1. */
  quote: '/api/v1/pricing/quote',
  /** POST a UsageEventBodyV1 or a RecordUsageBodyV1 (202, RecordUsageResultV1); GET (`?customer_id&product_id&start_date&end_date`): a UsageResourceV1. */
  usage: '/api/v1/usage',
  /** GET (`?customer_id&billing_period`): a UsageSummaryV1. */
  usageSummary: '/api/v1/usage/summary',
  /** POST a CreateInvoiceBodyV1 (201 made, 200 the period's invoice existed); GET (InvoiceListQueryV1): a ListV1<InvoiceResourceV1>. */
  invoices: '/api/v1/invoices',
  invoice: (invoiceId: string): string => `/api/v1/invoices/${segment(invoiceId)}`,
  /** POST (no body): the InvoiceResourceV1, finalized at Stripe and collected (200). */
  finalizeInvoice: (invoiceId: string): string => `/api/v1/invoices/${segment(invoiceId)}/finalize`,
  /** POST (no body): the voided InvoiceResourceV1 (200). */
  voidInvoice: (invoiceId: string): string => `/api/v1/invoices/${segment(invoiceId)}/void`,
  /** POST a StartInvoiceRunBodyV1: an InvoiceRunResourceV1 (202, a new run or the period's running one). */
  invoiceRuns: '/api/v1/invoice_runs',
  invoiceRun: (runId: string): string => `/api/v1/invoice_runs/${segment(runId)}`,
  /** POST a CreateCheckoutBodyV1: a CheckoutSessionResourceV1 (201) with Stripe's hosted page. */
  checkout: '/api/v1/payment/checkout',
  checkoutSession: (checkoutId: string): string =>
    `/api/v1/payment/checkout/${segment(checkoutId)}`,
  /** The bundled pages (no key): `?session_id=cs_…` on success. */
  paymentSuccess: '/payment/success',
  paymentCancel: '/payment/cancel',
  /** GET (`?session_id=cs_…`, no key): the success page's CheckoutPageStatusV1, polled while processing. */
  paymentSuccessStatus: '/payment/success/status',
  /** GET (TransactionListQueryV1): a ListV1<TransactionResourceV1>; POST a RecordTransactionBodyV1 (201): a manual one. */
  transactions: '/api/v1/payment/transactions',
  transaction: (transactionId: string): string =>
    `/api/v1/payment/transactions/${segment(transactionId)}`,
  /** POST a CreateRefundBodyV1 (201): a RefundResourceV1; GET (RefundListQueryV1): a ListV1<RefundResourceV1>. */
  refunds: '/api/v1/payment/refunds',
  /** GET (admin key): a PaymentStatusResourceV1, 200 whether Stripe answers or not. */
  paymentStatus: '/api/v1/payment/status',
  /** GET (DisputeListQueryV1, admin key): a ListV1<DisputeResourceV1>. */
  disputes: '/api/v1/payment/disputes',
  /** GET (admin key): a DisputeDetailResourceV1, with its evidence, draft and transaction. */
  dispute: (disputeId: string): string => `/api/v1/payment/disputes/${segment(disputeId)}`,
  /** POST a SubmitDisputeEvidenceBodyV1 (admin key): the DisputeDetailResourceV1 (200). */
  disputeEvidence: (disputeId: string): string =>
    `/api/v1/payment/disputes/${segment(disputeId)}/evidence`,
  /** POST (no body, admin key): the DisputeDetailResourceV1, conceded (`lost`) (200). */
  disputeAccept: (disputeId: string): string =>
    `/api/v1/payment/disputes/${segment(disputeId)}/accept`,
  /** GET (FraudWarningListQueryV1, admin key): a ListV1<FraudWarningResourceV1>. */
  fraudWarnings: '/api/v1/payment/fraud_warnings',
  /** GET: a ListV1<PlanResourceV1>, every plan (has_more false). */
  plans: '/api/v1/plans',
  /** POST a CreateSubscriptionBodyV1 (201): a SubscriptionResourceV1. */
  subscriptions: '/api/v1/subscriptions',
  subscription: (subscriptionId: string): string =>
    `/api/v1/subscriptions/${segment(subscriptionId)}`,
  /** POST a ChangeSubscriptionBodyV1: a ChangeSubscriptionResultV1. */
  changeSubscription: (subscriptionId: string): string =>
    `/api/v1/subscriptions/${segment(subscriptionId)}/change`,
  /** POST a CancelSubscriptionBodyV1: the SubscriptionResourceV1. */
  cancelSubscription: (subscriptionId: string): string =>
    `/api/v1/subscriptions/${segment(subscriptionId)}/cancel`,
  /** POST a PauseSubscriptionBodyV1 (or no body): the SubscriptionResourceV1. */
  pauseSubscription: (subscriptionId: string): string =>
    `/api/v1/subscriptions/${segment(subscriptionId)}/pause`,
  /** POST (no body): the SubscriptionResourceV1. */
  resumeSubscription: (subscriptionId: string): string =>
    `/api/v1/subscriptions/${segment(subscriptionId)}/resume`,
  /** GET: the customer's live SubscriptionResourceV1 (404 when none). */
  customerSubscription: (customerId: string): string =>
    `/api/v1/customers/${segment(customerId)}/subscription`,
  /** GET (`?billing_period=YYYY-MM`): an EntitlementsResourceV1. */
  customerEntitlements: (customerId: string): string =>
    `/api/v1/customers/${segment(customerId)}/entitlements`,
  /** GET: a ListV1<AuditLogEntryV1>. */
  auditLog: '/api/v1/audit_log',
  /** ANY: the metered proxy to route `route`'s upstream. */
  proxy: (route: string, path = ''): string => `/proxy/${segment(route)}/${path}`,
} as const;

/** Where `npm start` keeps the development admin key, relative to the workspace root (git-ignored). */
export const DEV_ADMIN_KEY_FILE = '.aegis/dev-admin-key';
export const DEFAULT_GATEWAY_URL = 'http://127.0.0.1:3000';

/** `Idempotency-Key` replays answer with this header set to `true`. */
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';

/** RFC 9457 problem details, as every error leaves the gateway. */
export interface ProblemV1 {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly code?: string;
  readonly errors?: readonly { readonly field: string; readonly message: string }[];
}

/** `limit` (1–100, default 10), `starting_after` or `ending_before` (an id of the previous page). */
export interface ListQueryV1 {
  readonly limit?: number;
  readonly starting_after?: string;
  readonly ending_before?: string;
}

/** Every list: newest first. */
export interface ListV1<T> {
  readonly object: 'list';
  readonly data: readonly T[];
  readonly has_more: boolean;
}

export interface CreateCustomerBodyV1 {
  readonly id?: string;
  readonly email: string;
  readonly name?: string;
  readonly metadata?: Record<string, string>;
}

export interface CustomerResourceV1 {
  readonly id: string;
  readonly email: string | null;
  readonly name: string | null;
  readonly metadata: Record<string, string>;
  readonly stripe_customer_id: string;
  readonly created_at: string;
}

export interface RateLimitV1 {
  readonly requests: number;
  readonly per_seconds: number;
}

export interface CreateApiKeyBodyV1 {
  readonly name: string;
  readonly scopes: readonly string[];
  readonly expires_at?: string;
  readonly rate_limit?: RateLimitV1;
}

export interface ApiKeyResourceV1 {
  readonly id: string;
  /** The first characters of the key, to recognise it; never enough to use it. */
  readonly prefix: string;
  readonly name: string;
  readonly scopes: readonly string[];
  readonly rate_limit: RateLimitV1;
  readonly customer_id: string;
  readonly created_at: string;
  readonly expires_at: string | null;
  readonly revoked_at: string | null;
  readonly last_used_at: string | null;
  /** The key this one replaced by a roll, if any. */
  readonly rolled_from: string | null;
}

/** Only the answer that creates a key carries the key itself. */
export interface CreatedApiKeyV1 extends ApiKeyResourceV1 {
  readonly key: string;
}

export interface RollApiKeyBodyV1 {
  /** How long the old key keeps working (default 24 h; 0 ends it at once). */
  readonly expires_in_seconds?: number;
}

export interface VerifyUsageV1 {
  readonly product_id: string;
  /** Greater than 0: a number JSON carries exactly, or exact decimal text (at most 12 decimal places). */
  readonly quantity: number | string;
  readonly metadata?: Record<string, string>;
}

export interface VerifyApiKeyBodyV1 {
  readonly key: string;
  readonly scope?: string;
  readonly usage?: VerifyUsageV1;
}

export const VERIFY_FAILURE_REASONS = [
  'unknown',
  'revoked',
  'expired',
  'scope_missing',
  'rate_limited',
] as const;
export type VerifyFailureReason = (typeof VERIFY_FAILURE_REASONS)[number];

export interface RateLimitStateV1 {
  readonly limit: number;
  readonly remaining: number;
  readonly reset_at: string;
}

export type VerifyResultV1 =
  | {
      readonly valid: true;
      readonly key_id: string;
      readonly customer_id: string;
      readonly scopes: readonly string[];
      readonly rate_limit: RateLimitStateV1;
      readonly usage_event_id?: string;
    }
  | {
      readonly valid: false;
      readonly reason: VerifyFailureReason;
      readonly rate_limit?: RateLimitStateV1;
    };

export interface StripeEventAppliedByV1 {
  readonly service: string;
  readonly outcome: string;
  readonly applied_at: string;
  readonly receipts: number;
}

export interface StripeEventResourceV1 {
  readonly id: string;
  readonly type: string;
  readonly stripe_created_at: string;
  readonly livemode: boolean;
  readonly received_at: string;
  readonly received_via: 'webhook' | 'backfill';
  readonly delivery_count: number;
  readonly published_at: string | null;
  readonly replay_count: number;
  readonly applied_by: readonly StripeEventAppliedByV1[];
}

export interface ReplayStripeEventsBodyV1 {
  readonly event_ids?: readonly string[];
  readonly type?: string;
  readonly from?: string;
  readonly to?: string;
  readonly force?: boolean;
}

export interface ReplayResultResourceV1 {
  readonly forced: boolean;
  readonly matched: number;
  readonly republished: number;
  readonly already_pending: number;
  readonly not_found: readonly string[];
}

export interface StartBackfillBodyV1 {
  readonly since?: string;
}

export interface BackfillRunResourceV1 {
  readonly id: string;
  readonly status: 'running' | 'done' | 'failed';
  readonly done: boolean;
  readonly since: string | null;
  readonly pages: number;
  readonly seen: number;
  readonly ingested: number;
  readonly error: string | null;
  readonly started_at: string;
  readonly updated_at: string;
  readonly finished_at: string | null;
}

export interface AuditLogEntryV1 {
  readonly id: string;
  /** The key that made the change (`admin_…` for an admin key). */
  readonly key_id: string;
  /** e.g. `customer.create`, `api_key.revoke`. */
  readonly action: string;
  /** The changed object's id. */
  readonly target: string;
  readonly request_id: string;
  readonly created_at: string;
}

export type PricingTypeV1 = 'outcome' | 'usage';
export type AggregationV1 = 'sum' | 'count' | 'max' | 'unique_count' | 'latest';
export type PricingModelNameV1 = 'per_unit' | 'graduated' | 'volume' | 'package';

export interface CreateProductBodyV1 {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly pricing_type: PricingTypeV1;
  /** Exactly one of base_price_cents and unit_amount_decimal: the first, per-unit pricing. */
  readonly base_price_cents?: number;
  readonly unit_amount_decimal?: string;
  readonly currency: string;
  readonly unit_label?: string;
  readonly aggregation?: AggregationV1;
  /** The metadata key `unique_count` counts distinct values of. */
  readonly aggregation_field?: string;
  readonly metadata?: Record<string, string>;
}

export interface UpdateProductBodyV1 {
  readonly name?: string;
  readonly description?: string;
  readonly unit_label?: string;
  readonly metadata?: Record<string, string>;
}

export interface PricingTierBodyV1 {
  /** The tier's last unit; null for the last, open-ended tier. */
  readonly up_to: number | null;
  readonly price_cents?: number;
  readonly unit_amount_decimal?: string;
  readonly flat_amount_cents?: number;
}

export interface PackageBodyV1 {
  readonly size: number;
  readonly price_cents: number;
  readonly round: 'up' | 'down';
}

export interface SetPricingBodyV1 {
  readonly model: PricingModelNameV1;
  /** per_unit: exactly one of price_cents and unit_amount_decimal. */
  readonly price_cents?: number;
  readonly unit_amount_decimal?: string;
  readonly tiers?: readonly PricingTierBodyV1[];
  readonly package?: PackageBodyV1;
  readonly effective_from?: string;
}

export interface PricingTierResourceV1 {
  readonly up_to: number | null;
  readonly unit_amount_decimal: string;
  readonly flat_amount_cents: number;
}

export interface PricingVersionResourceV1 {
  readonly id: string;
  readonly version: number;
  readonly model: PricingModelNameV1;
  readonly unit_amount_decimal: string | null;
  readonly tiers: readonly PricingTierResourceV1[] | null;
  readonly package: PackageBodyV1 | null;
  readonly effective_from: string;
  readonly stripe_price_id: string | null;
  readonly created_at: string;
}

export interface ProductResourceV1 {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly pricing_type: PricingTypeV1;
  readonly currency: string;
  readonly unit_label: string | null;
  readonly aggregation: AggregationV1 | null;
  readonly aggregation_field: string | null;
  readonly metadata: Record<string, string>;
  readonly stripe_product_id: string | null;
  readonly archived: boolean;
  readonly archived_at: string | null;
  readonly created_at: string;
  readonly updated_at: string;
  /** The pricing version in force now. */
  readonly pricing: PricingVersionResourceV1;
}

export interface SetDiscountBodyV1 {
  readonly percent_off?: number | string;
  readonly amount_off_cents?: number;
  readonly product_id?: string;
  readonly starts_at?: string;
  readonly ends_at?: string;
}

export interface DiscountResourceV1 {
  readonly customer_id: string;
  readonly product_id: string | null;
  readonly percent_off: string | null;
  readonly amount_off_cents: number | null;
  readonly starts_at: string | null;
  readonly ends_at: string | null;
  readonly created_at: string;
}

export interface QuoteBodyV1 {
  readonly product_id: string;
  readonly quantity: number;
  readonly customer_id?: string;
  readonly at?: string;
}

export interface QuoteResourceV1 {
  readonly product_id: string;
  readonly amount_cents: number;
  readonly quantity: number;
  readonly unit_price: string;
  readonly subtotal_cents: number;
  readonly discount_applied: number;
  readonly currency: string;
  readonly tiers: readonly {
    readonly up_to: number | null;
    readonly quantity: number;
    readonly amount_cents: number;
  }[];
  readonly pricing_version_id: string;
}

/** One usage event as the operator sends it (`POST /api/v1/usage`). */
export interface UsageEventBodyV1 {
  /** Optional with a customer key: its own customer. */
  readonly customer_id?: string;
  readonly product_id: string;
  /** A non-negative decimal (number or exact decimal text), at most 12 decimal places; outcome products: a whole number, default 1. */
  readonly quantity?: number | string;
  /** RFC 3339; default now; at most 5 minutes ahead, at most the back-dating horizon (35 days by default) behind. */
  readonly timestamp?: string;
  /** Counted once per (customer_id, idempotency_key), forever. */
  readonly idempotency_key: string;
  readonly metadata?: Record<string, string>;
}

/** Up to 1000 events, stored all or nothing. */
export interface RecordUsageBodyV1 {
  readonly events: readonly UsageEventBodyV1[];
}

export interface RecordUsageResultV1 {
  /** Events stored by this request. */
  readonly accepted: number;
  /** Events already stored (or repeated within the request): not stored again. */
  readonly duplicates: number;
  /** Each event's id in request order; a duplicate's is the stored event's. */
  readonly ids: readonly string[];
  /** The indexes of the duplicates within the request. */
  readonly duplicate_indexes: readonly number[];
}

export interface UsageEventResourceV1 {
  readonly id: string;
  readonly customer_id: string;
  readonly product_id: string;
  readonly quantity: string;
  readonly timestamp: string;
  readonly idempotency_key: string;
  readonly metadata: Record<string, string>;
  /** Recorded for a billing period already invoiced: billed as an adjustment. */
  readonly late: boolean;
  readonly api_key_id: string | null;
  readonly received_at: string;
  /** The invoice, and its line, that billed the event; null until one has. */
  readonly invoice_id: string | null;
  readonly invoice_line_id: string | null;
}

/** A product's value for a customer over a range; quantities are exact decimal text. */
export interface UsageValueResourceV1 {
  readonly product_id: string;
  readonly pricing_type: PricingTypeV1;
  readonly aggregation: AggregationV1;
  readonly aggregation_field: string | null;
  readonly value: string;
  readonly total_quantity: string;
  readonly event_count: number;
  readonly late_event_count: number;
  /** The earliest and latest event timestamps in the range, null without events. */
  readonly first_event_at: string | null;
  readonly last_event_at: string | null;
}

/** `GET /api/v1/usage`: the seed's `get_usage`, with the range's events (one page, newest first). */
export interface UsageResourceV1 extends UsageValueResourceV1 {
  readonly customer_id: string;
  readonly start_date: string;
  /** Inclusive. */
  readonly end_date: string;
  /** Every event committed before this instant is counted. */
  readonly usage_through: string;
  readonly events: ListV1<UsageEventResourceV1>;
}

export interface UsageSummaryV1 {
  readonly customer_id: string;
  readonly billing_period: string;
  readonly usage_through: string;
  /** When billing closed the period (invoiced it), if it has. */
  readonly closed_at: string | null;
  readonly products: readonly UsageValueResourceV1[];
}

export type InvoiceStatusV1 =
  'draft' | 'open' | 'paid' | 'payment_failed' | 'uncollectible' | 'void';
export type InvoiceLineKindV1 = 'usage' | 'late_usage';
export type InvoiceRunStatusV1 = 'running' | 'completed';

/** `POST /api/v1/invoices`: the customer's invoice for the period, made from its metered usage. */
export interface CreateInvoiceBodyV1 {
  readonly customer_id: string;
  /** YYYY-MM (UTC). */
  readonly billing_period: string;
  /** false: leave it a draft (at Stripe too) until `finalize`. Default true. */
  readonly auto_finalize?: boolean;
}

/** `GET /api/v1/invoices`'s filters beside the page; a customer key sees only its own customer's. */
export interface InvoiceListQueryV1 extends ListQueryV1 {
  readonly customer_id?: string;
  readonly billing_period?: string;
  readonly status?: InvoiceStatusV1;
}

/** One line of an invoice: which usage it prices (product, period, event count, value). */
export interface InvoiceLineResourceV1 {
  readonly id: string;
  /** `usage`: the period's own; `late_usage`: an adjustment for an earlier period's late usage. */
  readonly kind: InvoiceLineKindV1;
  readonly product_id: string;
  /** The period whose usage the line prices (an earlier one for `late_usage`). */
  readonly billing_period: string;
  readonly description: string;
  readonly aggregation: AggregationV1;
  /** The value priced, exact decimal text (for `late_usage`, the period's whole value now). */
  readonly value: string;
  /** For `late_usage`: the value billed before; `'0'` for `usage`. */
  readonly previously_billed_value: string;
  readonly event_count: number;
  readonly first_event_at: string | null;
  readonly last_event_at: string | null;
  /** Every event of the period committed before this instant is priced. */
  readonly usage_through: string;
  readonly pricing_version_id: string;
  /** Minor units; negative only for a `late_usage` line that lowers a `latest` value. */
  readonly subtotal_cents: number;
  readonly discount_cents: number;
  /** subtotal_cents − discount_cents. */
  readonly amount_cents: number;
  readonly stripe_invoice_item_id: string | null;
}

export interface InvoiceResourceV1 {
  readonly id: string;
  readonly object: 'invoice';
  readonly customer_id: string;
  readonly billing_period: string;
  readonly status: InvoiceStatusV1;
  readonly currency: string;
  readonly lines: readonly InvoiceLineResourceV1[];
  readonly subtotal_cents: number;
  readonly discount_cents: number;
  /** subtotal_cents − discount_cents, never below zero. */
  readonly amount_due: number;
  readonly amount_paid: number;
  /** `charge_automatically` (the customer has a default payment method) or `send_invoice`. */
  readonly collection_method: string | null;
  readonly stripe_invoice_id: string | null;
  readonly hosted_invoice_url: string | null;
  readonly invoice_pdf: string | null;
  /** True while the Stripe side is not finished (a crash or an outage interrupted it). */
  readonly pending_stripe: boolean;
  /** Why the last attempt to finish the Stripe side failed, if it did. */
  readonly last_error: string | null;
  readonly finalized_at: string | null;
  readonly paid_at: string | null;
  readonly created_at: string;
}

/** `POST /api/v1/invoice_runs`: invoice every customer with usage in the period. */
export interface StartInvoiceRunBodyV1 {
  readonly billing_period: string;
}

export interface InvoiceRunProgressV1 {
  /** Customers to invoice; null until they have all been listed. */
  readonly total: number | null;
  readonly done: number;
  readonly failed: number;
}

export interface InvoiceRunFailureResourceV1 {
  readonly customer_id: string;
  readonly reason: string;
}

export interface InvoiceRunResourceV1 {
  readonly id: string;
  readonly object: 'invoice_run';
  readonly billing_period: string;
  readonly status: InvoiceRunStatusV1;
  readonly progress: InvoiceRunProgressV1;
  readonly failures: readonly InvoiceRunFailureResourceV1[];
  readonly created_at: string;
  readonly completed_at: string | null;
}

export type CheckoutModeV1 = 'payment' | 'subscription';
export type CheckoutStatusV1 = 'open' | 'processing' | 'paid' | 'payment_failed' | 'expired';

/**
 * `POST /api/v1/payment/checkout`: `mode=payment` with an outcome product's
 * `product_id` (and `quantity`), `mode=subscription` with a `plan_id`.
 * Redirect URLs default to PAYMENT_SUCCESS_URL / PAYMENT_CANCEL_URL, else the
 * bundled pages; any other must be on an allowed host.
 */
export interface CreateCheckoutBodyV1 {
  readonly customer_id: string;
  readonly mode: CheckoutModeV1;
  readonly product_id?: string;
  readonly plan_id?: string;
  /** `mode=subscription` with a plan: its interval (default monthly). */
  readonly billing_interval?: PlanBillingIntervalV1;
  readonly quantity?: number;
  readonly success_url?: string;
  readonly cancel_url?: string;
}

/** A checkout: `{id, url, expires_at}` as API.md names them, and what it is and how far it got. */
export interface CheckoutSessionResourceV1 {
  readonly id: string;
  readonly object: 'checkout_session';
  /** Stripe's hosted page; null once the session is complete or expired. */
  readonly url: string | null;
  readonly expires_at: string;
  readonly customer_id: string;
  readonly mode: CheckoutModeV1;
  readonly product_id: string | null;
  readonly plan_id: string | null;
  /** A plan checkout's interval; null otherwise. */
  readonly billing_interval: PlanBillingIntervalV1 | null;
  readonly name: string;
  readonly quantity: number;
  /** Minor units, as Stripe totals the session. */
  readonly amount_total: number | null;
  readonly currency: string;
  readonly status: CheckoutStatusV1;
  readonly stripe_checkout_session_id: string;
  readonly stripe_price_id: string;
  readonly success_url: string;
  readonly cancel_url: string;
  readonly stripe_payment_intent_id: string | null;
  readonly stripe_subscription_id: string | null;
  /** The ledger's transaction of the latest payment attempt, once there is one. */
  readonly transaction_id: string | null;
  readonly transaction_status: string | null;
  readonly completed_at: string | null;
  readonly created_at: string;
}

/** `GET /payment/success/status?session_id=`: what the success page shows, for its updates. */
export interface CheckoutPageStatusV1 {
  readonly status: CheckoutStatusV1;
  readonly name: string;
  readonly quantity: number;
  readonly amount_total: number | null;
  readonly currency: string;
}

export type TransactionStatusV1 =
  | 'pending'
  | 'processing'
  | 'succeeded'
  | 'failed'
  | 'refunded'
  | 'partially_refunded'
  | 'cancelled';
export type TransactionSourceV1 = 'stripe' | 'manual';
export type RefundStatusV1 = 'pending' | 'succeeded' | 'failed' | 'canceled';
export type RefundReasonV1 = 'duplicate' | 'fraudulent' | 'requested_by_customer';
/** Stripe's dispute statuses, as a transaction's `dispute` shows them. */
export type TransactionDisputeStatusV1 =
  | 'warning_needs_response'
  | 'warning_under_review'
  | 'warning_closed'
  | 'needs_response'
  | 'under_review'
  | 'won'
  | 'lost';

/** `GET /api/v1/payment/transactions`'s filters; dates YYYY-MM-DD (UTC), both ends included. */
export interface TransactionListQueryV1 extends ListQueryV1 {
  readonly customer_id?: string;
  readonly status?: TransactionStatusV1;
  readonly start_date?: string;
  readonly end_date?: string;
}

/** `POST /api/v1/payment/transactions`: money taken outside Stripe (the seed's `record_transaction`). */
export interface RecordTransactionBodyV1 {
  readonly customer_id: string;
  readonly amount_cents: number;
  readonly currency: string;
  readonly description: string;
  readonly stripe_invoice_id?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** `POST /api/v1/payment/refunds`: without `amount_cents`, the whole of what is left. */
export interface CreateRefundBodyV1 {
  readonly transaction_id: string;
  readonly amount_cents?: number;
  readonly reason?: RefundReasonV1;
}

export interface RefundListQueryV1 extends ListQueryV1 {
  readonly customer_id?: string;
  readonly transaction_id?: string;
  readonly status?: RefundStatusV1;
}

export interface RefundResourceV1 {
  readonly id: string;
  readonly object: 'refund';
  readonly transaction_id: string;
  readonly customer_id: string | null;
  readonly amount_cents: number;
  readonly currency: string;
  readonly reason: RefundReasonV1 | null;
  readonly status: RefundStatusV1;
  readonly failure_reason: string | null;
  /** `aegis`: asked for through this API; `stripe`: made at Stripe and mirrored. */
  readonly origin: 'aegis' | 'stripe';
  readonly stripe_refund_id: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

/** One payment of the ledger: what it paid for, its invoice or checkout session, its refunds. */
export interface TransactionResourceV1 {
  readonly id: string;
  readonly object: 'transaction';
  readonly customer_id: string | null;
  readonly source: TransactionSourceV1;
  readonly status: TransactionStatusV1;
  readonly amount_cents: number;
  readonly amount_refunded_cents: number;
  /** What a new refund may still take (in-flight refunds counted). */
  readonly amount_refundable_cents: number;
  readonly currency: string;
  readonly description: string | null;
  /** Why a failed payment failed: the issuer's decline code, else Stripe's failure code. */
  readonly failure_code: string | null;
  /** Stripe's message for the customer about the failure. */
  readonly failure_message: string | null;
  readonly product_id: string | null;
  readonly plan_id: string | null;
  readonly invoice_id: string | null;
  readonly stripe_invoice_id: string | null;
  readonly stripe_checkout_session_id: string | null;
  readonly stripe_payment_intent_id: string | null;
  readonly stripe_charge_id: string | null;
  readonly billing_period_start: string | null;
  readonly billing_period_end: string | null;
  readonly metadata: Readonly<Record<string, string>>;
  readonly refunds: readonly RefundResourceV1[];
  /** Its charge's latest dispute; null when it was never disputed. */
  readonly dispute: TransactionDisputeResourceV1 | null;
  readonly created_at: string;
  readonly updated_at: string;
}

/** A transaction's dispute (`dispute` of a transaction): the disputes service's, as billing last heard of it. */
export interface TransactionDisputeResourceV1 {
  /** The dispute's id (the disputes service's). */
  readonly id: string;
  readonly status: TransactionDisputeStatusV1;
  /** Disputed amount, minor units of the transaction's currency. */
  readonly amount_cents: number;
  /** Stripe's dispute fees net of reinstatements; null when not known yet. */
  readonly fee_cents: number | null;
  readonly reason: string;
  readonly evidence_due_by: string | null;
}

/** Stripe's dispute statuses (`GET /api/v1/payment/disputes?status=`). */
export type DisputeStatusV1 = TransactionDisputeStatusV1;

/** Stripe's text evidence fields, as Stripe names them (`evidence[...]`); file evidence goes in `uncategorized_text`. */
export type DisputeEvidenceFieldV1 =
  | 'access_activity_log'
  | 'billing_address'
  | 'cancellation_policy_disclosure'
  | 'cancellation_rebuttal'
  | 'customer_email_address'
  | 'customer_name'
  | 'customer_purchase_ip'
  | 'duplicate_charge_explanation'
  | 'duplicate_charge_id'
  | 'product_description'
  | 'refund_policy_disclosure'
  | 'refund_refusal_explanation'
  | 'service_date'
  | 'shipping_address'
  | 'shipping_carrier'
  | 'shipping_date'
  | 'shipping_tracking_number'
  | 'uncategorized_text';

/** Evidence as text: every field of Stripe's, null when it holds nothing. */
export type DisputeEvidenceResourceV1 = Readonly<Record<DisputeEvidenceFieldV1, string | null>>;

/**
 * `POST /api/v1/payment/disputes/{id}/evidence`: the text fields to send (each
 * at most 20 000 characters, 150 000 together), saved at Stripe; `submit`
 * true sends everything Stripe holds to the bank, once and for good.
 */
export type SubmitDisputeEvidenceBodyV1 = Readonly<
  Partial<Record<DisputeEvidenceFieldV1, string>>
> & {
  readonly submit?: boolean;
};

/** One change of a dispute's status. */
export interface DisputeHistoryEntryResourceV1 {
  /** null for the dispute's first status. */
  readonly from_status: DisputeStatusV1 | null;
  readonly to_status: DisputeStatusV1;
  /** The Stripe event (or, for Aegis's own call, Stripe's request id) that made the change. */
  readonly source: string;
  /** The event's type (`charge.dispute.created`, …), or `aegis.dispute.evidence` / `aegis.dispute.accept` for Aegis's own call. */
  readonly source_type: string;
  readonly at: string;
}

/** A dispute of a charge, mirrored from Stripe by the disputes service. */
export interface DisputeResourceV1 {
  readonly id: string;
  readonly object: 'dispute';
  readonly customer_id: string | null;
  /** The ledger's transaction of the disputed charge, once billing has it. */
  readonly transaction_id: string | null;
  readonly status: DisputeStatusV1;
  /** Stripe's reason, e.g. `fraudulent`. */
  readonly reason: string;
  /** Disputed amount, minor units. */
  readonly amount_cents: number;
  readonly currency: string;
  /** Stripe's dispute fees net of reinstatements; null when not known yet. */
  readonly fee_cents: number | null;
  /** What Stripe has taken out of the balance for it (given back when won). */
  readonly amount_withdrawn_cents: number;
  /** The last moment to submit evidence; null when Stripe names none. */
  readonly evidence_due_by: string | null;
  /** Evidence was submitted to the bank: nothing more can be sent. */
  readonly evidence_submitted: boolean;
  readonly stripe_dispute_id: string;
  readonly stripe_charge_id: string;
  readonly stripe_payment_intent_id: string | null;
  /** Every status it went through, oldest first. */
  readonly history: readonly DisputeHistoryEntryResourceV1[];
  readonly created_at: string;
  readonly updated_at: string;
}

/** `GET /api/v1/payment/disputes/{id}` (and the answer to evidence and accept). */
export interface DisputeDetailResourceV1 extends DisputeResourceV1 {
  /** The evidence Stripe holds now. */
  readonly evidence: DisputeEvidenceResourceV1;
  /** A draft from what Aegis knows (customer, product, invoice, usage, refund policy), to send as it is or edited. */
  readonly evidence_draft: DisputeEvidenceResourceV1;
  /** The disputed transaction of the ledger; null until billing has it. */
  readonly transaction: TransactionResourceV1 | null;
}

/** `GET /api/v1/payment/disputes`'s filters. */
export interface DisputeListQueryV1 extends ListQueryV1 {
  readonly status?: DisputeStatusV1;
  readonly customer_id?: string;
}

/** What was decided about an early fraud warning. */
export type FraudWarningDecisionV1 =
  'refunded' | 'not_actionable' | 'kept' | 'already_handled' | 'refund_failed';

/** An early fraud warning (Stripe Radar's), with what Aegis decided about it. */
export interface FraudWarningResourceV1 {
  readonly id: string;
  readonly object: 'fraud_warning';
  readonly customer_id: string | null;
  /** Stripe still lets the charge be disputed for it. */
  readonly actionable: boolean;
  /** Stripe's fraud type, e.g. `made_with_stolen_card`. */
  readonly fraud_type: string;
  /** null while undecided. */
  readonly decision: FraudWarningDecisionV1 | null;
  /** The refund billing made (`rf_…`), when the decision was `refunded`. */
  readonly refund_id: string | null;
  /** Why: the threshold, Stripe's or billing's refusal, … */
  readonly decision_detail: string | null;
  readonly stripe_warning_id: string;
  readonly stripe_charge_id: string;
  readonly stripe_payment_intent_id: string | null;
  readonly created_at: string;
}

/** `GET /api/v1/payment/fraud_warnings`'s filters. */
export interface FraudWarningListQueryV1 extends ListQueryV1 {
  readonly customer_id?: string;
}

/** One currency's revenue in the ledger (`GET /api/v1/payment/status`), minor units. */
export interface CurrencyRevenueResourceV1 {
  /** Every succeeded charge, refunded since or not. */
  readonly gross_cents: number;
  readonly refunded_cents: number;
  /** Lost disputes' amounts, per charge at most what its refunds left of it. */
  readonly disputed_cents: number;
  /** Stripe's fees of every dispute, won or lost (net of reinstatements). */
  readonly dispute_fees_cents: number;
  /** gross − refunded − disputed − dispute fees. */
  readonly net_cents: number;
  readonly transaction_count: number;
}

/** `GET /api/v1/payment/status`: the payment provider's health and the ledger at a glance. */
export interface PaymentStatusResourceV1 {
  readonly object: 'payment_status';
  readonly provider: 'stripe';
  /** Whether Stripe answered the health call (`GET /v1/balance`) just now. */
  readonly reachable: boolean;
  readonly latency_ms: number;
  /** `sandbox` when the sandbox serves, `test` for `sk_test_`, `live` for `sk_live_`. */
  readonly mode: 'sandbox' | 'test' | 'live';
  /** The breaker in front of Stripe writes: `open` answers writes at once with 503. */
  readonly circuit: 'closed' | 'open' | 'half_open';
  /** Why Stripe is not reachable. */
  readonly provider_error: string | null;
  /** The ledger's transactions: `total` and one count per status (0 included). */
  readonly transactions: {
    readonly total: number;
    readonly by_status: Readonly<Record<string, number>>;
  };
  /** By currency (lower case). */
  readonly revenue: Readonly<Record<string, CurrencyRevenueResourceV1>>;
  /** Active, trialing and past-due subscriptions; null when the subscriptions service did not answer. */
  readonly active_subscriptions: number | null;
  readonly subscriptions_error: string | null;
  readonly checked_at: string;
}

export type PlanIdV1 = 'junior' | 'analyst' | 'lead' | 'principal';
export type PlanBillingIntervalV1 = 'monthly' | 'yearly';
export type SubscriptionStatusV1 =
  | 'incomplete'
  | 'incomplete_expired'
  | 'trialing'
  | 'active'
  | 'past_due'
  | 'canceled'
  | 'unpaid'
  | 'paused';

/** One interval's price of a plan. */
export interface PlanPriceResourceV1 {
  readonly billing_interval: PlanBillingIntervalV1;
  /** Minor units per interval; null for a custom plan (principal). */
  readonly price_cents: number | null;
  readonly stripe_price_id: string | null;
}

/** `GET /api/v1/plans`: the agent-as-employee plans (seed 000). */
export interface PlanResourceV1 {
  readonly id: PlanIdV1;
  readonly name: string;
  /** The monthly price in minor units; null for a custom plan. */
  readonly price_cents: number | null;
  /** The interval `price_cents` is for: always `monthly`. */
  readonly billing_interval: 'monthly';
  readonly yearly_price_cents: number | null;
  readonly currency: string;
  /** Hours included per calendar month; null: unlimited. */
  readonly included_hours: number | null;
  /** Minor units per hour above the included ones; null when hours are unlimited. */
  readonly overage_price_cents: number | null;
  /** Each subscription names its own price (`price_cents` at creation, admin key only). */
  readonly custom: boolean;
  readonly prices: readonly PlanPriceResourceV1[];
}

/** `POST /api/v1/subscriptions`. */
export interface CreateSubscriptionBodyV1 {
  readonly customer_id: string;
  readonly plan_id: PlanIdV1;
  readonly billing_interval: PlanBillingIntervalV1;
  readonly trial_days?: number;
  /** The principal plan's price for this customer (required there, refused elsewhere). */
  readonly price_cents?: number;
}

export interface PauseCollectionResourceV1 {
  readonly behavior: 'keep_as_draft' | 'mark_uncollectible' | 'void';
  readonly resumes_at: string | null;
}

/** A subscription, in the seed's shape (`get_active_subscription`), wherever one is answered. */
export interface SubscriptionResourceV1 {
  readonly id: string;
  readonly customer_id: string;
  /** null for a subscription made outside Aegis on a price that is no plan's. */
  readonly plan_id: PlanIdV1 | null;
  readonly price_cents: number | null;
  readonly currency: string;
  readonly billing_interval: PlanBillingIntervalV1 | null;
  readonly status: SubscriptionStatusV1;
  readonly current_period_start: string | null;
  readonly current_period_end: string | null;
  readonly trial_start: string | null;
  readonly trial_end: string | null;
  readonly cancel_at_period_end: boolean;
  readonly cancel_at: string | null;
  readonly canceled_at: string | null;
  readonly ended_at: string | null;
  /** Set while Stripe's collection is paused. */
  readonly pause_collection: PauseCollectionResourceV1 | null;
  readonly stripe_subscription_id: string;
  readonly created_at: string;
  readonly updated_at: string;
}

/** `POST /api/v1/subscriptions/{id}/change`. */
export interface ChangeSubscriptionBodyV1 {
  readonly plan_id: PlanIdV1;
  /** `now`: prorated and invoiced at once; `period_end`: the new price from the next period. */
  readonly when: 'now' | 'period_end';
  readonly billing_interval?: PlanBillingIntervalV1;
  readonly price_cents?: number;
  /** Only Stripe's proration for the change; nothing changed. */
  readonly preview?: boolean;
  /** The instant to prorate at (default now): a preview's, to bill exactly what it showed. */
  readonly proration_date?: string;
}

export interface ProrationLineResourceV1 {
  readonly description: string;
  /** Minor units; negative for the credit of unused time. */
  readonly amount_cents: number;
  readonly proration: boolean;
}

export interface ChangePreviewResourceV1 {
  readonly proration_cents: number;
  readonly currency: string;
  readonly proration_date: string;
  readonly lines: readonly ProrationLineResourceV1[];
}

export interface ChangeSubscriptionResultV1 {
  readonly subscription: SubscriptionResourceV1;
  /** With `preview`: the proration Stripe would invoice; the subscription unchanged. */
  readonly preview: ChangePreviewResourceV1 | null;
  /** `when: now`: Stripe's invoice of the proration, when it made one. */
  readonly stripe_invoice_id: string | null;
}

/** `POST /api/v1/subscriptions/{id}/cancel`. */
export interface CancelSubscriptionBodyV1 {
  readonly at_period_end: boolean;
}

/** `POST /api/v1/subscriptions/{id}/pause`: without `resumes_at`, until resumed. */
export interface PauseSubscriptionBodyV1 {
  readonly resumes_at?: string;
}

/**
 * `GET /api/v1/customers/{id}/entitlements`: the plan's hours in a billing
 * period. Hours are exact decimal text (up to 12 decimal places), as usage
 * values are; `included_hours` and `remaining_hours` null mean unlimited.
 */
export interface EntitlementsResourceV1 {
  readonly customer_id: string;
  readonly plan_id: PlanIdV1;
  readonly subscription_id: string;
  readonly billing_period: string;
  readonly hours_product_id: string;
  readonly included_hours: string | null;
  readonly used_hours: string;
  readonly remaining_hours: string | null;
  readonly overage_hours: string;
  readonly overage_price_cents: number | null;
  readonly currency: string;
  readonly entitled: boolean;
  /** Every usage event committed before this instant is in `used_hours`. */
  readonly usage_through: string;
}
