import {
  BILLING_TRANSACTION_CREATED_V1,
  BILLING_TRANSACTION_UPDATED_V1,
  BillingTransactionV1,
} from './events/billing-transaction.v1.js';
import { BILLING_CUSTOMER_CREATED_V1, BillingCustomerV1 } from './events/billing-customer.v1.js';
import { STRIPE_EVENT_APPLIED_V1, StripeEventAppliedV1 } from './events/stripe-event-applied.v1.js';
import {
  StripeEventPayload,
  isStripeEventName,
  type StripeEventName,
  type StripeEventOf,
} from './events/stripe-event.js';
import {
  SUBSCRIPTION_CREATED_V1,
  SUBSCRIPTION_ENDED_V1,
  SUBSCRIPTION_UPDATED_V1,
  SubscriptionStateV1,
} from './events/subscription.v1.js';
import { USAGE_RECORDED_V1, UsageRecordedV1 } from './events/usage-recorded.v1.js';
import { USAGE_RECORDED_V2, UsageRecordedV2 } from './events/usage-recorded.v2.js';
import {
  CATALOG_PRODUCT_CREATED_V1,
  CATALOG_PRODUCT_UPDATED_V1,
  CatalogProductV1,
} from './events/catalog-product.v1.js';
import {
  BILLING_DISCOUNT_CLEAR_V1,
  BILLING_DISCOUNT_SET_V1,
  BILLING_PRICING_LIST_V1,
  BILLING_PRICING_SET_V1,
  BILLING_PRODUCT_ARCHIVE_V1,
  BILLING_PRODUCT_CREATE_V1,
  BILLING_PRODUCT_GET_V1,
  BILLING_PRODUCT_LIST_V1,
  BILLING_PRODUCT_UPDATE_V1,
  BILLING_QUOTE_V1,
} from './rpc/catalog.v1.js';
import { BILLING_CUSTOMER_GET_OR_CREATE_V1 } from './rpc/customer-get-or-create.v1.js';
import { BILLING_CUSTOMER_GET_V1 } from './rpc/customer-get.v1.js';
import { BILLING_CUSTOMER_LIST_V1 } from './rpc/customer-list.v1.js';
import { SYSTEM_PING_V1 } from './rpc/ping.v1.js';
import type { RpcRoute } from './rpc/rpc-route.js';
import {
  METERING_USAGE_PERIOD_V1,
  METERING_USAGE_QUERY_V1,
  METERING_USAGE_RECORD_V1,
} from './rpc/usage.v1.js';
import {
  BILLING_INVOICE_CREATE_V1,
  BILLING_INVOICE_FINALIZE_V1,
  BILLING_INVOICE_GET_V1,
  BILLING_INVOICE_LIST_V1,
  BILLING_INVOICE_RUN_GET_V1,
  BILLING_INVOICE_RUN_START_V1,
  BILLING_INVOICE_VOID_V1,
} from './rpc/invoices.v1.js';
import {
  BILLING_CHECKOUT_CREATE_V1,
  BILLING_CHECKOUT_GET_V1,
  BILLING_CHECKOUT_PUBLIC_VIEW_V1,
} from './rpc/checkout.v1.js';
import {
  BILLING_REFUND_CREATE_V1,
  BILLING_REFUND_LIST_V1,
  BILLING_TRANSACTION_GET_V1,
  BILLING_TRANSACTION_LIST_V1,
  BILLING_TRANSACTION_RECORD_V1,
} from './rpc/ledger.v1.js';
import { BILLING_PAYMENT_STATUS_V1, SUBSCRIPTIONS_COUNT_V1 } from './rpc/payment-status.v1.js';
import {
  BILLING_METRICS_V1,
  BILLING_REVENUE_BY_PRODUCT_V1,
  BILLING_REVENUE_TIMESERIES_V1,
  BILLING_REVENUE_V1,
} from './rpc/revenue.v1.js';
import {
  SUBSCRIPTIONS_PLAN_LIST_V1,
  SUBSCRIPTIONS_CREATE_V1,
  SUBSCRIPTIONS_GET_V1,
  SUBSCRIPTIONS_LIVE_V1,
  SUBSCRIPTIONS_CHANGE_V1,
  SUBSCRIPTIONS_CANCEL_V1,
  SUBSCRIPTIONS_PAUSE_V1,
  SUBSCRIPTIONS_RESUME_V1,
  SUBSCRIPTIONS_ENTITLEMENTS_V1,
  SUBSCRIPTIONS_OVERAGE_TERMS_V1,
} from './rpc/subscriptions.v1.js';
import {
  DISPUTES_LIST_V1,
  DISPUTES_GET_V1,
  DISPUTES_EVIDENCE_V1,
  DISPUTES_ACCEPT_V1,
  DISPUTES_FRAUD_WARNING_LIST_V1,
  BILLING_TRANSACTION_OF_STRIPE_V1,
} from './rpc/disputes.v1.js';
import {
  DISPUTE_CLOSED_V1,
  DISPUTE_CREATED_V1,
  DISPUTE_DEADLINE_APPROACHING_V1,
  DISPUTE_UPDATED_V1,
  DisputeStateV1,
} from './events/dispute.v1.js';
import {
  MESSAGE_DEAD_LETTERED_V1,
  MessageDeadLetteredV1,
  STRIPE_EVENT_NOT_APPLIED_V1,
  StripeEventNotAppliedV1,
  WEBHOOK_BAD_SIGNATURE_BURST_V1,
  WebhookBadSignatureBurstV1,
} from './events/webhook-processing.v1.js';
import { METERING_USAGE_CLAIM_V1, METERING_USAGE_CUSTOMERS_V1 } from './rpc/usage-claims.v1.js';
import {
  INGEST_BACKFILL_GET_V1,
  INGEST_BACKFILL_START_V1,
  INGEST_STRIPE_EVENT_GET_V1,
  INGEST_STRIPE_EVENT_REPLAY_V1,
} from './rpc/stripe-events.v1.js';

type PayloadClass = new () => object;

/**
 * Every domain event: name to payload class. Publishing or handling an event
 * with the wrong payload type fails to compile, and the class validates the
 * payload at run time. Do not change an entry in place: a breaking change is a
 * new `.v<N+1>` entry, and the old one stays until every consumer has moved.
 */
export const EVENT_PAYLOADS = {
  [USAGE_RECORDED_V1]: UsageRecordedV1,
  [USAGE_RECORDED_V2]: UsageRecordedV2,
  [CATALOG_PRODUCT_CREATED_V1]: CatalogProductV1,
  [CATALOG_PRODUCT_UPDATED_V1]: CatalogProductV1,
  [STRIPE_EVENT_APPLIED_V1]: StripeEventAppliedV1,
  [BILLING_CUSTOMER_CREATED_V1]: BillingCustomerV1,
  [BILLING_TRANSACTION_CREATED_V1]: BillingTransactionV1,
  [BILLING_TRANSACTION_UPDATED_V1]: BillingTransactionV1,
  [SUBSCRIPTION_CREATED_V1]: SubscriptionStateV1,
  [SUBSCRIPTION_UPDATED_V1]: SubscriptionStateV1,
  [SUBSCRIPTION_ENDED_V1]: SubscriptionStateV1,
  [DISPUTE_CREATED_V1]: DisputeStateV1,
  [DISPUTE_UPDATED_V1]: DisputeStateV1,
  [DISPUTE_CLOSED_V1]: DisputeStateV1,
  [DISPUTE_DEADLINE_APPROACHING_V1]: DisputeStateV1,
  [MESSAGE_DEAD_LETTERED_V1]: MessageDeadLetteredV1,
  [WEBHOOK_BAD_SIGNATURE_BURST_V1]: WebhookBadSignatureBurstV1,
  [STRIPE_EVENT_NOT_APPLIED_V1]: StripeEventNotAppliedV1,
} as const satisfies Record<string, PayloadClass>;

type DomainEventName = keyof typeof EVENT_PAYLOADS;

/** Our own events, and Stripe's events as webhook-ingest fans them out (`stripe.<type>`). */
export type EventName = DomainEventName | StripeEventName;
export type EventPayload<K extends EventName> = K extends StripeEventName
  ? StripeEventOf<K>
  : K extends DomainEventName
    ? InstanceType<(typeof EVENT_PAYLOADS)[K]>
    : never;

/** The class that validates an event's payload at run time. */
export function payloadClassOf(name: EventName): PayloadClass {
  return isStripeEventName(name) ? StripeEventPayload : EVENT_PAYLOADS[name];
}

/** Every request/reply route, by name: the server finds a request's classes here. */
export const RPC_ROUTES = {
  [SYSTEM_PING_V1.name]: SYSTEM_PING_V1,
  [BILLING_CUSTOMER_GET_OR_CREATE_V1.name]: BILLING_CUSTOMER_GET_OR_CREATE_V1,
  [BILLING_PRODUCT_CREATE_V1.name]: BILLING_PRODUCT_CREATE_V1,
  [BILLING_PRODUCT_GET_V1.name]: BILLING_PRODUCT_GET_V1,
  [BILLING_PRODUCT_LIST_V1.name]: BILLING_PRODUCT_LIST_V1,
  [BILLING_PRODUCT_UPDATE_V1.name]: BILLING_PRODUCT_UPDATE_V1,
  [BILLING_PRODUCT_ARCHIVE_V1.name]: BILLING_PRODUCT_ARCHIVE_V1,
  [BILLING_PRICING_SET_V1.name]: BILLING_PRICING_SET_V1,
  [BILLING_PRICING_LIST_V1.name]: BILLING_PRICING_LIST_V1,
  [BILLING_DISCOUNT_SET_V1.name]: BILLING_DISCOUNT_SET_V1,
  [BILLING_DISCOUNT_CLEAR_V1.name]: BILLING_DISCOUNT_CLEAR_V1,
  [BILLING_QUOTE_V1.name]: BILLING_QUOTE_V1,
  [BILLING_CUSTOMER_GET_V1.name]: BILLING_CUSTOMER_GET_V1,
  [BILLING_CUSTOMER_LIST_V1.name]: BILLING_CUSTOMER_LIST_V1,
  [INGEST_STRIPE_EVENT_GET_V1.name]: INGEST_STRIPE_EVENT_GET_V1,
  [INGEST_STRIPE_EVENT_REPLAY_V1.name]: INGEST_STRIPE_EVENT_REPLAY_V1,
  [INGEST_BACKFILL_START_V1.name]: INGEST_BACKFILL_START_V1,
  [INGEST_BACKFILL_GET_V1.name]: INGEST_BACKFILL_GET_V1,
  [METERING_USAGE_RECORD_V1.name]: METERING_USAGE_RECORD_V1,
  [METERING_USAGE_QUERY_V1.name]: METERING_USAGE_QUERY_V1,
  [METERING_USAGE_PERIOD_V1.name]: METERING_USAGE_PERIOD_V1,
  [METERING_USAGE_CLAIM_V1.name]: METERING_USAGE_CLAIM_V1,
  [METERING_USAGE_CUSTOMERS_V1.name]: METERING_USAGE_CUSTOMERS_V1,
  [BILLING_INVOICE_CREATE_V1.name]: BILLING_INVOICE_CREATE_V1,
  [BILLING_INVOICE_GET_V1.name]: BILLING_INVOICE_GET_V1,
  [BILLING_INVOICE_LIST_V1.name]: BILLING_INVOICE_LIST_V1,
  [BILLING_INVOICE_FINALIZE_V1.name]: BILLING_INVOICE_FINALIZE_V1,
  [BILLING_INVOICE_VOID_V1.name]: BILLING_INVOICE_VOID_V1,
  [BILLING_INVOICE_RUN_START_V1.name]: BILLING_INVOICE_RUN_START_V1,
  [BILLING_INVOICE_RUN_GET_V1.name]: BILLING_INVOICE_RUN_GET_V1,
  [BILLING_CHECKOUT_CREATE_V1.name]: BILLING_CHECKOUT_CREATE_V1,
  [BILLING_CHECKOUT_GET_V1.name]: BILLING_CHECKOUT_GET_V1,
  [BILLING_CHECKOUT_PUBLIC_VIEW_V1.name]: BILLING_CHECKOUT_PUBLIC_VIEW_V1,
  [BILLING_TRANSACTION_LIST_V1.name]: BILLING_TRANSACTION_LIST_V1,
  [BILLING_TRANSACTION_GET_V1.name]: BILLING_TRANSACTION_GET_V1,
  [BILLING_TRANSACTION_RECORD_V1.name]: BILLING_TRANSACTION_RECORD_V1,
  [BILLING_REFUND_CREATE_V1.name]: BILLING_REFUND_CREATE_V1,
  [BILLING_REFUND_LIST_V1.name]: BILLING_REFUND_LIST_V1,
  [BILLING_PAYMENT_STATUS_V1.name]: BILLING_PAYMENT_STATUS_V1,
  [BILLING_REVENUE_V1.name]: BILLING_REVENUE_V1,
  [BILLING_REVENUE_BY_PRODUCT_V1.name]: BILLING_REVENUE_BY_PRODUCT_V1,
  [BILLING_REVENUE_TIMESERIES_V1.name]: BILLING_REVENUE_TIMESERIES_V1,
  [BILLING_METRICS_V1.name]: BILLING_METRICS_V1,
  [SUBSCRIPTIONS_COUNT_V1.name]: SUBSCRIPTIONS_COUNT_V1,
  [SUBSCRIPTIONS_PLAN_LIST_V1.name]: SUBSCRIPTIONS_PLAN_LIST_V1,
  [SUBSCRIPTIONS_CREATE_V1.name]: SUBSCRIPTIONS_CREATE_V1,
  [SUBSCRIPTIONS_GET_V1.name]: SUBSCRIPTIONS_GET_V1,
  [SUBSCRIPTIONS_LIVE_V1.name]: SUBSCRIPTIONS_LIVE_V1,
  [SUBSCRIPTIONS_CHANGE_V1.name]: SUBSCRIPTIONS_CHANGE_V1,
  [SUBSCRIPTIONS_CANCEL_V1.name]: SUBSCRIPTIONS_CANCEL_V1,
  [SUBSCRIPTIONS_PAUSE_V1.name]: SUBSCRIPTIONS_PAUSE_V1,
  [SUBSCRIPTIONS_RESUME_V1.name]: SUBSCRIPTIONS_RESUME_V1,
  [SUBSCRIPTIONS_ENTITLEMENTS_V1.name]: SUBSCRIPTIONS_ENTITLEMENTS_V1,
  [SUBSCRIPTIONS_OVERAGE_TERMS_V1.name]: SUBSCRIPTIONS_OVERAGE_TERMS_V1,
  [DISPUTES_LIST_V1.name]: DISPUTES_LIST_V1,
  [BILLING_TRANSACTION_OF_STRIPE_V1.name]: BILLING_TRANSACTION_OF_STRIPE_V1,
  [DISPUTES_GET_V1.name]: DISPUTES_GET_V1,
  [DISPUTES_EVIDENCE_V1.name]: DISPUTES_EVIDENCE_V1,
  [DISPUTES_ACCEPT_V1.name]: DISPUTES_ACCEPT_V1,
  [DISPUTES_FRAUD_WARNING_LIST_V1.name]: DISPUTES_FRAUD_WARNING_LIST_V1,
} as const satisfies Record<string, RpcRoute>;

export type RpcName = keyof typeof RPC_ROUTES;

export function isEventName(name: string): name is EventName {
  return Object.hasOwn(EVENT_PAYLOADS, name) || isStripeEventName(name);
}

export function isRpcName(name: string): name is RpcName {
  return Object.hasOwn(RPC_ROUTES, name);
}

/** The route named `name`, as the server looks it up for a request. */
export function rpcRouteOf(name: RpcName): RpcRoute {
  return RPC_ROUTES[name];
}
