import { Controller } from '@nestjs/common';
import { stripeEventName } from '@aegis/contracts';
import { OnEvent, type ConsumeContext } from '@aegis/messaging';
import type { StripeEnvelope } from '@aegis/stripe';
import { CustomersService } from './customers.service.js';

@Controller()
export class CustomerEventsHandler {
  constructor(private readonly customers: CustomersService) {}

  @OnEvent(stripeEventName('customer.created'))
  created(event: StripeEnvelope<'customer.created'>, context: ConsumeContext): Promise<void> {
    return this.customers.applyCustomerEvent(event, context);
  }

  @OnEvent(stripeEventName('customer.updated'))
  updated(event: StripeEnvelope<'customer.updated'>, context: ConsumeContext): Promise<void> {
    return this.customers.applyCustomerEvent(event, context);
  }

  @OnEvent(stripeEventName('customer.deleted'))
  deleted(event: StripeEnvelope<'customer.deleted'>, context: ConsumeContext): Promise<void> {
    return this.customers.applyCustomerEvent(event, context);
  }
}
