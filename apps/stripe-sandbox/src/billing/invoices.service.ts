import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type Stripe from 'stripe';
import { amountForQuantity } from '../catalog/pricing.js';
import { createdFilter } from '../core/list.js';
import type { Params } from '../core/params.js';
import { invalidRequest, type StripeApiError } from '../core/stripe-error.js';
import { EventRecorder } from '../events/event-recorder.js';
import { PaymentMethodsService } from '../payment-methods/payment-methods.service.js';
import { PaymentsService } from '../payments/payments.service.js';
import { newId } from '../store/ids.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore, snapshot } from '../store/sandbox-store.js';
import { StorePersistence } from '../store/store-persistence.js';
import { mergeMetadata } from '../core/metadata.js';
import { InvoiceItemsService } from './invoice-items.service.js';
import {
  applyTotals,
  invoiceNumber,
  pricingOfPrice,
  productIdOf,
  subscriptionLineDescription,
} from './invoice-lines.js';
import { idOf } from '../core/ids.js';

/** One subscription item's charge for a period, as a line of a subscription invoice. */
export interface SubscriptionLineInput {
  readonly subscriptionItem: Stripe.SubscriptionItem;
  readonly price: Stripe.Price;
  readonly quantity: number;
  readonly periodStart: number;
  readonly periodEnd: number;
}

export interface SubscriptionInvoiceInput {
  readonly subscription: Stripe.Subscription;
  readonly billingReason: 'subscription_create' | 'subscription_cycle' | 'subscription_update';
  readonly lines: readonly SubscriptionLineInput[];
  readonly periodStart: number;
  readonly periodEnd: number;
}

export interface ProrationInput {
  readonly customer: string;
  readonly subscription: string;
  readonly subscriptionItem: string;
  readonly price: Stripe.Price;
  readonly quantity: number;
  /** Signed minor units: negative for unused time credited back. */
  readonly amount: number;
  readonly periodStart: number;
  readonly periodEnd: number;
  readonly description: string;
}

const DAY_SECONDS = 24 * 60 * 60;
const COLLECTION_METHODS = ['charge_automatically', 'send_invoice'] as const;
type CollectionMethod = (typeof COLLECTION_METHODS)[number];
const STATUSES = ['draft', 'open', 'paid', 'uncollectible', 'void'] as const;
/** How long after an API finalization with `auto_advance` the sandbox collects payment by itself. */
const AUTOMATIC_COLLECTION_DELAY_MS = 100;

interface DraftFields {
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
  readonly now: number;
}

export interface PaymentAttemptOptions {
  /** The payment method to charge (an id or a test id such as `pm_card_visa`); default: the invoice's, subscription's or customer's default. */
  readonly paymentMethod?: string | null;
  /** After a failure: when the next automatic attempt happens (null: none); omitted keeps the current value. */
  readonly nextPaymentAttempt?: number | null;
}

function noPaymentMethodError(): StripeApiError {
  return invalidRequest(
    'This customer has no attached payment source or default payment method. Please consider adding a default payment method. For more information, visit https://docs.stripe.com/billing/subscriptions/payment-methods-setting#payment-method-priority.',
  );
}

function checkDueDateRules(
  collectionMethod: string,
  daysUntilDue: number | undefined,
  dueDate: number | undefined,
): void {
  if (daysUntilDue !== undefined && dueDate !== undefined) {
    throw invalidRequest('You may only specify one of these parameters: days_until_due, due_date.');
  }
  if (collectionMethod === 'charge_automatically' && daysUntilDue !== undefined) {
    throw invalidRequest(
      'The days_until_due parameter can only be set when collection_method is send_invoice.',
      'days_until_due',
    );
  }
  if (collectionMethod === 'charge_automatically' && dueDate !== undefined) {
    throw invalidRequest(
      'The due_date parameter can only be set when collection_method is send_invoice.',
      'due_date',
    );
  }
}

/** The description Stripe gives the payment of an invoice. */
function paymentDescription(invoice: Stripe.Invoice): string {
  if (invoice.billing_reason === 'subscription_create') return 'Subscription creation';
  if (
    invoice.billing_reason === 'subscription_cycle' ||
    invoice.billing_reason === 'subscription_update'
  ) {
    return 'Subscription update';
  }
  return 'Payment for Invoice';
}

/**
 * Invoices: drafts made from invoice items or by subscriptions, finalized
 * (numbered, open), then paid, voided or marked uncollectible, each step
 * with Stripe's events. Payments go through PaymentsService, each attempt
 * recorded as an `invoice_payment` in the invoice's `payments`.
 */
@Injectable()
export class InvoicesService implements OnApplicationShutdown {
  private readonly logger = new Logger(InvoicesService.name);
  private readonly scheduledCollections = new Set<NodeJS.Timeout>();
  private readonly paidListeners: ((invoice: Stripe.Invoice) => void)[] = [];

  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly events: EventRecorder,
    private readonly persistence: StorePersistence,
    private readonly items: InvoiceItemsService,
    private readonly payments: PaymentsService,
    private readonly paymentMethods: PaymentMethodsService,
  ) {}

  onApplicationShutdown(): void {
    for (const timer of this.scheduledCollections) clearTimeout(timer);
    this.scheduledCollections.clear();
  }

  create(params: Params): Stripe.Invoice {
    const customerId = params.requiredString('customer');
    const autoAdvance = params.boolean('auto_advance');
    const collectionMethod =
      params.oneOf('collection_method', COLLECTION_METHODS) ?? 'charge_automatically';
    const daysUntilDue = params.integer('days_until_due', { min: 0 });
    const dueDate = params.integer('due_date');
    const description = params.string('description');
    const metadata = params.metadata();
    const currency = params.string('currency')?.toLowerCase();
    const defaultPaymentMethod = params.string('default_payment_method');
    const footer = params.string('footer');
    const statementDescriptor = params.string('statement_descriptor');
    const subscriptionId = params.string('subscription');
    const pendingItems =
      params.oneOf('pending_invoice_items_behavior', ['include', 'exclude'] as const) ?? 'exclude';
    params.done();
    checkDueDateRules(collectionMethod, daysUntilDue, dueDate);
    if (
      collectionMethod === 'send_invoice' &&
      daysUntilDue === undefined &&
      dueDate === undefined
    ) {
      throw invalidRequest(
        'Invoices with collection_method send_invoice need a due date: set days_until_due or due_date.',
        'days_until_due',
      );
    }
    return this.store.transaction(() => {
      const customer = this.store.get('customer', customerId, 'customer', 'customer');
      let parent: Stripe.Invoice.Parent | null = null;
      if (subscriptionId !== undefined) {
        const subscription = this.store.get(
          'subscription',
          subscriptionId,
          'subscription',
          'subscription',
        );
        if (idOf(subscription.customer) !== customer.id) {
          throw invalidRequest(
            `The subscription ${subscription.id} does not belong to the customer ${customer.id}.`,
            'subscription',
          );
        }
        parent = {
          type: 'subscription_details',
          quote_details: null,
          subscription_details: {
            metadata: { ...subscription.metadata },
            subscription: subscription.id,
          },
        };
      }
      if (defaultPaymentMethod !== undefined) {
        this.checkPaymentMethodOf(customer.id, defaultPaymentMethod, 'default_payment_method');
      }
      const pending =
        pendingItems === 'include'
          ? this.items.pendingItems(
              customer.id,
              (item) =>
                subscriptionId === undefined ||
                item.parent?.subscription_details?.subscription === subscriptionId,
            )
          : [];
      const invoiceCurrency = currency ?? customer.currency ?? pending[0]?.currency ?? 'usd';
      const now = this.clock.nowForCustomer(customer.id);
      const invoice = this.store.insert(
        'invoice',
        this.draft(customer, {
          currency: invoiceCurrency,
          collectionMethod,
          autoAdvance: autoAdvance ?? false,
          dueDate:
            dueDate ?? (daysUntilDue === undefined ? null : now + daysUntilDue * DAY_SECONDS),
          billingReason: 'manual',
          parent,
          description: description ?? null,
          metadata: metadata ?? {},
          defaultPaymentMethod: defaultPaymentMethod ?? null,
          footer: footer ?? null,
          statementDescriptor: statementDescriptor ?? null,
          periodStart: now,
          periodEnd: now,
          now,
        }),
      );
      for (const item of pending) {
        if (item.currency === invoice.currency) this.items.attach(item, invoice);
      }
      this.events.record('invoice.created', invoice, { testClock: this.testClockOf(invoice) });
      return invoice;
    });
  }

  /**
   * Creates a draft subscription invoice with a line per input line plus the
   * customer's pending invoice items of that subscription (prorations) or of
   * no subscription, as Stripe sweeps those into the next subscription
   * invoice. Records `invoice.created`. Call inside a store transaction.
   */
  createSubscriptionInvoice(input: SubscriptionInvoiceInput): Stripe.Invoice {
    return this.store.transaction(() => {
      const subscription = input.subscription;
      const customer = this.store.get(
        'customer',
        idOf(subscription.customer),
        'customer',
        'customer',
      );
      const now = this.clock.nowForCustomer(customer.id);
      const invoice = this.store.insert(
        'invoice',
        this.draft(customer, {
          currency: subscription.currency,
          collectionMethod:
            subscription.collection_method === 'send_invoice'
              ? 'send_invoice'
              : 'charge_automatically',
          autoAdvance: true,
          dueDate:
            subscription.collection_method === 'send_invoice'
              ? now + (subscription.days_until_due ?? 0) * DAY_SECONDS
              : null,
          billingReason: input.billingReason,
          parent: {
            type: 'subscription_details',
            quote_details: null,
            subscription_details: {
              metadata: { ...subscription.metadata },
              subscription: subscription.id,
            },
          },
          description: null,
          metadata: {},
          defaultPaymentMethod: null,
          footer: null,
          statementDescriptor: null,
          periodStart: input.periodStart,
          periodEnd: input.periodEnd,
          now,
        }),
      );
      const pending = this.items.pendingItems(customer.id, (item) => {
        const of = item.parent?.subscription_details?.subscription;
        return item.currency === invoice.currency && (of === undefined || of === subscription.id);
      });
      for (const item of pending) this.items.attach(item, invoice);
      for (const line of input.lines) {
        invoice.lines.data.push(this.subscriptionLine(line, subscription, invoice.id));
      }
      applyTotals(invoice);
      this.events.record('invoice.created', invoice, { testClock: this.testClockOf(invoice) });
      return invoice;
    });
  }

  private subscriptionLine(
    line: SubscriptionLineInput,
    subscription: Stripe.Subscription,
    invoice: string,
  ): Stripe.InvoiceLineItem {
    const amount = amountForQuantity(line.price, line.quantity);
    const productId = productIdOf(line.price);
    const productName = this.store.find('product', productId)?.name ?? productId;
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

  private draft(customer: Stripe.Customer, fields: DraftFields): Stripe.Invoice {
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
      ...this.customerDetails(customer),
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
      test_clock: this.clock.testClockOfCustomer(customer.id),
      total: 0,
      total_discount_amounts: [],
      total_excluding_tax: 0,
      total_pretax_credit_amounts: [],
      total_taxes: [],
      webhooks_delivered_at: null,
    };
  }

  /** The customer's details an invoice keeps (frozen when it is finalized). */
  private customerDetails(
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

  private checkPaymentMethodOf(customer: string, id: string, param: string): void {
    const paymentMethod = this.store.get('payment_method', id, 'PaymentMethod', param);
    if (paymentMethod.customer === null || idOf(paymentMethod.customer) !== customer) {
      throw invalidRequest(
        `The customer does not have a payment method with the ID ${id}. The payment method must be attached to the customer.`,
        param,
      );
    }
  }

  update(id: string, params: Params): Stripe.Invoice {
    const autoAdvance = params.boolean('auto_advance');
    const collectionMethod = params.oneOf('collection_method', COLLECTION_METHODS);
    const daysUntilDue = params.integer('days_until_due', { min: 0 });
    const dueDate = params.integer('due_date');
    const description = params.nullableString('description');
    const metadata = params.metadata();
    const defaultPaymentMethod = params.nullableString('default_payment_method');
    const footer = params.nullableString('footer');
    const statementDescriptor = params.nullableString('statement_descriptor');
    params.done();
    return this.store.transaction(() => {
      const invoice = this.get(id);
      const before = snapshot(invoice);
      const draftOnly = { collection_method: collectionMethod, days_until_due: daysUntilDue };
      const openOnly = {
        auto_advance: autoAdvance,
        due_date: dueDate,
        default_payment_method: defaultPaymentMethod,
        statement_descriptor: statementDescriptor,
      };
      const refused = [
        ...(invoice.status === 'draft' ? [] : Object.entries(draftOnly)),
        ...(invoice.status === 'draft' || invoice.status === 'open'
          ? []
          : Object.entries(openOnly)),
      ].find(([, value]) => value !== undefined);
      if (refused !== undefined) {
        throw invalidRequest(
          `You can't change ${refused[0]} of invoice ${id}: its status is ${String(invoice.status)}.`,
          refused[0],
        );
      }
      const method = collectionMethod ?? invoice.collection_method;
      checkDueDateRules(method, daysUntilDue, dueDate);
      if (defaultPaymentMethod !== undefined && defaultPaymentMethod !== null) {
        this.checkPaymentMethodOf(
          this.customerOf(invoice),
          defaultPaymentMethod,
          'default_payment_method',
        );
      }
      if (collectionMethod !== undefined) invoice.collection_method = collectionMethod;
      if (method === 'charge_automatically') invoice.due_date = null;
      if (daysUntilDue !== undefined) {
        invoice.due_date = invoice.created + daysUntilDue * DAY_SECONDS;
      }
      if (dueDate !== undefined) invoice.due_date = dueDate;
      if (method === 'send_invoice' && invoice.due_date === null) {
        throw invalidRequest(
          'Invoices with collection_method send_invoice need a due date: set days_until_due or due_date.',
          'days_until_due',
        );
      }
      if (autoAdvance !== undefined) invoice.auto_advance = autoAdvance;
      if (description !== undefined) invoice.description = description;
      if (footer !== undefined) invoice.footer = footer;
      if (statementDescriptor !== undefined) invoice.statement_descriptor = statementDescriptor;
      if (metadata !== undefined)
        invoice.metadata = mergeMetadata(invoice.metadata ?? {}, metadata);
      if (defaultPaymentMethod !== undefined) {
        invoice.default_payment_method = defaultPaymentMethod;
      }
      this.events.recordUpdate('invoice.updated', before, invoice, {
        testClock: this.testClockOf(invoice),
      });
      return invoice;
    });
  }

  remove(id: string): Stripe.DeletedInvoice {
    return this.store.transaction(() => {
      const invoice = this.get(id);
      if (invoice.status !== 'draft') {
        throw invalidRequest(
          `You can only delete draft invoices; invoice ${id} is ${String(invoice.status)}. Void it instead.`,
        );
      }
      if ((invoice.parent?.subscription_details ?? null) !== null) {
        throw invalidRequest(
          `Invoice ${id} was created by a subscription: it cannot be deleted, but it can be voided once finalized.`,
        );
      }
      for (const item of this.store.list('invoiceitem', (candidate) => candidate.invoice === id)) {
        this.items.deleteItem(item);
      }
      this.store.remove('invoice', id);
      this.events.record('invoice.deleted', invoice, { testClock: this.testClockOf(invoice) });
      return { id, object: 'invoice', deleted: true };
    });
  }

  list(params: Params): Stripe.Invoice[] {
    const customer = params.string('customer');
    const status = params.oneOf('status', STATUSES);
    const subscription = params.string('subscription');
    const collectionMethod = params.oneOf('collection_method', COLLECTION_METHODS);
    const created = createdFilter(params);
    const dueDate = createdFilter(params, 'due_date');
    const dueDateGiven = params.has('due_date');
    return this.store.list(
      'invoice',
      (invoice) =>
        (customer === undefined ||
          (invoice.customer !== null && idOf(invoice.customer) === customer)) &&
        (status === undefined || invoice.status === status) &&
        (subscription === undefined || this.subscriptionOf(invoice) === subscription) &&
        (collectionMethod === undefined || invoice.collection_method === collectionMethod) &&
        created(invoice.created) &&
        (!dueDateGiven || (invoice.due_date !== null && dueDate(invoice.due_date))),
    );
  }

  get(id: string): Stripe.Invoice {
    return this.store.get('invoice', id, 'invoice');
  }

  /** `POST /v1/invoices/:id/finalize`. */
  finalizeById(id: string, params: Params): Stripe.Invoice {
    const autoAdvance = params.boolean('auto_advance');
    params.done();
    const invoice = this.store.transaction(() => {
      const draft = this.get(id);
      if (draft.status !== 'draft') {
        throw invalidRequest(
          "This invoice is already finalized, you can't re-finalize a non-draft invoice.",
        );
      }
      if (autoAdvance !== undefined) draft.auto_advance = autoAdvance;
      this.finalize(draft);
      return draft;
    });
    if (
      invoice.status === 'open' &&
      invoice.auto_advance === true &&
      invoice.collection_method === 'charge_automatically'
    ) {
      this.scheduleCollection(invoice.id);
    }
    return invoice;
  }

  /**
   * Finalizes a draft invoice: a number from the customer's prefix and
   * sequence, status open, `invoice.finalized`; an invoice with nothing due
   * is paid at once (`invoice.paid`, `invoice.payment_succeeded`). Inside a
   * store transaction.
   */
  finalize(invoice: Stripe.Invoice): void {
    this.store.transaction(() => {
      const customer = this.store.find('customer', this.customerOf(invoice));
      const now = this.clock.nowForCustomer(this.customerOf(invoice));
      if (customer !== undefined) {
        const sequence = customer.next_invoice_sequence ?? 1;
        invoice.number = invoiceNumber(customer.invoice_prefix ?? 'SANDBOX', sequence);
        customer.next_invoice_sequence = sequence + 1;
        Object.assign(invoice, this.customerDetails(customer));
      } else {
        invoice.number = invoiceNumber('SANDBOX', this.store.list('invoice').length);
      }
      applyTotals(invoice);
      invoice.status = 'open';
      invoice.status_transitions.finalized_at = now;
      invoice.effective_at = now;
      invoice.ending_balance = invoice.starting_balance;
      invoice.webhooks_delivered_at = now;
      invoice.next_payment_attempt =
        invoice.auto_advance === true &&
        invoice.collection_method === 'charge_automatically' &&
        invoice.amount_due > 0
          ? now
          : null;
      this.events.record('invoice.finalized', invoice, { testClock: this.testClockOf(invoice) });
      if (invoice.amount_due === 0) this.markPaid(invoice, now);
    });
  }

  /** `POST /v1/invoices/:id/pay`: a decline is thrown (402) once its effects are kept. */
  pay(id: string, params: Params): Stripe.Invoice {
    const paymentMethodParam = params.string('payment_method');
    params.boolean('off_session');
    params.done();
    const { invoice, decline } = this.store.transaction(() => {
      const payable = this.get(id);
      if (payable.status === 'paid') throw invalidRequest('Invoice is already paid');
      if (payable.status === 'void') {
        throw invalidRequest(`Invoice ${id} has been voided and can no longer be paid.`);
      }
      if (payable.status === 'draft') this.finalize(payable);
      if (payable.status === 'paid') return { invoice: payable, decline: null };
      const paymentMethod = this.paymentMethodFor(payable, paymentMethodParam);
      if (paymentMethod === null) throw noPaymentMethodError();
      return { invoice: payable, decline: this.attemptWith(payable, paymentMethod, {}) };
    });
    if (decline !== null) throw decline;
    return invoice;
  }

  /**
   * Attempts to pay an open (or uncollectible) invoice with the given
   * payment method, else the invoice's, the subscription's or the customer's
   * default. Paid: status paid and its events. Declined (or no payment
   * method): attempt_count and next_payment_attempt updated,
   * invoice.payment_failed, and the error returned for the caller to throw
   * after its transaction commits (or to ignore, off session). An invoice in
   * another status is left alone (null). Inside a store transaction.
   */
  attemptPayment(
    invoice: Stripe.Invoice,
    options: PaymentAttemptOptions = {},
  ): StripeApiError | null {
    return this.store.transaction(() => {
      if (invoice.status !== 'open' && invoice.status !== 'uncollectible') return null;
      const paymentMethod = this.paymentMethodFor(invoice, options.paymentMethod ?? undefined);
      return this.attemptWith(invoice, paymentMethod, options);
    });
  }

  /** Creates a pending proration invoice item of a subscription. Inside a store transaction. */
  createProration(input: ProrationInput): Stripe.InvoiceItem {
    return this.items.createProration(input);
  }

  private attemptWith(
    invoice: Stripe.Invoice,
    paymentMethod: Stripe.PaymentMethod | null,
    options: PaymentAttemptOptions,
  ): StripeApiError | null {
    const customer = this.customerOf(invoice);
    const now = this.clock.nowForCustomer(customer);
    const testClock = this.testClockOf(invoice);
    invoice.attempt_count += 1;
    invoice.attempted = true;
    if (paymentMethod === null) {
      this.recordFailure(invoice, options);
      return noPaymentMethodError();
    }
    const amount = invoice.amount_remaining;
    const result = this.payments.pay({
      amount,
      currency: invoice.currency,
      customer,
      paymentMethod,
      description: paymentDescription(invoice),
      metadata: {},
      testClock,
    });
    const payments = this.paymentsOf(invoice);
    for (const earlier of payments.data) {
      if (earlier.status === 'open') {
        earlier.status = 'canceled';
        earlier.is_default = false;
        earlier.status_transitions.canceled_at = now;
      }
    }
    const paid = result.decline === null;
    const payment: Stripe.InvoicePayment = {
      id: newId('inpay'),
      object: 'invoice_payment',
      amount_paid: paid ? amount : null,
      amount_requested: amount,
      created: now,
      currency: invoice.currency,
      invoice: invoice.id,
      is_default: true,
      livemode: false,
      payment: { type: 'payment_intent', payment_intent: result.paymentIntent.id },
      status: paid ? 'paid' : 'open',
      status_transitions: { canceled_at: null, paid_at: paid ? now : null },
    };
    payments.data.unshift(payment);
    const clientSecret = result.paymentIntent.client_secret;
    invoice.confirmation_secret =
      clientSecret === null ? null : { client_secret: clientSecret, type: 'payment_intent' };
    if (result.decline !== null) {
      this.recordFailure(invoice, options);
      return result.decline;
    }
    invoice.amount_paid += amount;
    this.events.record('invoice_payment.paid', payment, { testClock });
    this.markPaid(invoice, now);
    return null;
  }

  private recordFailure(invoice: Stripe.Invoice, options: PaymentAttemptOptions): void {
    if (options.nextPaymentAttempt !== undefined) {
      invoice.next_payment_attempt = options.nextPaymentAttempt;
    }
    this.events.record('invoice.payment_failed', invoice, {
      testClock: this.testClockOf(invoice),
    });
  }

  /**
   * Runs `listener` in the paying transaction whenever an invoice becomes
   * paid, however it got paid (subscriptions become active again through it).
   */
  onPaid(listener: (invoice: Stripe.Invoice) => void): void {
    this.paidListeners.push(listener);
  }

  private markPaid(invoice: Stripe.Invoice, now: number): void {
    invoice.status = 'paid';
    invoice.attempted = true;
    invoice.auto_advance = false;
    invoice.next_payment_attempt = null;
    invoice.amount_remaining = 0;
    invoice.status_transitions.paid_at = now;
    const testClock = this.testClockOf(invoice);
    this.events.record('invoice.paid', invoice, { testClock });
    this.events.record('invoice.payment_succeeded', invoice, { testClock });
    for (const listener of this.paidListeners) listener(invoice);
  }

  /** The payment method a payment of the invoice uses, or null when there is none. */
  private paymentMethodFor(
    invoice: Stripe.Invoice,
    explicit: string | undefined,
  ): Stripe.PaymentMethod | null {
    const customer = this.customerOf(invoice);
    if (explicit !== undefined) {
      const paymentMethod = this.paymentMethods.resolve(explicit, 'payment_method');
      if (paymentMethod.customer !== null && idOf(paymentMethod.customer) !== customer) {
        throw invalidRequest(
          `The payment method ${paymentMethod.id} belongs to another customer than ${customer}.`,
          'payment_method',
        );
      }
      return paymentMethod;
    }
    const subscriptionId = this.subscriptionOf(invoice);
    const subscription =
      subscriptionId === null ? undefined : this.store.find('subscription', subscriptionId);
    const candidates = [
      invoice.default_payment_method,
      subscription?.default_payment_method ?? null,
      this.store.find('customer', customer)?.invoice_settings.default_payment_method ?? null,
    ];
    for (const candidate of candidates) {
      if (candidate === null) continue;
      const paymentMethod = this.store.find('payment_method', idOf(candidate));
      if (paymentMethod !== undefined) return paymentMethod;
    }
    return null;
  }

  /** `POST /v1/invoices/:id/void`. */
  voidInvoice(id: string, params: Params): Stripe.Invoice {
    params.done();
    return this.store.transaction(() => {
      const invoice = this.get(id);
      if (invoice.status !== 'open' && invoice.status !== 'uncollectible') {
        throw invalidRequest(
          `You can only void open or uncollectible invoices; invoice ${id} is ${String(invoice.status)}.`,
        );
      }
      const now = this.clock.nowForCustomer(this.customerOf(invoice));
      invoice.status = 'void';
      invoice.status_transitions.voided_at = now;
      invoice.auto_advance = false;
      invoice.next_payment_attempt = null;
      for (const payment of this.paymentsOf(invoice).data) {
        if (payment.status === 'open') {
          payment.status = 'canceled';
          payment.status_transitions.canceled_at = now;
        }
      }
      this.events.record('invoice.voided', invoice, { testClock: this.testClockOf(invoice) });
      return invoice;
    });
  }

  /** `POST /v1/invoices/:id/mark_uncollectible`. */
  markUncollectible(id: string, params: Params): Stripe.Invoice {
    params.done();
    return this.store.transaction(() => {
      const invoice = this.get(id);
      if (invoice.status !== 'open') {
        throw invalidRequest(
          `You can only mark open invoices as uncollectible; invoice ${id} is ${String(invoice.status)}.`,
        );
      }
      invoice.status = 'uncollectible';
      invoice.status_transitions.marked_uncollectible_at = this.clock.nowForCustomer(
        this.customerOf(invoice),
      );
      invoice.auto_advance = false;
      invoice.next_payment_attempt = null;
      this.events.record('invoice.marked_uncollectible', invoice, {
        testClock: this.testClockOf(invoice),
      });
      return invoice;
    });
  }

  /** Every invoice payment, newest first. */
  listPayments(): Stripe.InvoicePayment[] {
    return this.store
      .list('invoice')
      .flatMap((invoice) => this.paymentsOf(invoice).data)
      .sort((a, b) => b.created - a.created);
  }

  /**
   * After an API finalization with `auto_advance`, Stripe collects payment by
   * itself; the sandbox does so just after answering, as its own work.
   */
  private scheduleCollection(invoiceId: string): void {
    const timer = setTimeout(() => {
      this.scheduledCollections.delete(timer);
      void this.collect(invoiceId);
    }, AUTOMATIC_COLLECTION_DELAY_MS);
    this.scheduledCollections.add(timer);
  }

  private async collect(invoiceId: string): Promise<void> {
    try {
      this.store.transaction(() => {
        const invoice = this.store.find('invoice', invoiceId);
        if (
          invoice?.status !== 'open' ||
          invoice.auto_advance !== true ||
          invoice.attempt_count > 0
        ) {
          return;
        }
        this.attemptPayment(invoice, { nextPaymentAttempt: null });
      });
      await this.persistence.flush();
    } catch (error) {
      this.logger.error(`automatic collection of ${invoiceId} failed: ${String(error)}`);
    }
  }

  private paymentsOf(invoice: Stripe.Invoice): Stripe.ApiList<Stripe.InvoicePayment> {
    invoice.payments ??= {
      object: 'list',
      data: [],
      has_more: false,
      url: '/v1/invoice_payments',
    };
    return invoice.payments;
  }

  private customerOf(invoice: Stripe.Invoice): string {
    if (invoice.customer === null) throw invalidRequest(`Invoice ${invoice.id} has no customer.`);
    return idOf(invoice.customer);
  }

  private subscriptionOf(invoice: Stripe.Invoice): string | null {
    const subscription = invoice.parent?.subscription_details?.subscription;
    return subscription === undefined ? null : idOf(subscription);
  }

  private testClockOf(invoice: Stripe.Invoice): string | null {
    return invoice.test_clock === null ? null : idOf(invoice.test_clock);
  }
}
