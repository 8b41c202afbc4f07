import { Controller, Get, Param } from '@nestjs/common';
import type Stripe from 'stripe';
import { Form } from '../core/form.js';
import { paginate } from '../core/list.js';
import type { Params } from '../core/params.js';
import { StripeApi, StripePost } from '../core/stripe-api.decorators.js';
import { PricesService } from './prices.service.js';

/** Prices cannot be deleted through Stripe's API (archive them with `active=false`): no DELETE route. */
@StripeApi()
@Controller('v1/prices')
export class PricesController {
  constructor(private readonly prices: PricesService) {}

  @StripePost('')
  create(@Form() params: Params): Stripe.Price {
    return this.prices.create(params);
  }

  @Get('')
  list(@Form() params: Params): Stripe.ApiList<Stripe.Price> {
    const page = paginate(this.prices.list(params), params, '/v1/prices');
    params.done();
    return page;
  }

  @Get(':id')
  retrieve(@Param('id') id: string, @Form() params: Params): Stripe.Price {
    params.done();
    return this.prices.get(id, 'price');
  }

  @StripePost(':id')
  update(@Param('id') id: string, @Form() params: Params): Stripe.Price {
    return this.prices.update(id, params);
  }
}
