import { Controller, Get, Param } from '@nestjs/common';
import type Stripe from 'stripe';
import { Form } from '../core/form.js';
import { createdFilter, paginate } from '../core/list.js';
import type { Params } from '../core/params.js';
import { PublicUrl } from '../core/public-url.js';
import { StripeApi, StripePost } from '../core/stripe-api.decorators.js';
import { CheckoutService } from './checkout.service.js';

/** Whether `expand[]` asks for the includable `line_items` (at `prefix`, e.g. `data.` on lists). */
function includesLineItems(params: Params, prefix = ''): boolean {
  return params.expand().some((path) => path.startsWith(`${prefix}line_items`));
}

@StripeApi()
@Controller('v1/checkout/sessions')
export class CheckoutSessionsController {
  constructor(
    private readonly checkout: CheckoutService,
    private readonly publicUrl: PublicUrl,
  ) {}

  @StripePost('')
  create(@Form() params: Params): Stripe.Checkout.Session {
    const session = this.checkout.create(params, this.publicUrl.base());
    return this.checkout.view(session, includesLineItems(params));
  }

  @Get('')
  list(@Form() params: Params): Stripe.ApiList<Stripe.Checkout.Session> {
    const created = createdFilter(params);
    const sessions = this.checkout.list(params).filter((session) => created(session.created));
    const page = paginate(sessions, params, '/v1/checkout/sessions');
    params.done();
    const withLineItems = includesLineItems(params, 'data.');
    return {
      ...page,
      data: page.data.map((session) => this.checkout.view(session, withLineItems)),
    };
  }

  @Get(':id')
  retrieve(@Param('id') id: string, @Form() params: Params): Stripe.Checkout.Session {
    params.done();
    return this.checkout.view(this.checkout.retrieve(id), includesLineItems(params));
  }

  @StripePost(':id')
  update(@Param('id') id: string, @Form() params: Params): Stripe.Checkout.Session {
    return this.checkout.view(this.checkout.update(id, params), includesLineItems(params));
  }

  @StripePost(':id/expire')
  expire(@Param('id') id: string, @Form() params: Params): Stripe.Checkout.Session {
    params.done();
    return this.checkout.view(this.checkout.expire(id), includesLineItems(params));
  }

  @Get(':id/line_items')
  lineItems(@Param('id') id: string, @Form() params: Params): Stripe.ApiList<Stripe.LineItem> {
    this.checkout.retrieve(id);
    const page = paginate(
      this.checkout.lineItemsOf(id),
      params,
      `/v1/checkout/sessions/${id}/line_items`,
    );
    params.done();
    return page;
  }
}

/** Sandbox-only: completes a session as its payment page would, for scripts and tests. */
@StripeApi()
@Controller('v1/test_helpers/checkout/sessions')
export class CheckoutTestHelpersController {
  constructor(private readonly checkout: CheckoutService) {}

  @StripePost(':id/complete')
  complete(@Param('id') id: string, @Form() params: Params): Stripe.Checkout.Session {
    const paymentMethod = params.requiredString('payment_method');
    params.done();
    return this.checkout.complete(id, { kind: 'payment_method', paymentMethod });
  }
}
