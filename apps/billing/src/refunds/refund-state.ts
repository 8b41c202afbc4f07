import type { RefundStatus, TransactionStatus } from '@aegis/contracts';

/** Our status of a Stripe refund: Stripe's, `requires_action` (and anything unknown) pending. */
export function refundStatusOf(stripeStatus: string | null): RefundStatus {
  switch (stripeStatus) {
    case 'succeeded':
    case 'failed':
    case 'canceled':
      return stripeStatus;
    case 'pending':
    case 'requires_action':
    case null:
    default:
      return 'pending';
  }
}

/** Whether a refund's money is taken or on its way: it counts against what is left. */
export function refundHoldsMoney(status: RefundStatus): boolean {
  return status === 'pending' || status === 'succeeded';
}

/**
 * What is left of a charge to refund. Stripe's `amount_refunded` (mirrored
 * from the charge, pending refunds included) and the sum of the refunds we
 * know that hold money (ours in flight, reserved before Stripe was asked, and
 * Stripe's mirrored ones) each count every refund they know of; either may be
 * behind the other, so the larger is what has gone.
 */
export function refundableAmount(
  amountCents: number,
  stripeAmountRefundedCents: number,
  refunds: readonly { readonly amountCents: number; readonly status: RefundStatus }[],
): number {
  const held = refunds
    .filter((refund) => refundHoldsMoney(refund.status))
    .reduce((sum, refund) => sum + refund.amountCents, 0);
  return Math.max(0, amountCents - Math.max(stripeAmountRefundedCents, held));
}

/** Ledger statuses a refund may be asked of: money was taken and some may be left. */
export function isRefundableStatus(status: TransactionStatus): boolean {
  return status === 'succeeded' || status === 'partially_refunded';
}

const PROGRESS: Readonly<Record<RefundStatus, number>> = {
  pending: 0,
  succeeded: 1,
  failed: 2,
  canceled: 2,
};

/**
 * Whether Stripe's answer to our own call may move a refund from `current` to
 * `next`: events are ordered by the convergence rule, an answer is not, so it
 * only moves a refund forward (a `failed` applied from an event is never
 * undone by an earlier answer saying `succeeded`).
 */
export function answerMovesForward(current: RefundStatus, next: RefundStatus): boolean {
  return PROGRESS[next] > PROGRESS[current];
}
