import { Module } from '@nestjs/common';
import { CustomerEventsHandler } from './customer-events.handler.js';
import { CustomerRegistryHandler } from './customer-registry.handler.js';
import { CustomersService } from './customers.service.js';

@Module({
  controllers: [CustomerEventsHandler, CustomerRegistryHandler],
  providers: [CustomersService],
  exports: [CustomersService],
})
export class CustomersModule {}
