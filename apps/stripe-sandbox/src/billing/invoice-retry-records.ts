import type Stripe from 'stripe';
import type { InvoiceRetry } from '../store/sandbox-objects.js';
import type { SandboxStore } from '../store/sandbox-store.js';
import { subscriptionOf } from './invoice-refs.js';
import { nextRetryAt } from './payment-retry-schedule.js';

function retryIdOf(invoice: string): string {
  return `sandbox_retry_${invoice}`;
}

/**
 * Whether Stripe retries the invoice's failed payment on the one-off
 * invoices' schedule: open, collected automatically and auto-advancing, and
 * no subscription's (a subscription runs its own dunning).
 */
export function isRetriedOneOff(invoice: Stripe.Invoice): boolean {
  return (
    invoice.status === 'open' &&
    invoice.collection_method === 'charge_automatically' &&
    invoice.auto_advance === true &&
    subscriptionOf(invoice) === null
  );
}

/** The retry schedule of a one-off invoice, if its payment has failed. */
export function retryOf(store: SandboxStore, invoice: string): InvoiceRetry | undefined {
  return store.find('sandbox.invoice_retry', retryIdOf(invoice));
}

/**
 * After a declined payment of a one-off invoice: starts its retry schedule
 * at its first failure, or leaves a running one as it is (only automatic
 * retries move it; a manual attempt after the first changes nothing).
 * Answers the invoice's `next_payment_attempt`: the next retry, or null for
 * an invoice Stripe does not retry. Inside a store transaction.
 */
export function scheduleRetries(
  store: SandboxStore,
  invoice: Stripe.Invoice,
  now: number,
): number | null {
  if (!isRetriedOneOff(invoice)) return null;
  const running = retryOf(store, invoice.id);
  if (running !== undefined) return nextRetryAt(running.created, running.failures);
  store.insert('sandbox.invoice_retry', {
    id: retryIdOf(invoice.id),
    object: 'sandbox.invoice_retry',
    created: now,
    invoice: invoice.id,
    failures: 1,
  });
  return nextRetryAt(now, 1);
}

/** Ends an invoice's retries (it was paid, voided or marked uncollectible). Inside a store transaction. */
export function forgetRetries(store: SandboxStore, invoice: string): void {
  store.remove('sandbox.invoice_retry', retryIdOf(invoice));
}
