import type { ListV1, RefundResourceV1, TransactionResourceV1 } from '@aegis/contracts';
import { formatFields, formatTable } from '../output/table.js';

function money(cents: number, currency: string): string {
  return `${cents} ${currency}`;
}

/** What a transaction paid: its product or plan, its invoice or checkout session. */
function paidFor(transaction: TransactionResourceV1): string {
  const what =
    transaction.product_id ?? (transaction.plan_id === null ? null : `plan ${transaction.plan_id}`);
  const how =
    transaction.invoice_id ??
    transaction.stripe_invoice_id ??
    transaction.stripe_checkout_session_id ??
    null;
  return [what, how].filter((part) => part !== null).join(', ') || '-';
}

/** The refunds table `show` and `refunds list` print. */
export function formatRefundTable(refunds: readonly RefundResourceV1[]): string[] {
  return formatTable(
    ['ID', 'TRANSACTION', 'AMOUNT', 'STATUS', 'REASON', 'ORIGIN', 'STRIPE REFUND', 'CREATED'],
    refunds.map((refund) => [
      refund.id,
      refund.transaction_id,
      money(refund.amount_cents, refund.currency),
      refund.failure_reason === null ? refund.status : `${refund.status}: ${refund.failure_reason}`,
      refund.reason ?? '-',
      refund.origin,
      refund.stripe_refund_id ?? '-',
      refund.created_at,
    ]),
  );
}

function disputeLine(transaction: TransactionResourceV1): string {
  const dispute = transaction.dispute;
  if (dispute === null) return 'none';
  const currency = transaction.currency;
  return [
    `${dispute.status}, ${money(dispute.amount_cents, currency)} (${dispute.reason})`,
    `fee ${dispute.fee_cents === null ? 'unknown' : money(dispute.fee_cents, currency)}`,
    ...(dispute.evidence_due_by === null ? [] : [`evidence due by ${dispute.evidence_due_by}`]),
    dispute.id,
  ].join(', ');
}

/** `aegis transactions show`: the transaction, then its refunds. */
export function formatTransaction(transaction: TransactionResourceV1): string[] {
  const currency = transaction.currency;
  return [
    ...formatFields([
      ['id', transaction.id],
      ['customer', transaction.customer_id ?? '-'],
      ['source', transaction.source],
      ['status', transaction.status],
      ...(transaction.failure_code === null
        ? []
        : ([
            [
              'failure',
              `${transaction.failure_code}${transaction.failure_message === null ? '' : `: ${transaction.failure_message}`}`,
            ],
          ] as const)),
      ['amount', `${money(transaction.amount_cents, currency)} (minor units, cents)`],
      ['refunded', money(transaction.amount_refunded_cents, currency)],
      ['refundable', money(transaction.amount_refundable_cents, currency)],
      ['description', transaction.description ?? '-'],
      ['product', transaction.product_id ?? '-'],
      ['plan', transaction.plan_id ?? '-'],
      ['invoice', transaction.invoice_id ?? '-'],
      ['stripe invoice', transaction.stripe_invoice_id ?? '-'],
      ['checkout session', transaction.stripe_checkout_session_id ?? '-'],
      ['payment intent', transaction.stripe_payment_intent_id ?? '-'],
      ['charge', transaction.stripe_charge_id ?? '-'],
      ['dispute', disputeLine(transaction)],
      ['created', transaction.created_at],
    ]),
    ...(transaction.refunds.length === 0
      ? ['no refunds']
      : ['refunds', ...formatRefundTable(transaction.refunds).map((line) => `  ${line}`)]),
  ];
}

/** `aegis transactions list`: one line per transaction, newest first. */
export function formatTransactionList(list: ListV1<TransactionResourceV1>): string[] {
  if (list.data.length === 0) return ['no transactions'];
  return formatTable(
    ['ID', 'CUSTOMER', 'STATUS', 'AMOUNT', 'REFUNDED', 'SOURCE', 'FOR', 'CREATED'],
    list.data.map((transaction) => [
      transaction.id,
      transaction.customer_id ?? '-',
      transaction.status,
      money(transaction.amount_cents, transaction.currency),
      String(transaction.amount_refunded_cents),
      transaction.source,
      paidFor(transaction),
      transaction.created_at,
    ]),
  );
}

/** `aegis transactions record`. */
export function formatRecordedTransaction(transaction: TransactionResourceV1): string[] {
  return [
    `recorded manual transaction ${transaction.id}: ${money(transaction.amount_cents, transaction.currency)} from ${transaction.customer_id ?? '-'}`,
  ];
}
