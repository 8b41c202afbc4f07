import { Module } from '@nestjs/common';
import { PaymentMethodsController } from '../payment-methods/payment-methods.controller.js';
import { PaymentMethodsService } from '../payment-methods/payment-methods.service.js';
import { CustomersController } from './customers.controller.js';
import { CustomersService } from './customers.service.js';

/** Customers and their card payment methods. */
@Module({
  controllers: [CustomersController, PaymentMethodsController],
  providers: [CustomersService, PaymentMethodsService],
  exports: [CustomersService, PaymentMethodsService],
})
export class CustomersModule {}
