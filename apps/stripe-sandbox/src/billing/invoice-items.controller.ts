import { Controller, Get, Param } from '@nestjs/common';
import type Stripe from 'stripe';
import { Form } from '../core/form.js';
import { paginate } from '../core/list.js';
import type { Params } from '../core/params.js';
import { StripeApi, StripeDelete, StripePost } from '../core/stripe-api.decorators.js';
import { SandboxStore } from '../store/sandbox-store.js';
import { InvoiceItemsService } from './invoice-items.service.js';

@StripeApi()
@Controller('v1/invoiceitems')
export class InvoiceItemsController {
  constructor(
    private readonly items: InvoiceItemsService,
    private readonly store: SandboxStore,
  ) {}

  @StripePost('')
  create(@Form() params: Params): Stripe.InvoiceItem {
    return this.items.create(params);
  }

  @Get('')
  list(@Form() params: Params): Stripe.ApiList<Stripe.InvoiceItem> {
    const page = paginate(this.items.list(params), params, '/v1/invoiceitems');
    params.done();
    return page;
  }

  @Get(':id')
  retrieve(@Param('id') id: string, @Form() params: Params): Stripe.InvoiceItem {
    params.done();
    return this.store.get('invoiceitem', id, 'invoiceitem');
  }

  @StripePost(':id')
  update(@Param('id') id: string, @Form() params: Params): Stripe.InvoiceItem {
    return this.items.update(id, params);
  }

  @StripeDelete(':id')
  remove(@Param('id') id: string, @Form() params: Params): Stripe.DeletedInvoiceItem {
    params.done();
    return this.items.remove(id);
  }
}
