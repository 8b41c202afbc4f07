import { Module } from '@nestjs/common';
import { CustomerEventsHandler } from './customer-events.handler.js';
import { CustomersService } from './customers.service.js';

@Module({
  controllers: [CustomerEventsHandler],
  providers: [CustomersService],
  exports: [CustomersService],
})
export class CustomersModule {}
