import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module.js';
import { ChargeEventsHandler } from './charge-events.handler.js';
import { CheckoutSessionEventsHandler } from './checkout-session-events.handler.js';
import { InvoiceEventsHandler } from './invoice-events.handler.js';
import { PaymentIntentEventsHandler } from './payment-intent-events.handler.js';
import { TransactionsService } from './transactions.service.js';

@Module({
  imports: [CustomersModule],
  controllers: [
    PaymentIntentEventsHandler,
    ChargeEventsHandler,
    InvoiceEventsHandler,
    CheckoutSessionEventsHandler,
  ],
  providers: [TransactionsService],
})
export class TransactionsModule {}
