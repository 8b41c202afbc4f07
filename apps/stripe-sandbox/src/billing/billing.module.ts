import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module.js';
import { CustomersModule } from '../customers/customers.module.js';
import { PaymentsModule } from '../payments/payments.module.js';
import { HostedInvoiceController } from './hosted-invoice.controller.js';
import { HostedInvoicesService } from './hosted-invoices.service.js';
import { InvoiceItemsController } from './invoice-items.controller.js';
import { InvoiceAutoCollectionService } from './invoice-auto-collection.service.js';
import { InvoiceItemsService } from './invoice-items.service.js';
import { InvoiceLifecycleService } from './invoice-lifecycle.service.js';
import { InvoicePaymentsController } from './invoice-payments.controller.js';
import { InvoicePaymentsService } from './invoice-payments.service.js';
import { InvoiceRetriesService } from './invoice-retries.service.js';
import { InvoicesController } from './invoices.controller.js';
import { InvoicesService } from './invoices.service.js';

/** Invoice items, invoices and their payments, and the hosted invoice pages and PDFs. */
@Module({
  imports: [CatalogModule, CustomersModule, PaymentsModule],
  controllers: [
    InvoiceItemsController,
    InvoicesController,
    InvoicePaymentsController,
    HostedInvoiceController,
  ],
  providers: [
    InvoiceItemsService,
    InvoicesService,
    InvoiceLifecycleService,
    InvoicePaymentsService,
    InvoiceAutoCollectionService,
    HostedInvoicesService,
    InvoiceRetriesService,
  ],
  exports: [InvoicesService, InvoiceItemsService, InvoiceRetriesService],
})
export class BillingModule {}
