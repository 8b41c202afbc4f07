import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module.js';
import { TransactionsModule } from '../transactions/transactions.module.js';
import { InvoiceEventsHandler } from './invoice-events.handler.js';
import { InvoiceEventsService } from './invoice-events.service.js';
import { InvoicePricingService } from './invoice-pricing.service.js';
import { InvoiceRunsService } from './invoice-runs.service.js';
import { InvoicesHandler } from './invoices.handler.js';
import { InvoicesService } from './invoices.service.js';

@Module({
  imports: [CatalogModule, TransactionsModule],
  controllers: [InvoicesHandler, InvoiceEventsHandler],
  providers: [InvoicesService, InvoicePricingService, InvoiceRunsService, InvoiceEventsService],
})
export class InvoicesModule {}
