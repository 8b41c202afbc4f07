import { Module } from '@nestjs/common';
import { PlatformModule } from '@aegis/platform';
import { StripeModule } from '@aegis/stripe';
import { BillingEnv } from './config/billing.env.js';
import { billingStorage } from './billing.storage.js';
import { CatalogModule } from './catalog/catalog.module.js';
import { CheckoutModule } from './checkout/checkout.module.js';
import { CustomersModule } from './customers/customers.module.js';
import { InvoicesModule } from './invoices/invoices.module.js';
import { PaymentStatusModule } from './payment-status/payment-status.module.js';
import { RefundsModule } from './refunds/refunds.module.js';
import { RevenueModule } from './revenue/revenue.module.js';
import { TransactionsModule } from './transactions/transactions.module.js';

@Module({
  imports: [
    PlatformModule.forRoot({ service: 'billing', env: BillingEnv, storage: billingStorage }),
    StripeModule.forRoot(),
    CustomersModule,
    TransactionsModule,
    CatalogModule,
    InvoicesModule,
    PaymentStatusModule,
    CheckoutModule,
    RefundsModule,
    RevenueModule,
  ],
})
export class AppModule {}
