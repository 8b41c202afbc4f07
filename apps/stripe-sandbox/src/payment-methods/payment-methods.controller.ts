import { Controller, Get, Param } from '@nestjs/common';
import type Stripe from 'stripe';
import { Form } from '../core/form.js';
import { paginate } from '../core/list.js';
import type { Params } from '../core/params.js';
import { StripeApi, StripePost } from '../core/stripe-api.decorators.js';
import { SandboxStore } from '../store/sandbox-store.js';
import { PaymentMethodsService } from './payment-methods.service.js';

@StripeApi()
@Controller('v1/payment_methods')
export class PaymentMethodsController {
  constructor(
    private readonly paymentMethods: PaymentMethodsService,
    private readonly store: SandboxStore,
  ) {}

  @StripePost('')
  create(@Form() params: Params): Stripe.PaymentMethod {
    return this.paymentMethods.create(params);
  }

  @Get('')
  list(@Form() params: Params): Stripe.ApiList<Stripe.PaymentMethod> {
    const customer = params.string('customer');
    params.oneOf('type', ['card'] as const);
    const page = paginate(this.paymentMethods.list(customer), params, '/v1/payment_methods');
    params.done();
    return page;
  }

  @Get(':id')
  retrieve(@Param('id') id: string, @Form() params: Params): Stripe.PaymentMethod {
    params.done();
    if (this.paymentMethods.isTestToken(id)) {
      return this.store.transaction(() => this.paymentMethods.resolve(id, 'id'));
    }
    return this.store.get('payment_method', id, 'PaymentMethod');
  }

  @StripePost(':id')
  update(@Param('id') id: string, @Form() params: Params): Stripe.PaymentMethod {
    return this.paymentMethods.update(id, params);
  }

  @StripePost(':id/attach')
  attach(@Param('id') id: string, @Form() params: Params): Stripe.PaymentMethod {
    return this.paymentMethods.attach(id, params);
  }

  @StripePost(':id/detach')
  detach(@Param('id') id: string, @Form() params: Params): Stripe.PaymentMethod {
    return this.paymentMethods.detach(id, params);
  }
}
