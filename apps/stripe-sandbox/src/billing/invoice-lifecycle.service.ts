import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import type { Params } from '../core/params.js';
import { invalidRequest } from '../core/stripe-error.js';
import { EventRecorder } from '../events/event-recorder.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore } from '../store/sandbox-store.js';
import { HostedInvoicesService } from './hosted-invoices.service.js';
import { InvoiceAutoCollectionService } from './invoice-auto-collection.service.js';
import { customerDetails } from './invoice-drafts.js';
import { invoiceNumber, applyTotals } from './invoice-lines.js';
import { DAY_SECONDS } from './invoice-params.js';
import { InvoicePaymentsService } from './invoice-payments.service.js';
import { forgetRetries } from './invoice-retry-records.js';
import { takeDaysUntilDue } from './invoice-terms.js';
import { customerOf, paymentsOf, testClockOf } from './invoice-refs.js';

/**
 * An invoice's status transitions: a draft finalized (numbered, open), then
 * paid, voided or marked uncollectible, each step with Stripe's events.
 */
@Injectable()
export class InvoiceLifecycleService {
  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly events: EventRecorder,
    private readonly invoicePayments: InvoicePaymentsService,
    private readonly autoCollection: InvoiceAutoCollectionService,
    private readonly hostedInvoices: HostedInvoicesService,
  ) {}

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
      this.autoCollection.schedule(invoice.id);
    }
    return invoice;
  }

  /**
   * Finalizes a draft invoice: a number from the customer's prefix and
   * sequence, status open, its hosted page and PDF links, a `send_invoice`
   * invoice given `days_until_due` due that many days from now,
   * `invoice.finalized`; an invoice with nothing due
   * is paid at once (`invoice.paid`, `invoice.payment_succeeded`). Inside a
   * store transaction.
   */
  finalize(invoice: Stripe.Invoice): void {
    this.store.transaction(() => {
      const customer = this.store.find('customer', customerOf(invoice));
      const now = this.clock.nowForCustomer(customerOf(invoice));
      if (customer !== undefined) {
        const sequence = customer.next_invoice_sequence ?? 1;
        invoice.number = invoiceNumber(customer.invoice_prefix ?? 'SANDBOX', sequence);
        customer.next_invoice_sequence = sequence + 1;
        Object.assign(invoice, customerDetails(customer));
      } else {
        invoice.number = invoiceNumber('SANDBOX', this.store.list('invoice').length);
      }
      applyTotals(invoice);
      invoice.status = 'open';
      invoice.status_transitions.finalized_at = now;
      invoice.effective_at = now;
      const daysUntilDue = takeDaysUntilDue(this.store, invoice.id);
      if (invoice.collection_method === 'send_invoice' && daysUntilDue !== null) {
        invoice.due_date = now + daysUntilDue * DAY_SECONDS;
      }
      invoice.ending_balance = invoice.starting_balance;
      invoice.webhooks_delivered_at = now;
      this.hostedInvoices.publish(invoice);
      invoice.next_payment_attempt =
        invoice.auto_advance === true &&
        invoice.collection_method === 'charge_automatically' &&
        invoice.amount_due > 0
          ? now
          : null;
      this.events.record('invoice.finalized', invoice, { testClock: testClockOf(invoice) });
      if (invoice.amount_due === 0) this.invoicePayments.markPaid(invoice, now);
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
      return {
        invoice: payable,
        decline: this.invoicePayments.attemptRequested(payable, paymentMethodParam),
      };
    });
    if (decline !== null) throw decline;
    return invoice;
  }

  /**
   * `POST /v1/invoices/:id/send`: Stripe emails the invoice to the customer,
   * recording `invoice.sent`; in test mode it sends no email, only the
   * event, and so does the sandbox. An open, paid or uncollectible invoice
   * can be sent; a draft (not finalized yet) or a voided one cannot.
   */
  send(id: string, params: Params): Stripe.Invoice {
    params.done();
    return this.store.transaction(() => {
      const invoice = this.get(id);
      if (invoice.status === 'draft') {
        throw invalidRequest(
          `You can only send an invoice once it is finalized; invoice ${id} is a draft. Finalize it first with POST /v1/invoices/${id}/finalize.`,
        );
      }
      if (invoice.status === 'void') {
        throw invalidRequest(`Invoice ${id} has been voided and can no longer be sent.`);
      }
      this.events.record('invoice.sent', invoice, { testClock: testClockOf(invoice) });
      return invoice;
    });
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
      const now = this.clock.nowForCustomer(customerOf(invoice));
      invoice.status = 'void';
      invoice.status_transitions.voided_at = now;
      invoice.auto_advance = false;
      invoice.next_payment_attempt = null;
      forgetRetries(this.store, invoice.id);
      for (const payment of paymentsOf(invoice).data) {
        if (payment.status === 'open') {
          payment.status = 'canceled';
          payment.status_transitions.canceled_at = now;
        }
      }
      this.events.record('invoice.voided', invoice, { testClock: testClockOf(invoice) });
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
        customerOf(invoice),
      );
      invoice.auto_advance = false;
      invoice.next_payment_attempt = null;
      forgetRetries(this.store, invoice.id);
      this.events.record('invoice.marked_uncollectible', invoice, {
        testClock: testClockOf(invoice),
      });
      return invoice;
    });
  }

  private get(id: string): Stripe.Invoice {
    return this.store.get('invoice', id, 'invoice');
  }
}
