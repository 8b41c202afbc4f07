import 'reflect-metadata';
export {
  AEGIS_CUSTOMER_ID_KEY,
  CUSTOMER_ID_PATTERN,
  IsCustomerId,
  isCustomerId,
  isOperatorCustomerId,
} from './customer-id.js';
export { ENVELOPE_FIELDS, versionOf, type Envelope } from './envelope.js';
export { BILLING_CUSTOMER_CREATED_V1, BillingCustomerV1 } from './events/billing-customer.v1.js';
export {
  BILLING_TRANSACTION_CREATED_V1,
  BILLING_TRANSACTION_UPDATED_V1,
  BillingTransactionV1,
  TRANSACTION_STATUSES,
  type TransactionStatus,
} from './events/billing-transaction.v1.js';
export {
  SUBSCRIPTION_CREATED_V1,
  SUBSCRIPTION_ENDED_V1,
  SUBSCRIPTION_STATUSES,
  SUBSCRIPTION_UPDATED_V1,
  SubscriptionStateV1,
  type SubscriptionStatus,
} from './events/subscription.v1.js';
export {
  STRIPE_EVENT_APPLIED_V1,
  STRIPE_EVENT_OUTCOMES,
  StripeEventAppliedV1,
  type StripeEventOutcome,
} from './events/stripe-event-applied.v1.js';
export {
  StripeEventData,
  StripeEventPayload,
  isStripeEventName,
  stripeEventName,
  type StripeEventName,
  type StripeEventOf,
  type StripeEventType,
} from './events/stripe-event.js';
export { USAGE_RECORDED_V1, UsageRecordedV1 } from './events/usage-recorded.v1.js';
export { IsMetadata, METADATA_LIMITS, isMetadata } from './metadata.js';
export {
  EVENT_PAYLOADS,
  RPC_ROUTES,
  isEventName,
  isRpcName,
  payloadClassOf,
  rpcRouteOf,
  type EventName,
  type EventPayload,
  type RpcName,
} from './registry.js';
export {
  BILLING_CUSTOMER_GET_OR_CREATE_V1,
  CustomerV1,
  GetOrCreateCustomerReplyV1,
  GetOrCreateCustomerRequestV1,
} from './rpc/customer-get-or-create.v1.js';
export {
  BILLING_CUSTOMER_GET_V1,
  GetCustomerReplyV1,
  GetCustomerRequestV1,
} from './rpc/customer-get.v1.js';
export { BILLING_CUSTOMER_LIST_V1, ListCustomersReplyV1 } from './rpc/customer-list.v1.js';
export {
  DEFAULT_PAGE_LIMIT,
  MAX_PAGE_LIMIT,
  PAGE_CURSOR_ERROR_CODES,
  PAGE_CURSOR_FIELDS,
  PageReplyV1,
  PageRequestV1,
  pageCursorFieldOf,
  type PageCursorField,
} from './rpc/paging.js';
export { PingRequestV1, PingResponseV1, SYSTEM_PING_V1 } from './rpc/ping.v1.js';
export {
  EVERY_SERVICE,
  defineRpcRoute,
  type RpcReplyOf,
  type RpcRequestOf,
  type RpcRoute,
  type RpcTarget,
} from './rpc/rpc-route.js';
export { SERVICE_NAMES, type ServiceName } from './services.js';
export {
  AppliedByV1,
  BACKFILL_STATUSES,
  BackfillRunV1,
  GetBackfillRequestV1,
  GetStripeEventRequestV1,
  INGEST_BACKFILL_GET_V1,
  INGEST_BACKFILL_START_V1,
  INGEST_STRIPE_EVENT_GET_V1,
  INGEST_STRIPE_EVENT_REPLAY_V1,
  MAX_REPLAY_EVENT_IDS,
  RECEIVED_VIA,
  ReplayRequestV1,
  ReplayResultV1,
  StartBackfillRequestV1,
  StripeEventReceiptV1,
  type BackfillStatus,
  type ReceivedVia,
} from './rpc/stripe-events.v1.js';
// Only the paths: apps/cli still calls webhook-ingest's former admin HTTP API until it moves to the gateway.
export {
  DEFAULT_GATEWAY_URL,
  DEV_ADMIN_KEY_FILE,
  IDEMPOTENT_REPLAYED_HEADER,
  PUBLIC_API_PATHS,
  VERIFY_FAILURE_REASONS,
  type ApiKeyResourceV1,
  type AuditLogEntryV1,
  type BackfillRunResourceV1,
  type CreateApiKeyBodyV1,
  type CreateCustomerBodyV1,
  type CreatedApiKeyV1,
  type CustomerResourceV1,
  type ListQueryV1,
  type ListV1,
  type ProblemV1,
  type RateLimitStateV1,
  type RateLimitV1,
  type ReplayResultResourceV1,
  type ReplayStripeEventsBodyV1,
  type RollApiKeyBodyV1,
  type StartBackfillBodyV1,
  type StripeEventAppliedByV1,
  type StripeEventResourceV1,
  type VerifyApiKeyBodyV1,
  type VerifyFailureReason,
  type VerifyResultV1,
  type VerifyUsageV1,
} from './http/public-api.v1.js';
export {
  AGGREGATIONS,
  AGGREGATIONS_WITH_FIELD,
  CURRENCY_PATTERN,
  IsProductId,
  IsUnitAmountDecimal,
  PRICING_MODELS,
  PRICING_TYPES,
  PRODUCT_ID_PATTERN,
  PricingModelV1,
  PricingTierV1,
  PricingVersionV1,
  ProductV1,
  UNIT_AMOUNT_DECIMAL_PATTERN,
  type Aggregation,
  type PricingModelName,
  type PricingType,
} from './catalog.js';
export {
  CATALOG_PRODUCT_CREATED_V1,
  CATALOG_PRODUCT_UPDATED_V1,
  CatalogProductV1,
} from './events/catalog-product.v1.js';
export {
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
  ClearDiscountReplyV1,
  ClearDiscountRequestV1,
  CreateProductReplyV1,
  CreateProductRequestV1,
  DiscountReplyV1,
  DiscountV1,
  ListPricingVersionsReplyV1,
  ListProductsReplyV1,
  ListProductsRequestV1,
  PricingVersionReplyV1,
  ProductRefV1,
  ProductReplyV1,
  QuoteRequestV1,
  QuoteTierV1,
  QuoteV1,
  SetDiscountRequestV1,
  SetPricingRequestV1,
  UpdateProductRequestV1,
} from './rpc/catalog.v1.js';
