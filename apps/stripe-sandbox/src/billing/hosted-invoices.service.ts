import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { PublicUrl } from '../core/public-url.js';
import { randomToken } from '../store/ids.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore } from '../store/sandbox-store.js';

/** The path of the hosted page of the invoice a token stands for; its PDF is under it, at `/pdf`. */
export function hostedInvoicePath(token: string): string {
  return `/invoice/${token}`;
}

/**
 * The hosted invoice page and PDF links of finalized invoices. A link is
 * made when the invoice is finalized and kept for good (a voided invoice
 * keeps its links, as at Stripe); drafts have none.
 */
@Injectable()
export class HostedInvoicesService {
  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly publicUrl: PublicUrl,
  ) {}

  /** Sets `hosted_invoice_url` and `invoice_pdf` of an invoice being finalized. Inside a store transaction. */
  publish(invoice: Stripe.Invoice): void {
    const token = `test_${randomToken(48)}`;
    this.store.insert('sandbox.hosted_invoice', {
      id: token,
      object: 'sandbox.hosted_invoice',
      created: this.clock.realNow(),
      invoice: invoice.id,
    });
    const url = `${this.publicUrl.base()}${hostedInvoicePath(token)}`;
    invoice.hosted_invoice_url = url;
    invoice.invoice_pdf = `${url}/pdf`;
  }

  /** The finalized invoice a link's token leads to, if there is one. Read-only. */
  invoiceOf(token: string): Stripe.Invoice | undefined {
    const link = this.store.find('sandbox.hosted_invoice', token);
    if (link === undefined) return undefined;
    const invoice = this.store.find('invoice', link.invoice);
    return invoice?.status === 'draft' ? undefined : invoice;
  }
}
