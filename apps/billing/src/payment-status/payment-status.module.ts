import { Module } from '@nestjs/common';
import { PaymentStatusHandler } from './payment-status.handler.js';
import { PaymentStatusService } from './payment-status.service.js';

/** The payment provider's status, the ledger's counts and revenue, and active subscriptions. */
@Module({ controllers: [PaymentStatusHandler], providers: [PaymentStatusService] })
export class PaymentStatusModule {}
