import { Injectable } from '@nestjs/common';
import { SandboxStore } from '../store/sandbox-store.js';
import { customerOf } from './invoice-refs.js';
import { forgetRetries, isRetriedOneOff, retryOf } from './invoice-retry-records.js';
import { InvoicePaymentsService } from './invoice-payments.service.js';
import { nextRetryAt } from './payment-retry-schedule.js';

/** A one-off invoice whose next payment retry is due at `at`. */
export interface DueInvoiceRetry {
  readonly invoice: string;
  readonly customer: string;
  readonly at: number;
}

/**
 * Stripe's automatic retries of one-off invoices: a declined payment of an
 * open, auto-advancing `charge_automatically` invoice (by `pay` or by the
 * sandbox's own collection) is retried on the schedule of
 * payment-retry-schedule.ts with the invoice's or the customer's default
 * payment method. The test clocks and the wall-clock sweep find what is due
 * with `earliestDue` and run it with `retry`, as they do subscription work.
 */
@Injectable()
export class InvoiceRetriesService {
  constructor(
    private readonly store: SandboxStore,
    private readonly invoicePayments: InvoicePaymentsService,
  ) {}

  /**
   * The retry due earliest among those of customers `dueBy` gives a time
   * limit (null: skip the customer), if any is due by its limit. Read-only:
   * call it outside store transactions.
   */
  earliestDue(
    dueBy: (customer: string) => number | null,
    skip: (retry: DueInvoiceRetry) => boolean = () => false,
  ): DueInvoiceRetry | null {
    let earliest: DueInvoiceRetry | null = null;
    for (const record of this.store.list('sandbox.invoice_retry')) {
      const invoice = this.store.find('invoice', record.invoice);
      if (invoice === undefined || !isRetriedOneOff(invoice) || invoice.customer === null) continue;
      const customer = customerOf(invoice);
      if (this.store.find('customer', customer) === undefined) continue;
      const at = nextRetryAt(record.created, record.failures);
      const limit = dueBy(customer);
      if (at === null || limit === null || at > limit) continue;
      const due = { invoice: invoice.id, customer, at };
      if (skip(due)) continue;
      if (earliest === null || at < earliest.at) earliest = due;
    }
    return earliest;
  }

  /**
   * Retries the invoice's payment (an automatic attempt: it counts). A
   * decline moves the schedule on, or ends it after the last retry, the
   * invoice left open. Inside a store transaction.
   */
  retry(invoiceId: string): void {
    const record = retryOf(this.store, invoiceId);
    const invoice = this.store.find('invoice', invoiceId);
    if (record === undefined) return;
    if (invoice === undefined || !isRetriedOneOff(invoice)) {
      forgetRetries(this.store, invoiceId);
      return;
    }
    const nextAttempt = nextRetryAt(record.created, record.failures + 1);
    const decline = this.invoicePayments.attemptPayment(invoice, {
      nextPaymentAttempt: nextAttempt,
    });
    if (decline === null) return;
    record.failures += 1;
    if (nextAttempt === null) forgetRetries(this.store, invoiceId);
  }
}
