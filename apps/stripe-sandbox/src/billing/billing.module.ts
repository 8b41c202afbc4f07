import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module.js';
import { CustomersModule } from '../customers/customers.module.js';
import { PaymentsModule } from '../payments/payments.module.js';
import { InvoicesService } from './invoices.service.js';

/** Invoice items and invoices. */
@Module({
  imports: [CatalogModule, CustomersModule, PaymentsModule],
  providers: [InvoicesService],
  exports: [InvoicesService],
})
export class BillingModule {}
