import { Controller, Get, Param } from '@nestjs/common';
import type Stripe from 'stripe';
import { Form } from '../core/form.js';
import { paginate } from '../core/list.js';
import type { Params } from '../core/params.js';
import { StripeApi, StripePost } from '../core/stripe-api.decorators.js';
import { SandboxStore } from '../store/sandbox-store.js';
import { RefundsService } from './refunds.service.js';

@StripeApi()
@Controller('v1/refunds')
export class RefundsController {
  constructor(
    private readonly refunds: RefundsService,
    private readonly store: SandboxStore,
  ) {}

  @StripePost('')
  create(@Form() params: Params): Stripe.Refund {
    return this.refunds.create(params);
  }

  @Get('')
  list(@Form() params: Params): Stripe.ApiList<Stripe.Refund> {
    const page = paginate(this.refunds.list(params), params, '/v1/refunds');
    params.done();
    return page;
  }

  @Get(':id')
  retrieve(@Param('id') id: string, @Form() params: Params): Stripe.Refund {
    params.done();
    return this.store.get('refund', id, 'refund');
  }

  @StripePost(':id')
  update(@Param('id') id: string, @Form() params: Params): Stripe.Refund {
    return this.refunds.update(id, params);
  }
}
