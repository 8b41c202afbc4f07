import type { CheckoutPublicViewV1, CheckoutSessionV1 } from '@aegis/contracts';
import type { CheckoutSession } from './entities/checkout-session.entity.js';

/** The ledger's transaction of the checkout's latest payment attempt, if it has one. */
export interface CheckoutTransaction {
  readonly transactionId: string;
  readonly status: string;
}

export function checkoutV1Of(
  row: CheckoutSession,
  transaction: CheckoutTransaction | null,
): CheckoutSessionV1 {
  return {
    id: row.checkoutId,
    customerId: row.customerId,
    mode: row.mode,
    productId: row.productId,
    planId: row.planId,
    billingInterval: row.billingInterval,
    pricingVersionId: row.pricingVersionId,
    stripePriceId: row.stripePriceId,
    name: row.name,
    quantity: row.quantity,
    amountTotal: row.amountTotal,
    currency: row.currency,
    status: row.status,
    stripeCheckoutSessionId: row.stripeCheckoutSessionId,
    url: row.url,
    successUrl: row.successUrl,
    cancelUrl: row.cancelUrl,
    stripePaymentIntentId: row.stripePaymentIntentId,
    stripeSubscriptionId: row.stripeSubscriptionId,
    stripeInvoiceId: row.stripeInvoiceId,
    transactionId: transaction?.transactionId ?? null,
    transactionStatus: transaction?.status ?? null,
    expiresAt: row.expiresAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

/** What was bought and its status: nothing of the customer, nothing of Stripe's ids. */
export function publicViewOf(row: CheckoutSession): CheckoutPublicViewV1 {
  return {
    mode: row.mode,
    name: row.name,
    quantity: row.quantity,
    amountTotal: row.amountTotal,
    currency: row.currency,
    status: row.status,
  };
}
