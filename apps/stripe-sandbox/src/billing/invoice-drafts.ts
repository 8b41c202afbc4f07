import type Stripe from 'stripe';
import { amountForQuantity } from '../catalog/pricing.js';
import { newId } from '../store/ids.js';
import type { SubscriptionLineInput } from './invoice-inputs.js';
import { pricingOfPrice, subscriptionLineDescription } from './invoice-lines.js';
import type { CollectionMethod } from './invoice-params.js';

export interface DraftFields {
  readonly currency: string;
  readonly collectionMethod: CollectionMethod;
  readonly autoAdvance: boolean;
  readonly dueDate: number | null;
  readonly billingReason: Stripe.Invoice.BillingReason;
  readonly parent: Stripe.Invoice.Parent | null;
  readonly description: string | null;
  readonly metadata: Stripe.Metadata;
  readonly defaultPaymentMethod: string | null;
  readonly footer: string | null;
  readonly statementDescriptor: string | null;
  readonly periodStart: number;
  readonly periodEnd: number;
  readonly testClock: string | null;
  readonly now: number;
}

/** A new draft invoice of the customer, without lines, its totals all zero. */
export function draftInvoice(customer: Stripe.Customer, fields: DraftFields): Stripe.Invoice {
  const id = newId('in');
  return {
    id,
    object: 'invoice',
    account_country: 'US',
    account_name: 'Stripe Sandbox',
    account_tax_ids: null,
    amount_due: 0,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_paid_off_stripe: 0,
    amount_remaining: 0,
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: fields.autoAdvance,
    automatic_tax: {
      disabled_reason: null,
      enabled: false,
      liability: null,
      provider: null,
      status: null,
    },
    automatically_finalizes_at: null,
    billing_reason: fields.billingReason,
    collection_method: fields.collectionMethod,
    confirmation_secret: null,
    created: fields.now,
    currency: fields.currency,
    custom_fields: null,
    customer: customer.id,
    customer_account: null,
    ...customerDetails(customer),
    default_payment_method: fields.defaultPaymentMethod,
    default_source: null,
    default_tax_rates: [],
    description: fields.description,
    discounts: [],
    due_date: fields.dueDate,
    effective_at: null,
    ending_balance: null,
    footer: fields.footer,
    from_invoice: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: 'list', data: [], has_more: false, url: `/v1/invoices/${id}/lines` },
    livemode: false,
    metadata: fields.metadata,
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    parent: fields.parent,
    payment_settings: {
      default_mandate: null,
      payment_method_options: null,
      payment_method_types: null,
    },
    payments: { object: 'list', data: [], has_more: false, url: '/v1/invoice_payments' },
    period_end: fields.periodEnd,
    period_start: fields.periodStart,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: {
      amount_tax_display: null,
      pdf: { page_size: 'auto' },
      template: null,
      template_version: null,
    },
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: fields.statementDescriptor,
    status: 'draft',
    status_transitions: {
      finalized_at: null,
      marked_uncollectible_at: null,
      paid_at: null,
      voided_at: null,
    },
    subtotal: 0,
    subtotal_excluding_tax: 0,
    test_clock: fields.testClock,
    total: 0,
    total_discount_amounts: [],
    total_excluding_tax: 0,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: null,
  };
}

/** The customer's details an invoice keeps (frozen when it is finalized). */
export function customerDetails(
  customer: Stripe.Customer,
): Pick<
  Stripe.Invoice,
  | 'customer_address'
  | 'customer_email'
  | 'customer_name'
  | 'customer_phone'
  | 'customer_shipping'
  | 'customer_tax_exempt'
  | 'customer_tax_ids'
> {
  return {
    customer_address: customer.address ?? null,
    customer_email: customer.email,
    customer_name: customer.name ?? null,
    customer_phone: customer.phone ?? null,
    customer_shipping: customer.shipping,
    customer_tax_exempt: customer.tax_exempt ?? 'none',
    customer_tax_ids: [],
  };
}

/** The invoice line charging one subscription item for its period. */
export function subscriptionLine(
  line: SubscriptionLineInput,
  subscription: Stripe.Subscription,
  invoice: string,
  productName: string,
): Stripe.InvoiceLineItem {
  const amount = amountForQuantity(line.price, line.quantity);
  return {
    id: newId('il'),
    object: 'line_item',
    amount,
    currency: line.price.currency,
    description: subscriptionLineDescription(line.quantity, productName, line.price),
    discount_amounts: [],
    discountable: true,
    discounts: [],
    invoice,
    livemode: false,
    metadata: { ...subscription.metadata },
    parent: {
      type: 'subscription_item_details',
      invoice_item_details: null,
      subscription_item_details: {
        invoice_item: null,
        proration: false,
        proration_details: { credited_items: null },
        subscription: subscription.id,
        subscription_item: line.subscriptionItem.id,
      },
    },
    period: { start: line.periodStart, end: line.periodEnd },
    pretax_credit_amounts: [],
    pricing: pricingOfPrice(line.price),
    quantity: line.quantity,
    quantity_decimal: null,
    subscription: subscription.id,
    subtotal: amount,
    taxes: [],
  };
}
