import { Controller, Get, Param } from '@nestjs/common';
import type Stripe from 'stripe';
import { Form } from '../core/form.js';
import { paginate } from '../core/list.js';
import type { Params } from '../core/params.js';
import { StripeApi, StripeDelete, StripePost } from '../core/stripe-api.decorators.js';
import { InvoicesService } from './invoices.service.js';

@StripeApi()
@Controller('v1/invoices')
export class InvoicesController {
  constructor(private readonly invoices: InvoicesService) {}

  @StripePost('')
  create(@Form() params: Params): Stripe.Invoice {
    return this.invoices.create(params);
  }

  /** Declared before the `:id` routes, which would take `create_preview` for an id. */
  @StripePost('create_preview')
  createPreview(@Form() params: Params): Stripe.Invoice {
    return this.invoices.preview(params);
  }

  @Get('')
  list(@Form() params: Params): Stripe.ApiList<Stripe.Invoice> {
    const page = paginate(this.invoices.list(params), params, '/v1/invoices');
    params.done();
    return page;
  }

  @Get(':id')
  retrieve(@Param('id') id: string, @Form() params: Params): Stripe.Invoice {
    params.done();
    return this.invoices.get(id);
  }

  @StripePost(':id')
  update(@Param('id') id: string, @Form() params: Params): Stripe.Invoice {
    return this.invoices.update(id, params);
  }

  @StripeDelete(':id')
  remove(@Param('id') id: string, @Form() params: Params): Stripe.DeletedInvoice {
    params.done();
    return this.invoices.remove(id);
  }

  @Get(':id/lines')
  lines(@Param('id') id: string, @Form() params: Params): Stripe.ApiList<Stripe.InvoiceLineItem> {
    const invoice = this.invoices.get(id);
    const page = paginate(invoice.lines.data, params, `/v1/invoices/${id}/lines`);
    params.done();
    return page;
  }

  @StripePost(':id/finalize')
  finalize(@Param('id') id: string, @Form() params: Params): Stripe.Invoice {
    return this.invoices.finalizeById(id, params);
  }

  @StripePost(':id/pay')
  pay(@Param('id') id: string, @Form() params: Params): Stripe.Invoice {
    return this.invoices.pay(id, params);
  }

  @StripePost(':id/send')
  send(@Param('id') id: string, @Form() params: Params): Stripe.Invoice {
    return this.invoices.send(id, params);
  }

  @StripePost(':id/void')
  voidInvoice(@Param('id') id: string, @Form() params: Params): Stripe.Invoice {
    return this.invoices.voidInvoice(id, params);
  }

  @StripePost(':id/mark_uncollectible')
  markUncollectible(@Param('id') id: string, @Form() params: Params): Stripe.Invoice {
    return this.invoices.markUncollectible(id, params);
  }
}
