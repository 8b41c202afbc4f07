import { Module } from '@nestjs/common';
import { ReceiptsService } from './receipts.service.js';
import { StripeEventAppliedHandler } from './stripe-event-applied.handler.js';
import { StripeEventReceiptHandler } from './stripe-event-receipt.handler.js';

@Module({
  controllers: [StripeEventAppliedHandler, StripeEventReceiptHandler],
  providers: [ReceiptsService],
})
export class ReceiptsModule {}
