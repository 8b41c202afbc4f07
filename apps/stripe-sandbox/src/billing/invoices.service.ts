import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { idOf } from '../core/ids.js';
import { createdFilter } from '../core/list.js';
import { mergeMetadata } from '../core/metadata.js';
import type { Params } from '../core/params.js';
import { invalidRequest, unknownRoute, type StripeApiError } from '../core/stripe-error.js';
import { EventRecorder } from '../events/event-recorder.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore, snapshot } from '../store/sandbox-store.js';
import { draftInvoice, subscriptionLine } from './invoice-drafts.js';
import type {
  PaymentAttemptOptions,
  ProrationInput,
  SubscriptionInvoiceInput,
} from './invoice-inputs.js';
import { InvoiceItemsService } from './invoice-items.service.js';
import { InvoiceLifecycleService } from './invoice-lifecycle.service.js';
import { applyTotals, productIdOf } from './invoice-lines.js';
import {
  checkDueDateRules,
  COLLECTION_METHODS,
  DAY_SECONDS,
  parseInvoiceCreateParams,
  parseInvoiceUpdateParams,
  STATUSES,
} from './invoice-params.js';
import { InvoicePaymentsService } from './invoice-payments.service.js';
import { retryOf } from './invoice-retry-records.js';
import { forgetDaysUntilDue, rememberDaysUntilDue } from './invoice-terms.js';
import { nextRetryAt } from './payment-retry-schedule.js';
import { customerOf, subscriptionOf, testClockOf } from './invoice-refs.js';

// Callers import the inputs of InvoicesService's methods from here.
export type {
  PaymentAttemptOptions,
  ProrationInput,
  SubscriptionInvoiceInput,
  SubscriptionLineInput,
} from './invoice-inputs.js';

/**
 * Invoices: drafts made from invoice items or by subscriptions, edited,
 * deleted and listed here; finalized (numbered, open), then paid, voided or
 * marked uncollectible by InvoiceLifecycleService, each step with Stripe's
 * events. Payments go through InvoicePaymentsService, each attempt recorded
 * as an `invoice_payment` in the invoice's `payments`. The entry point for
 * the controllers and subscriptions.
 */
/** Answers `POST /v1/invoices/create_preview`: the invoice a subscription change or renewal would make. */
export type InvoicePreviewer = (params: Params) => Stripe.Invoice;

@Injectable()
export class InvoicesService {
  /** Set by the subscriptions module, which knows what a subscription's next invoice holds. */
  private previewer: InvoicePreviewer | null = null;

  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly events: EventRecorder,
    private readonly items: InvoiceItemsService,
    private readonly lifecycle: InvoiceLifecycleService,
    private readonly invoicePayments: InvoicePaymentsService,
  ) {}

  create(params: Params): Stripe.Invoice {
    const {
      customerId,
      autoAdvance,
      collectionMethod,
      daysUntilDue,
      dueDate,
      description,
      metadata,
      currency,
      defaultPaymentMethod,
      footer,
      statementDescriptor,
      subscriptionId,
      pendingItems,
    } = parseInvoiceCreateParams(params);
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
        draftInvoice(customer, {
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
          testClock: this.clock.testClockOfCustomer(customer.id),
          now,
        }),
      );
      if (daysUntilDue !== undefined) {
        rememberDaysUntilDue(this.store, invoice.id, daysUntilDue, now);
      }
      for (const item of pending) {
        if (item.currency === invoice.currency) this.items.attach(item, invoice);
      }
      this.events.record('invoice.created', invoice, { testClock: testClockOf(invoice) });
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
        draftInvoice(customer, {
          currency: subscription.currency,
          collectionMethod:
            subscription.collection_method === 'send_invoice'
              ? 'send_invoice'
              : 'charge_automatically',
          autoAdvance: input.autoAdvance ?? true,
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
          testClock: this.clock.testClockOfCustomer(customer.id),
          now,
        }),
      );
      if (subscription.collection_method === 'send_invoice') {
        rememberDaysUntilDue(this.store, invoice.id, subscription.days_until_due ?? 0, now);
      }
      const pending = this.items.pendingItems(customer.id, (item) => {
        const of = item.parent?.subscription_details?.subscription;
        return item.currency === invoice.currency && (of === undefined || of === subscription.id);
      });
      for (const item of pending) this.items.attach(item, invoice);
      for (const line of input.lines) {
        invoice.lines.data.push(
          subscriptionLine(line, subscription, invoice.id, this.productName(line.price)),
        );
      }
      applyTotals(invoice);
      this.events.record('invoice.created', invoice, { testClock: testClockOf(invoice) });
      return invoice;
    });
  }

  /**
   * An open one-off invoice's automatic collection follows `auto_advance`:
   * turned off, nothing is attempted any more (`next_payment_attempt` null);
   * turned on again, its retry schedule, if its payment failed, goes on.
   */
  private pauseOrResumeRetries(invoice: Stripe.Invoice): void {
    if (
      invoice.status !== 'open' ||
      invoice.collection_method !== 'charge_automatically' ||
      subscriptionOf(invoice) !== null
    ) {
      return;
    }
    const retry = retryOf(this.store, invoice.id);
    invoice.next_payment_attempt =
      invoice.auto_advance === true && retry !== undefined
        ? nextRetryAt(retry.created, retry.failures)
        : null;
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
    const {
      autoAdvance,
      collectionMethod,
      daysUntilDue,
      dueDate,
      description,
      metadata,
      defaultPaymentMethod,
      footer,
      statementDescriptor,
    } = parseInvoiceUpdateParams(params);
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
          customerOf(invoice),
          defaultPaymentMethod,
          'default_payment_method',
        );
      }
      if (collectionMethod !== undefined) invoice.collection_method = collectionMethod;
      if (method === 'charge_automatically') invoice.due_date = null;
      if (method === 'charge_automatically' || dueDate !== undefined) {
        forgetDaysUntilDue(this.store, invoice.id);
      }
      if (daysUntilDue !== undefined) {
        invoice.due_date = invoice.created + daysUntilDue * DAY_SECONDS;
        rememberDaysUntilDue(
          this.store,
          invoice.id,
          daysUntilDue,
          this.clock.nowForCustomer(customerOf(invoice)),
        );
      }
      if (dueDate !== undefined) invoice.due_date = dueDate;
      if (method === 'send_invoice' && invoice.due_date === null) {
        throw invalidRequest(
          'Invoices with collection_method send_invoice need a due date: set days_until_due or due_date.',
          'days_until_due',
        );
      }
      if (autoAdvance !== undefined) {
        invoice.auto_advance = autoAdvance;
        this.pauseOrResumeRetries(invoice);
      }
      if (description !== undefined) invoice.description = description;
      if (footer !== undefined) invoice.footer = footer;
      if (statementDescriptor !== undefined) invoice.statement_descriptor = statementDescriptor;
      if (metadata !== undefined)
        invoice.metadata = mergeMetadata(invoice.metadata ?? {}, metadata);
      if (defaultPaymentMethod !== undefined) {
        invoice.default_payment_method = defaultPaymentMethod;
      }
      this.events.recordUpdate('invoice.updated', before, invoice, {
        testClock: testClockOf(invoice),
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
      forgetDaysUntilDue(this.store, id);
      this.events.record('invoice.deleted', invoice, { testClock: testClockOf(invoice) });
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
        (subscription === undefined || subscriptionOf(invoice) === subscription) &&
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
    return this.lifecycle.finalizeById(id, params);
  }

  /** Finalizes a draft invoice (see InvoiceLifecycleService.finalize). Inside a store transaction. */
  finalize(invoice: Stripe.Invoice): void {
    this.lifecycle.finalize(invoice);
  }

  /** `POST /v1/invoices/:id/pay`: a decline is thrown (402) once its effects are kept. */
  pay(id: string, params: Params): Stripe.Invoice {
    return this.lifecycle.pay(id, params);
  }

  /** `POST /v1/invoices/:id/send`. */
  send(id: string, params: Params): Stripe.Invoice {
    return this.lifecycle.send(id, params);
  }

  /**
   * Attempts to pay an open (or uncollectible) invoice (see
   * InvoicePaymentsService.attemptPayment); a decline is returned, not thrown.
   * Inside a store transaction.
   */
  attemptPayment(
    invoice: Stripe.Invoice,
    options: PaymentAttemptOptions = {},
  ): StripeApiError | null {
    return this.invoicePayments.attemptPayment(invoice, options);
  }

  /** Creates a pending proration invoice item of a subscription. Inside a store transaction. */
  createProration(input: ProrationInput): Stripe.InvoiceItem {
    return this.items.createProration(input);
  }

  /**
   * Runs `listener` in the paying transaction whenever an invoice becomes
   * paid, however it got paid (subscriptions become active again through it).
   */
  onPaid(listener: (invoice: Stripe.Invoice) => void): void {
    this.invoicePayments.onPaid(listener);
  }

  /** `POST /v1/invoices/:id/void`. */
  voidInvoice(id: string, params: Params): Stripe.Invoice {
    return this.lifecycle.voidInvoice(id, params);
  }

  /** `POST /v1/invoices/:id/mark_uncollectible`. */
  markUncollectible(id: string, params: Params): Stripe.Invoice {
    return this.lifecycle.markUncollectible(id, params);
  }

  /** Registers what answers invoice previews (subscriptions do; billing cannot depend on them). */
  servePreviews(previewer: InvoicePreviewer): void {
    this.previewer = previewer;
  }

  /** `POST /v1/invoices/create_preview`: an invoice that is not kept (see InvoicePreviews). */
  preview(params: Params): Stripe.Invoice {
    if (this.previewer === null) throw unknownRoute('POST', '/v1/invoices/create_preview');
    return this.previewer(params);
  }

  /** Every invoice payment, newest first. */
  listPayments(): Stripe.InvoicePayment[] {
    return this.invoicePayments.listPayments();
  }

  private productName(price: Stripe.Price): string {
    const productId = productIdOf(price);
    return this.store.find('product', productId)?.name ?? productId;
  }
}
