import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { sendHtml } from '../core/html.js';
import { invoiceDocumentOf } from './invoice-document.js';
import { renderInvoiceMissingPage, renderInvoicePage } from './invoice-page.js';
import { renderInvoicePdf } from './invoice-pdf.js';
import { HostedInvoicesService } from './hosted-invoices.service.js';

/**
 * Where `hosted_invoice_url` and `invoice_pdf` lead: the invoice as its
 * customer sees it, for a browser, no API key (the link's token is the
 * key). Both show the invoice as it is now, paid or voided since included.
 */
@Controller('invoice')
export class HostedInvoiceController {
  constructor(private readonly hostedInvoices: HostedInvoicesService) {}

  @Get(':token')
  page(@Param('token') token: string, @Res() response: Response): void {
    const invoice = this.hostedInvoices.invoiceOf(token);
    const pdfUrl = invoice?.invoice_pdf ?? null;
    if (invoice === undefined || pdfUrl === null) {
      sendHtml(response, 404, renderInvoiceMissingPage());
      return;
    }
    sendHtml(response, 200, renderInvoicePage(invoiceDocumentOf(invoice), pdfUrl));
  }

  @Get(':token/pdf')
  async pdf(@Param('token') token: string, @Res() response: Response): Promise<void> {
    const invoice = this.hostedInvoices.invoiceOf(token);
    if (invoice === undefined) {
      sendHtml(response, 404, renderInvoiceMissingPage());
      return;
    }
    const document = invoiceDocumentOf(invoice);
    const finalizedAt = invoice.status_transitions.finalized_at ?? invoice.created;
    const fileName = `Invoice-${document.number.replace(/[^\w-]/g, '_')}.pdf`;
    const pdf = await renderInvoicePdf(document, new Date(finalizedAt * 1000));
    response
      .status(200)
      .setHeader('content-type', 'application/pdf')
      .setHeader('content-disposition', `inline; filename="${fileName}"`)
      .setHeader('cache-control', 'no-store')
      .setHeader('x-content-type-options', 'nosniff')
      .send(pdf);
  }
}
