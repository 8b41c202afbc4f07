import { Controller, Get, Param } from '@nestjs/common';
import type Stripe from 'stripe';
import { Form } from '../core/form.js';
import { paginate } from '../core/list.js';
import type { Params } from '../core/params.js';
import { StripeApi, StripePost } from '../core/stripe-api.decorators.js';
import { SandboxStore } from '../store/sandbox-store.js';
import { DisputesService } from './disputes.service.js';

@StripeApi()
@Controller('v1/disputes')
export class DisputesController {
  constructor(
    private readonly disputes: DisputesService,
    private readonly store: SandboxStore,
  ) {}

  @Get('')
  list(@Form() params: Params): Stripe.ApiList<Stripe.Dispute> {
    const page = paginate(this.disputes.list(params), params, '/v1/disputes');
    params.done();
    return { ...page, data: page.data.map((dispute) => this.disputes.present(dispute)) };
  }

  @Get(':id')
  retrieve(@Param('id') id: string, @Form() params: Params): Stripe.Dispute {
    params.done();
    return this.disputes.present(this.store.get('dispute', id, 'dispute'));
  }

  @StripePost(':id')
  update(@Param('id') id: string, @Form() params: Params): Stripe.Dispute {
    return this.disputes.update(id, params);
  }

  @StripePost(':id/close')
  close(@Param('id') id: string, @Form() params: Params): Stripe.Dispute {
    return this.disputes.close(id, params);
  }
}
