import { Module } from '@nestjs/common';
import { TransactionsModule } from '../transactions/transactions.module.js';
import { RefundEventsHandler } from './refund-events.handler.js';
import { RefundEventsService } from './refund-events.service.js';
import { RefundsHandler } from './refunds.handler.js';
import { RefundsService } from './refunds.service.js';

@Module({
  imports: [TransactionsModule],
  controllers: [RefundsHandler, RefundEventsHandler],
  providers: [RefundsService, RefundEventsService],
})
export class RefundsModule {}
