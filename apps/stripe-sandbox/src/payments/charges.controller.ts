import { Controller, Get, Param } from '@nestjs/common';
import type Stripe from 'stripe';
import { Form } from '../core/form.js';
import { paginate } from '../core/list.js';
import type { Params } from '../core/params.js';
import { StripeApi, StripePost } from '../core/stripe-api.decorators.js';
import { SandboxStore } from '../store/sandbox-store.js';
import { ChargesService } from './charges.service.js';
import { idOf } from '../core/ids.js';

@StripeApi()
@Controller('v1/charges')
export class ChargesController {
  constructor(
    private readonly charges: ChargesService,
    private readonly store: SandboxStore,
  ) {}

  @Get('')
  list(@Form() params: Params): Stripe.ApiList<Stripe.Charge> {
    const page = paginate(this.charges.list(params), params, '/v1/charges');
    params.done();
    return page;
  }

  @Get(':id')
  retrieve(@Param('id') id: string, @Form() params: Params): Stripe.Charge {
    params.done();
    return this.store.get('charge', id, 'charge');
  }

  @StripePost(':id')
  update(@Param('id') id: string, @Form() params: Params): Stripe.Charge {
    return this.charges.update(id, params);
  }

  @Get(':id/refunds')
  listRefunds(@Param('id') id: string, @Form() params: Params): Stripe.ApiList<Stripe.Refund> {
    this.store.get('charge', id, 'charge');
    const refunds = this.store.list('refund', (refund) => idOf(refund.charge) === id);
    const page = paginate(refunds, params, `/v1/charges/${id}/refunds`);
    params.done();
    return page;
  }
}
