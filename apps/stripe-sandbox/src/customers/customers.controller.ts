import { Controller, Get, Param } from '@nestjs/common';
import type Stripe from 'stripe';
import { Form } from '../core/form.js';
import { createdFilter, paginate } from '../core/list.js';
import type { Params } from '../core/params.js';
import { StripeApi, StripeDelete, StripePost } from '../core/stripe-api.decorators.js';
import { PaymentMethodsService } from '../payment-methods/payment-methods.service.js';
import { SandboxStore } from '../store/sandbox-store.js';
import { CustomersService } from './customers.service.js';

@StripeApi()
@Controller('v1/customers')
export class CustomersController {
  constructor(
    private readonly customers: CustomersService,
    private readonly paymentMethods: PaymentMethodsService,
    private readonly store: SandboxStore,
  ) {}

  @StripePost('')
  create(@Form() params: Params): Stripe.Customer {
    return this.customers.create(params);
  }

  @Get('')
  list(@Form() params: Params): Stripe.ApiList<Stripe.Customer> {
    const created = createdFilter(params);
    const customers = this.customers.list(params).filter((customer) => created(customer.created));
    const page = paginate(customers, params, '/v1/customers');
    params.done();
    return page;
  }

  @Get(':id')
  retrieve(@Param('id') id: string, @Form() params: Params): Stripe.Customer {
    params.done();
    return this.store.get('customer', id, 'customer');
  }

  @StripePost(':id')
  update(@Param('id') id: string, @Form() params: Params): Stripe.Customer {
    return this.customers.update(id, params);
  }

  @StripeDelete(':id')
  remove(@Param('id') id: string, @Form() params: Params): Stripe.DeletedCustomer {
    params.done();
    return this.customers.remove(id);
  }

  @Get(':id/payment_methods')
  listPaymentMethods(
    @Param('id') id: string,
    @Form() params: Params,
  ): Stripe.ApiList<Stripe.PaymentMethod> {
    this.store.get('customer', id, 'customer');
    params.oneOf('type', ['card'] as const);
    const page = paginate(
      this.paymentMethods.list(id),
      params,
      `/v1/customers/${id}/payment_methods`,
    );
    params.done();
    return page;
  }
}
