import { Module } from '@nestjs/common';
import { ReceiptsController } from './receipts.controller.js';
import { ReceiptsService } from './receipts.service.js';
import { StripeEventAppliedHandler } from './stripe-event-applied.handler.js';

@Module({
  controllers: [ReceiptsController, StripeEventAppliedHandler],
  providers: [ReceiptsService],
})
export class ReceiptsModule {}
