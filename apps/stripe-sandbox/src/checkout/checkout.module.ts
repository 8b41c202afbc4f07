import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module.js';
import { CustomersModule } from '../customers/customers.module.js';
import { PaymentMethodsModule } from '../payment-methods/payment-methods.module.js';
import { PaymentsModule } from '../payments/payments.module.js';
import { SubscriptionsModule } from '../subscriptions/subscriptions.module.js';
import { CheckoutPageController } from './checkout-page.controller.js';
import {
  CheckoutSessionsController,
  CheckoutTestHelpersController,
} from './checkout.controller.js';
import { CheckoutCompletion } from './checkout-completion.js';
import { CheckoutExpiry } from './checkout-expiry.js';
import { CheckoutLineItems } from './checkout-line-items.js';
import { CheckoutService } from './checkout.service.js';

/** Checkout sessions, their payment page and the test helper that completes them. */
@Module({
  imports: [
    CatalogModule,
    CustomersModule,
    PaymentMethodsModule,
    PaymentsModule,
    SubscriptionsModule,
  ],
  controllers: [CheckoutSessionsController, CheckoutTestHelpersController, CheckoutPageController],
  providers: [CheckoutService, CheckoutExpiry, CheckoutLineItems, CheckoutCompletion],
  exports: [CheckoutService],
})
export class CheckoutModule {}
