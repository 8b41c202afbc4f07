import { Controller, Get, Param } from '@nestjs/common';
import type Stripe from 'stripe';
import { Form } from '../core/form.js';
import { paginate } from '../core/list.js';
import type { Params } from '../core/params.js';
import { StripeApi, StripePost } from '../core/stripe-api.decorators.js';
import { SandboxStore } from '../store/sandbox-store.js';
import { PaymentIntentsService } from './payment-intents.service.js';

@StripeApi()
@Controller('v1/payment_intents')
export class PaymentIntentsController {
  constructor(
    private readonly paymentIntents: PaymentIntentsService,
    private readonly store: SandboxStore,
  ) {}

  @StripePost('')
  create(@Form() params: Params): Stripe.PaymentIntent {
    return this.paymentIntents.create(params);
  }

  @Get('')
  list(@Form() params: Params): Stripe.ApiList<Stripe.PaymentIntent> {
    const page = paginate(this.paymentIntents.list(params), params, '/v1/payment_intents');
    params.done();
    return page;
  }

  @Get(':id')
  retrieve(@Param('id') id: string, @Form() params: Params): Stripe.PaymentIntent {
    params.string('client_secret');
    params.done();
    return this.store.get('payment_intent', id, 'payment_intent');
  }

  @StripePost(':id')
  update(@Param('id') id: string, @Form() params: Params): Stripe.PaymentIntent {
    return this.paymentIntents.update(id, params);
  }

  @StripePost(':id/confirm')
  confirm(@Param('id') id: string, @Form() params: Params): Stripe.PaymentIntent {
    return this.paymentIntents.confirm(id, params);
  }

  @StripePost(':id/capture')
  capture(@Param('id') id: string, @Form() params: Params): Stripe.PaymentIntent {
    return this.paymentIntents.capture(id, params);
  }

  @StripePost(':id/cancel')
  cancel(@Param('id') id: string, @Form() params: Params): Stripe.PaymentIntent {
    return this.paymentIntents.cancel(id, params);
  }
}
