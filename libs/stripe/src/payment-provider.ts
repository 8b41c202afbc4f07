import type Stripe from 'stripe';

/** Which Stripe answers: the local sandbox, a test-mode account (`sk_test_`) or a live one. */
export type ProviderMode = 'sandbox' | 'test' | 'live';

/** The state of the breaker in front of the provider's writes. */
export type CircuitState = 'closed' | 'open' | 'half_open';

export interface ProviderHealth {
  readonly reachable: boolean;
  /** How long the health call took, whether it succeeded or not. */
  readonly latencyMs: number;
  readonly mode: ProviderMode;
  readonly circuit: CircuitState;
  /** Why it is not reachable. */
  readonly error: string | null;
}

/** A payment intent or a charge made without one: what a ledger transaction mirrors. */
export interface TransactionRef {
  readonly kind: 'payment_intent' | 'charge';
  readonly id: string;
}

/**
 * The payment provider as the services see it (the seed's provider
 * interface): checkout, a transaction, a refund, a customer, a webhook and the
 * provider's health. Stripe is the one implementation (StripeProvider); code
 * that needs only these depends on this interface, injected as
 * PAYMENT_PROVIDER. Every creating call takes our own id, which makes its
 * idempotency key: a retry after a crash creates nothing twice.
 */
export interface PaymentProvider {
  readonly mode: ProviderMode;
  createCustomer(
    customerId: string,
    params: Omit<Stripe.CustomerCreateParams, 'metadata'> & {
      readonly metadata?: Readonly<Record<string, string>>;
    },
  ): Promise<Stripe.Customer>;
  createCheckoutSession(
    checkoutId: string,
    params: Stripe.Checkout.SessionCreateParams,
  ): Promise<Stripe.Checkout.Session>;
  getTransaction(ref: TransactionRef): Promise<Stripe.PaymentIntent | Stripe.Charge>;
  refund(refundId: string, params: Stripe.RefundCreateParams): Promise<Stripe.Refund>;
  verifyWebhook(
    payload: Buffer,
    signatureHeader: string | undefined,
    secrets: readonly string[],
    toleranceSeconds: number,
  ): Stripe.Event;
  healthCheck(): Promise<ProviderHealth>;
}

/** Injection token of the service's PaymentProvider. */
export const PAYMENT_PROVIDER = Symbol('PAYMENT_PROVIDER');
