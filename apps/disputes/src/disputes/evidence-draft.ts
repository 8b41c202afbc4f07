import type {
  CustomerV1,
  DisputeEvidenceV1,
  LedgerTransactionV1,
  UsagePeriodReplyV1,
} from '@aegis/contracts';

/** What Aegis knows around a disputed charge; each part may be missing. */
export interface DraftSources {
  readonly customer: CustomerV1 | null;
  readonly transaction: LedgerTransactionV1 | null;
  /** Stripe's receipt of the charge. */
  readonly receiptUrl: string | null;
  /** The customer's metered usage in the month of the charge. */
  readonly usage: UsagePeriodReplyV1 | null;
  readonly refundPolicy: string | null;
}

function moneyText(amount: number, currency: string): string {
  return `${amount} ${currency} (minor units)`;
}

/** Every usage product's events together: how many, the first and the last. */
export function usageSummaryOf(usage: UsagePeriodReplyV1): string | null {
  const used = usage.products.filter((product) => product.eventCount > 0);
  if (used.length === 0) return null;
  const count = used.reduce((sum, product) => sum + product.eventCount, 0);
  const firsts = used.flatMap((product) =>
    product.firstEventAt === null ? [] : [product.firstEventAt],
  );
  const lasts = used.flatMap((product) =>
    product.lastEventAt === null ? [] : [product.lastEventAt],
  );
  const lines = [
    `Metered use of the service by customer ${usage.customerId} from ${usage.from} to ${usage.to}: ${count} recorded calls.`,
    ...(firsts.length === 0 ? [] : [`First use: ${firsts.sort()[0] ?? ''}.`]),
    ...(lasts.length === 0 ? [] : [`Last use: ${lasts.sort().at(-1) ?? ''}.`]),
    ...used.map(
      (product) =>
        `${product.productId}: ${product.eventCount} events, ${product.aggregation} ${product.value}.`,
    ),
  ];
  return lines.join('\n');
}

/**
 * A draft of a dispute's evidence from what Aegis knows: who the customer is,
 * what they bought, the invoice and receipt, their use of the service around
 * the charge, and the refund policy. The operator reviews it before sending.
 */
export function evidenceDraftOf(sources: DraftSources): DisputeEvidenceV1 {
  const draft: DisputeEvidenceV1 = {};
  const { customer, transaction, receiptUrl, usage, refundPolicy } = sources;
  if (customer?.name !== null && customer?.name !== undefined) draft.customer_name = customer.name;
  if (customer?.email !== null && customer?.email !== undefined)
    draft.customer_email_address = customer.email;
  if (transaction !== null) {
    const what =
      transaction.description ??
      (transaction.planId !== null
        ? `Subscription to the ${transaction.planId} plan`
        : transaction.productId !== null
          ? `Product ${transaction.productId}`
          : null);
    if (what !== null) draft.product_description = what;
    draft.service_date = (transaction.billingPeriodStart ?? transaction.createdAt).slice(0, 10);
  }
  const activity = usage === null ? null : usageSummaryOf(usage);
  if (activity !== null) draft.access_activity_log = activity;
  if (refundPolicy !== null) draft.refund_policy_disclosure = refundPolicy;
  const records = [
    ...(transaction === null
      ? []
      : [
          `Payment ${transaction.stripeChargeId ?? transaction.id} of ${moneyText(transaction.amount, transaction.currency)} on ${transaction.createdAt}.`,
          ...(transaction.stripeInvoiceId === null
            ? []
            : [
                `Invoice ${transaction.stripeInvoiceId} (Aegis invoice ${transaction.invoiceId ?? 'unknown'}).`,
              ]),
          ...(transaction.billingPeriodStart === null || transaction.billingPeriodEnd === null
            ? []
            : [
                `Billing period ${transaction.billingPeriodStart} to ${transaction.billingPeriodEnd}.`,
              ]),
        ]),
    ...(receiptUrl === null ? [] : [`Receipt: ${receiptUrl}`]),
  ];
  if (records.length > 0) draft.uncategorized_text = records.join('\n');
  return draft;
}
