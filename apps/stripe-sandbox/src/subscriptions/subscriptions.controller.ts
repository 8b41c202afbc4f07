import { Controller, Get, Param } from '@nestjs/common';
import type Stripe from 'stripe';
import { Form } from '../core/form.js';
import { paginate } from '../core/list.js';
import type { Params } from '../core/params.js';
import { StripeApi, StripeDelete, StripePost } from '../core/stripe-api.decorators.js';
import { SubscriptionResumption } from './subscription-resumption.service.js';
import { SubscriptionsService } from './subscriptions.service.js';

@StripeApi()
@Controller('v1/subscriptions')
export class SubscriptionsController {
  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly resumption: SubscriptionResumption,
  ) {}

  @StripePost('')
  create(@Form() params: Params): Stripe.Subscription {
    return this.subscriptions.create(params);
  }

  @Get('')
  list(@Form() params: Params): Stripe.ApiList<Stripe.Subscription> {
    const page = paginate(this.subscriptions.list(params), params, '/v1/subscriptions');
    params.done();
    return page;
  }

  @Get(':id')
  retrieve(@Param('id') id: string, @Form() params: Params): Stripe.Subscription {
    params.done();
    return this.subscriptions.retrieve(id);
  }

  @StripePost(':id')
  update(@Param('id') id: string, @Form() params: Params): Stripe.Subscription {
    return this.subscriptions.update(id, params);
  }

  @StripePost(':id/resume')
  resume(@Param('id') id: string, @Form() params: Params): Stripe.Subscription {
    return this.resumption.resume(id, params);
  }

  @StripeDelete(':id')
  cancel(@Param('id') id: string, @Form() params: Params): Stripe.Subscription {
    return this.subscriptions.cancel(id, params);
  }
}
