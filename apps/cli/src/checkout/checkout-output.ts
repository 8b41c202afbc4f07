import type { CheckoutSessionResourceV1 } from '@aegis/contracts';
import { formatFields } from '../output/table.js';

function amountOf(checkout: CheckoutSessionResourceV1): string {
  return checkout.amount_total === null
    ? '-'
    : `${checkout.amount_total} ${checkout.currency} (minor units)`;
}

/** What `aegis checkout show` prints. */
export function formatCheckout(checkout: CheckoutSessionResourceV1): string[] {
  return formatFields([
    ['id', checkout.id],
    ['customer', checkout.customer_id],
    ['mode', checkout.mode],
    [
      checkout.mode === 'payment' ? 'product' : 'plan',
      checkout.product_id ?? checkout.plan_id ?? '-',
    ],
    ['item', `${checkout.name} × ${checkout.quantity}`],
    ['amount', amountOf(checkout)],
    ['status', checkout.status],
    ['pay at', checkout.url ?? '- (no longer open)'],
    ['expires', checkout.expires_at],
    ['success url', checkout.success_url],
    ['cancel url', checkout.cancel_url],
    ['stripe session', checkout.stripe_checkout_session_id],
    [
      'transaction',
      checkout.transaction_id === null
        ? '-'
        : `${checkout.transaction_id} (${checkout.transaction_status ?? '?'})`,
    ],
    ['completed', checkout.completed_at ?? '-'],
    ['created', checkout.created_at],
  ]);
}

/** `aegis checkout create`: the page to send the buyer to first, then the checkout. */
export function formatCreatedCheckout(checkout: CheckoutSessionResourceV1): string[] {
  return [
    `created checkout ${checkout.id}: ${checkout.name} × ${checkout.quantity}, ${amountOf(checkout)}`,
    `pay at ${checkout.url ?? '-'} (until ${checkout.expires_at})`,
    ...formatCheckout(checkout),
  ];
}

/** Whether a checkout has nothing left to wait for. */
export function isSettled(checkout: CheckoutSessionResourceV1): boolean {
  return (
    checkout.status === 'paid' ||
    checkout.status === 'payment_failed' ||
    checkout.status === 'expired'
  );
}
