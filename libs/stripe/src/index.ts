export { freshnessOf, stateToApply, type StateToApply } from './convergence.js';
export { customerCreationKey, customerIdOfStripeCustomer } from './customer-ids.js';
export {
  fromStripeTime,
  idOf,
  laterStamp,
  requestIdOf,
  secondsOf,
  type StripeEnvelope,
} from './mirror-toolkit.js';
export { RateLimiter } from './rate-limiter.js';
export {
  DEFAULT_RATE_LIMIT_BACKOFF,
  writeWithinRateLimit,
  type RateLimitBackoff,
} from './stripe-writes.js';
export {
  SANDBOX_SECRET_KEY,
  createStripeClient,
  stripeTargetOf,
  type StripeTarget,
} from './stripe-client.js';
export { DEFAULT_SANDBOX_API_URL, StripeServiceEnv } from './stripe-env.js';
export {
  PAYMENT_PROVIDER,
  type CircuitState,
  type PaymentProvider,
  type ProviderHealth,
  type ProviderMode,
  type TransactionRef,
} from './payment-provider.js';
export {
  DEFAULT_BREAKER_SETTINGS,
  StripeBreaker,
  StripeCircuitOpenError,
  type BreakerSettings,
} from './stripe-breaker.js';
export {
  AEGIS_CHECKOUT_ID_KEY,
  AEGIS_REFUND_ID_KEY,
  AEGIS_PLAN_ID_KEY,
  AEGIS_SUBSCRIPTION_ID_KEY,
  AEGIS_INVOICE_ID_KEY,
  AEGIS_INVOICE_LINE_ID_KEY,
  AEGIS_PRICING_VERSION_ID_KEY,
  AEGIS_PRODUCT_ID_KEY,
  STRIPE_CLIENT,
  StripeProvider,
  isRefetchable,
  priceCreationKey,
  productArchiveKey,
  productCreationKey,
  productUpdateKey,
  type RefetchableKind,
  type RefetchableObjects,
  type RefetchParams,
} from './stripe-provider.js';
export {
  StripeRefusedError,
  StripeUnavailableError,
  isStripeObjectMissing,
  toStripeDomainError,
} from './stripe-errors.js';
export { reportStripeEventOutcome } from './stripe-event-receipts.js';
export { StripeModule, modeOf } from './stripe.module.js';
export { WebhookVerificationError, verifyStripeWebhook } from './webhook-verification.js';
