import type Stripe from 'stripe';
import { idOf } from '../core/ids.js';
import { invalidRequest } from '../core/stripe-error.js';

export function customerOf(invoice: Stripe.Invoice): string {
  if (invoice.customer === null) throw invalidRequest(`Invoice ${invoice.id} has no customer.`);
  return idOf(invoice.customer);
}

export function subscriptionOf(invoice: Stripe.Invoice): string | null {
  const subscription = invoice.parent?.subscription_details?.subscription;
  return subscription === undefined ? null : idOf(subscription);
}

export function testClockOf(invoice: Stripe.Invoice): string | null {
  return invoice.test_clock === null ? null : idOf(invoice.test_clock);
}

export function paymentsOf(invoice: Stripe.Invoice): Stripe.ApiList<Stripe.InvoicePayment> {
  invoice.payments ??= {
    object: 'list',
    data: [],
    has_more: false,
    url: '/v1/invoice_payments',
  };
  return invoice.payments;
}
