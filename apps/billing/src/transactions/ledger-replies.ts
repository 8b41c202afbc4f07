import type { LedgerTransactionV1, RefundV1 } from '@aegis/contracts';
import type { Refund } from '../refunds/entities/refund.entity.js';
import { refundableAmount } from '../refunds/refund-state.js';
import type { BillingTransaction } from './entities/billing-transaction.entity.js';
import type { TransactionDispute } from './entities/transaction-dispute.entity.js';

/** The dispute part of a ledger transaction (LedgerDisputeV1 of libs/contracts/src/rpc/ledger.v1.ts). */
type LedgerDisputeV1 = NonNullable<LedgerTransactionV1['dispute']>;

/** The metadata keys naming, on a payment, the catalogue product or plan it paid for. */
export const PRODUCT_METADATA_KEYS = ['aegis_product_id', 'product_id'] as const;
export const PLAN_METADATA_KEYS = ['aegis_plan_id', 'plan_id'] as const;

/** What our checkout (billing.checkout_sessions) says a payment bought, when it came from one. */
export interface CheckoutOfPayment {
  readonly productId: string | null;
  readonly planId: string | null;
}

/** What the ledger knows of the invoice a payment paid, when it is one of ours. */
export interface InvoiceOfPayment {
  readonly invoiceId: string;
  /** Every product its lines price, each once. */
  readonly productIds: readonly string[];
}

function firstOf(metadata: Record<string, string>, keys: readonly string[]): string | null {
  for (const key of keys) {
    const value = metadata[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return null;
}

/**
 * The product a payment paid for (docs/ledger.md, "Product or plan"): named in
 * its metadata, else our checkout's it came from, else the one product its
 * invoice's lines price; null when unknown or several.
 */
export function productOf(
  transaction: Pick<BillingTransaction, 'metadata'>,
  invoice: InvoiceOfPayment | undefined,
  checkout?: CheckoutOfPayment,
): string | null {
  const named = firstOf(transaction.metadata, PRODUCT_METADATA_KEYS);
  if (named !== null) return named;
  if (checkout?.productId != null) return checkout.productId;
  return invoice?.productIds.length === 1 ? (invoice.productIds[0] ?? null) : null;
}

/** The plan a payment paid for: named in its metadata, else our checkout's, else null. */
export function planOf(
  transaction: Pick<BillingTransaction, 'metadata'>,
  checkout?: CheckoutOfPayment,
): string | null {
  return firstOf(transaction.metadata, PLAN_METADATA_KEYS) ?? checkout?.planId ?? null;
}

export function refundV1Of(refund: Refund): RefundV1 {
  return {
    id: refund.refundId,
    transactionId: refund.transactionId,
    customerId: refund.customerId,
    amount: refund.amountCents,
    currency: refund.currency.trim(),
    reason: refund.reason,
    status: refund.status,
    failureReason: refund.failureReason,
    origin: refund.origin,
    stripeRefundId: refund.stripeRefundId,
    requestKey: refund.requestKey,
    createdAt: refund.createdAt.toISOString(),
    updatedAt: refund.updatedAt.toISOString(),
  };
}

/** A transaction's dispute as the ledger shows it. */
export function ledgerDisputeV1Of(dispute: TransactionDispute): LedgerDisputeV1 {
  return {
    disputeId: dispute.disputeId,
    stripeDisputeId: dispute.stripeDisputeId,
    status: dispute.status,
    amount: dispute.amountCents,
    currency: dispute.currency.trim(),
    feeCents: dispute.feeCents,
    reason: dispute.reason,
    evidenceDueBy: dispute.evidenceDueBy?.toISOString() ?? null,
  };
}

export function ledgerTransactionV1Of(
  transaction: BillingTransaction,
  refunds: readonly Refund[],
  invoice: InvoiceOfPayment | undefined,
  checkout?: CheckoutOfPayment,
  dispute: TransactionDispute | null = null,
): LedgerTransactionV1 {
  const newestFirst = [...refunds].sort(
    (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.refundId < b.refundId ? 1 : -1),
  );
  return {
    id: transaction.transactionId,
    customerId: transaction.customerId,
    source: transaction.source,
    status: transaction.status,
    amount: transaction.amountCents,
    amountRefunded: transaction.amountRefundedCents,
    amountRefundable:
      transaction.source === 'manual'
        ? 0
        : refundableAmount(transaction.amountCents, transaction.amountRefundedCents, refunds),
    currency: transaction.currency.trim(),
    description: transaction.description,
    failureCode: transaction.failureCode,
    failureMessage: transaction.failureMessage,
    productId: productOf(transaction, invoice, checkout),
    planId: planOf(transaction, checkout),
    invoiceId: invoice?.invoiceId ?? null,
    stripeInvoiceId: transaction.stripeInvoiceId,
    checkoutSessionId: transaction.stripeCheckoutSessionId,
    stripePaymentIntentId: transaction.stripePaymentIntentId,
    stripeChargeId: transaction.stripeChargeId,
    billingPeriodStart: transaction.billingPeriodStart?.toISOString() ?? null,
    billingPeriodEnd: transaction.billingPeriodEnd?.toISOString() ?? null,
    metadata: { ...transaction.metadata },
    refunds: newestFirst.map(refundV1Of),
    dispute: dispute === null ? null : ledgerDisputeV1Of(dispute),
    createdAt: transaction.stripeCreatedAt.toISOString(),
    updatedAt: transaction.updatedAt.toISOString(),
  };
}
