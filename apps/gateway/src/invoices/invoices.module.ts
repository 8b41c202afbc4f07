import { Module } from '@nestjs/common';
import { InvoiceRunsController, InvoicesController } from './invoices.controller.js';
import { InvoicesService } from './invoices.service.js';

/** `/api/v1/invoices` and `/api/v1/invoice_runs`: billing's, over RPC. */
@Module({ controllers: [InvoicesController, InvoiceRunsController], providers: [InvoicesService] })
export class InvoicesModule {}
