import type Stripe from 'stripe';
import { StripeApiError } from '../core/stripe-error.js';
import { snapshot } from '../store/sandbox-store.js';

/** The statuses from which an intent may be confirmed, updated or canceled. */
export const CONFIRMABLE: readonly Stripe.PaymentIntent.Status[] = [
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
];
export const UPDATABLE = CONFIRMABLE;
export const CANCELABLE: readonly Stripe.PaymentIntent.Status[] = [
  'requires_payment_method',
  'requires_capture',
  'requires_confirmation',
  'requires_action',
  'processing',
];

/** Stripe's 400 for an operation the intent's status does not allow, with the intent attached. */
export function unexpectedState(
  message: string,
  paymentIntent: Stripe.PaymentIntent,
): StripeApiError {
  return new StripeApiError(400, {
    type: 'invalid_request_error',
    code: 'payment_intent_unexpected_state',
    message,
    payment_intent: snapshot(paymentIntent),
    doc_url: 'https://stripe.com/docs/error-codes/payment-intent-unexpected-state',
  });
}
