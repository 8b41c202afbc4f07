import { Module } from '@nestjs/common';
import { CheckoutModule } from '../checkout/checkout.module.js';
import { CustomersModule } from '../customers/customers.module.js';
import { ChargeEventsHandler } from './charge-events.handler.js';
import { ChargeTransactionsService } from './charge-transactions.service.js';
import { CheckoutSessionEventsHandler } from './checkout-session-events.handler.js';
import { CheckoutSessionTransactionsService } from './checkout-session-transactions.service.js';
import { DisputeEventsHandler } from './dispute-events.handler.js';
import { InvoiceTransactionsService } from './invoice-transactions.service.js';
import { LedgerHandler } from './ledger.handler.js';
import { LedgerService } from './ledger.service.js';
import { PaymentIntentEventsHandler } from './payment-intent-events.handler.js';
import { PaymentIntentTransactionsService } from './payment-intent-transactions.service.js';
import { TransactionDisputesService } from './transaction-disputes.service.js';
import { TransactionMirrorService } from './transaction-mirror.service.js';

@Module({
  imports: [CustomersModule, CheckoutModule],
  controllers: [
    PaymentIntentEventsHandler,
    ChargeEventsHandler,
    CheckoutSessionEventsHandler,
    DisputeEventsHandler,
    LedgerHandler,
  ],
  providers: [
    TransactionMirrorService,
    PaymentIntentTransactionsService,
    ChargeTransactionsService,
    InvoiceTransactionsService,
    CheckoutSessionTransactionsService,
    LedgerService,
    TransactionDisputesService,
  ],
  exports: [InvoiceTransactionsService, TransactionMirrorService, LedgerService],
})
export class TransactionsModule {}
