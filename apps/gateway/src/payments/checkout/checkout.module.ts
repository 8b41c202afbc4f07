import { Module } from '@nestjs/common';
import { PaymentPagesController } from '../pages/payment-pages.controller.js';
import { CheckoutController } from './checkout.controller.js';
import { CheckoutService } from './checkout.service.js';

/** `/api/v1/payment/checkout` (billing's, over RPC) and the bundled `/payment/*` pages. */
@Module({ controllers: [CheckoutController, PaymentPagesController], providers: [CheckoutService] })
export class CheckoutModule {}
