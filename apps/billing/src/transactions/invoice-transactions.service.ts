import { Injectable } from '@nestjs/common';
import type { ConsumeContext } from '@aegis/messaging';
import type { StripeEventOutcome } from '@aegis/contracts';
import { StripeProvider, secondsOf, stateToApply, type StripeEnvelope } from '@aegis/stripe';
import type Stripe from 'stripe';
import { BillingTransaction } from './entities/billing-transaction.entity.js';
import { mirroredOf, paymentRefsOf, withInvoice } from './transaction-state.js';
import { TransactionMirrorService } from './transaction-mirror.service.js';

export type InvoiceEventEnvelope = StripeEnvelope<
  'invoice.paid' | 'invoice.payment_succeeded' | 'invoice.payment_failed'
>;

/** An invoice's payment events attach the invoice to each of its payments' rows. */
@Injectable()
export class InvoiceTransactionsService {
  constructor(
    private readonly stripe: StripeProvider,
    private readonly mirror: TransactionMirrorService,
  ) {}

  async applyInvoiceEvent(envelope: InvoiceEventEnvelope, context: ConsumeContext): Promise<void> {
    const { manager } = context;
    const event = envelope.data;
    const invoiceId = event.data.object.id;
    await this.mirror.lockStripeObjects(manager, [`invoice:${invoiceId}`]);
    const attached = await manager.findBy(BillingTransaction, { stripeInvoiceId: invoiceId });
    const appliedSeconds = attached
      .map((row) => secondsOf(row.invoiceLastEventCreated))
      .filter((seconds) => seconds !== null);
    const lastApplied = appliedSeconds.length === 0 ? null : Math.max(...appliedSeconds);
    const state = await stateToApply(this.stripe, 'invoice', event, lastApplied);
    if (state.outcome === 'stale') return this.mirror.report(context, 'stale');
    let outcome: StripeEventOutcome = state.outcome;
    let invoice = state.object;
    if (invoice.payments === undefined) {
      // Stripe includes an invoice's payments only when asked to.
      invoice = await this.stripe.refetch('invoice', invoiceId, { expand: ['payments'] });
      outcome = 'refetched';
    }
    const refs = paymentRefsOf(await this.paymentsOf(invoice));
    if (refs.length === 0) return this.mirror.report(context, 'ignored');
    await this.mirror.lockStripeObjects(
      manager,
      refs.map((ref) => ref.id),
    );
    for (const ref of refs) {
      const row = await this.mirror.findByRef(manager, ref);
      if (row === null) {
        const loaded = await this.mirror.paymentFromStripe(ref, event.created);
        await this.mirror.save(context, null, withInvoice(loaded.payment, invoice), {
          ...loaded.stamps,
          invoice: event.created,
        });
        outcome = 'refetched';
      } else {
        await this.mirror.save(context, row, withInvoice(mirroredOf(row), invoice), {
          invoice: event.created,
        });
      }
    }
    await this.mirror.report(context, outcome);
  }

  private async paymentsOf(invoice: Stripe.Invoice): Promise<Stripe.InvoicePayment[]> {
    const embedded = invoice.payments;
    if (embedded === undefined) return [];
    if (!embedded.has_more) return embedded.data;
    return this.stripe.invoicePaymentsOf(invoice.id);
  }
}
