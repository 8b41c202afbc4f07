import { Module } from '@nestjs/common';
import { PaymentsService } from './payments.service.js';

/** Payment intents, charges, refunds, disputes and early fraud warnings. */
@Module({
  providers: [PaymentsService],
  exports: [PaymentsService],
})
export class PaymentsModule {}
