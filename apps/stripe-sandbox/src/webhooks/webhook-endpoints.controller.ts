import { Controller, Get, Param } from '@nestjs/common';
import type Stripe from 'stripe';
import { paginate } from '../core/list.js';
import type { Params } from '../core/params.js';
import { Form } from '../core/form.js';
import { StripeApi, StripeDelete, StripePost } from '../core/stripe-api.decorators.js';
import { SandboxStore } from '../store/sandbox-store.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';

@StripeApi()
@Controller('v1/webhook_endpoints')
export class WebhookEndpointsController {
  constructor(
    private readonly endpoints: WebhookEndpointsService,
    private readonly store: SandboxStore,
  ) {}

  @StripePost('')
  create(@Form() params: Params): Stripe.WebhookEndpoint {
    return this.endpoints.create(params);
  }

  @Get('')
  list(@Form() params: Params): Stripe.ApiList<Stripe.WebhookEndpoint> {
    const page = paginate(this.store.list('webhook_endpoint'), params, '/v1/webhook_endpoints');
    params.done();
    return { ...page, data: page.data.map((endpoint) => this.endpoints.view(endpoint)) };
  }

  @Get(':id')
  retrieve(@Param('id') id: string, @Form() params: Params): Stripe.WebhookEndpoint {
    params.done();
    return this.endpoints.view(this.store.get('webhook_endpoint', id, 'webhook_endpoint'));
  }

  @StripePost(':id')
  update(@Param('id') id: string, @Form() params: Params): Stripe.WebhookEndpoint {
    return this.endpoints.view(this.endpoints.update(id, params));
  }

  @StripeDelete(':id')
  remove(@Param('id') id: string, @Form() params: Params): Stripe.DeletedWebhookEndpoint {
    params.done();
    return this.endpoints.remove(id);
  }
}
