import { Controller, Get, Param } from '@nestjs/common';
import type Stripe from 'stripe';
import { Form } from '../core/form.js';
import { paginate } from '../core/list.js';
import type { Params } from '../core/params.js';
import { StripeApi, StripeDelete, StripePost } from '../core/stripe-api.decorators.js';
import { SubscriptionItemsService } from './subscription-items.service.js';

@StripeApi()
@Controller('v1/subscription_items')
export class SubscriptionItemsController {
  constructor(private readonly items: SubscriptionItemsService) {}

  @StripePost('')
  create(@Form() params: Params): Stripe.SubscriptionItem {
    return this.items.create(params);
  }

  @Get('')
  list(@Form() params: Params): Stripe.ApiList<Stripe.SubscriptionItem> {
    const { items } = this.items.list(params);
    const page = paginate(items, params, '/v1/subscription_items');
    params.done();
    return page;
  }

  @Get(':id')
  retrieve(@Param('id') id: string, @Form() params: Params): Stripe.SubscriptionItem {
    params.done();
    return this.items.retrieve(id);
  }

  @StripePost(':id')
  update(@Param('id') id: string, @Form() params: Params): Stripe.SubscriptionItem {
    return this.items.update(id, params);
  }

  @StripeDelete(':id')
  remove(@Param('id') id: string, @Form() params: Params): Stripe.DeletedSubscriptionItem {
    return this.items.remove(id, params);
  }
}
