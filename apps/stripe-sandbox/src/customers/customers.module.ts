import { Module } from '@nestjs/common';
import { PaymentMethodsModule } from '../payment-methods/payment-methods.module.js';
import { CustomersController } from './customers.controller.js';
import { CustomersService } from './customers.service.js';

/**
 * Customers. Re-exports the payment methods module: a customer's cards are
 * part of its API, and modules that use customers use their cards too.
 */
@Module({
  imports: [PaymentMethodsModule],
  controllers: [CustomersController],
  providers: [CustomersService],
  exports: [CustomersService, PaymentMethodsModule],
})
export class CustomersModule {}
