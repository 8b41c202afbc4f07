import type { CheckoutStatus } from '@aegis/contracts';
import type Stripe from 'stripe';

/** The `checkout.session.*` events a checkout follows. */
export const CHECKOUT_SESSION_EVENT_TYPES = [
  'checkout.session.completed',
  'checkout.session.expired',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
] as const;
export type CheckoutSessionEventType = (typeof CHECKOUT_SESSION_EVENT_TYPES)[number];

const COMPLETE_STATUSES: ReadonlySet<CheckoutStatus> = new Set([
  'processing',
  'paid',
  'payment_failed',
]);

/**
 * Our status of a checkout after Stripe's state of its session, applied from
 * an event of `eventType` (null: a re-fetch): `expired`; complete and paid (or
 * nothing due) `paid`; complete with the payment still unpaid `processing`
 * until `async_payment_failed` says it failed. Never backwards: a completed
 * checkout does not reopen or expire, a paid one is not unpaid again, and a
 * failed async payment stays failed when a re-fetch shows it only unpaid.
 */
export function checkoutStatusOf(
  current: CheckoutStatus,
  session: Pick<Stripe.Checkout.Session, 'status' | 'payment_status'>,
  eventType: CheckoutSessionEventType | null,
): CheckoutStatus {
  if (session.status === 'expired') return COMPLETE_STATUSES.has(current) ? current : 'expired';
  if (session.status !== 'complete') return current;
  if (session.payment_status === 'paid' || session.payment_status === 'no_payment_required')
    return 'paid';
  if (current === 'paid') return 'paid';
  if (eventType === 'checkout.session.async_payment_failed' || current === 'payment_failed')
    return 'payment_failed';
  return 'processing';
}
