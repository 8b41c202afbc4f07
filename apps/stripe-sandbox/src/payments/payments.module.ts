import { Module } from '@nestjs/common';
import { BalanceModule } from '../balance/balance.module.js';
import { CustomersModule } from '../customers/customers.module.js';
import { PaymentMethodsModule } from '../payment-methods/payment-methods.module.js';
import { ChargesController } from './charges.controller.js';
import { ChargesService } from './charges.service.js';
import { DisputesController } from './disputes.controller.js';
import { DisputesService } from './disputes.service.js';
import { EarlyFraudWarningsController } from './early-fraud-warnings.controller.js';
import { EarlyFraudWarningsService } from './early-fraud-warnings.service.js';
import { PaymentFollowUps } from './payment-follow-ups.js';
import { PaymentIntentAttempts } from './payment-intent-attempts.js';
import { PaymentIntentsController } from './payment-intents.controller.js';
import { PaymentIntentsService } from './payment-intents.service.js';
import { PaymentsService } from './payments.service.js';
import { RefundsController } from './refunds.controller.js';
import { RefundsService } from './refunds.service.js';

/** Payment intents, charges, refunds, disputes and early fraud warnings. */
@Module({
  imports: [CustomersModule, PaymentMethodsModule, BalanceModule],
  controllers: [
    PaymentIntentsController,
    ChargesController,
    RefundsController,
    DisputesController,
    EarlyFraudWarningsController,
  ],
  providers: [
    PaymentFollowUps,
    EarlyFraudWarningsService,
    DisputesService,
    RefundsService,
    ChargesService,
    PaymentIntentAttempts,
    PaymentIntentsService,
    PaymentsService,
  ],
  exports: [PaymentsService, PaymentIntentsService, RefundsService],
})
export class PaymentsModule {}
