import { Controller, Get, Param } from '@nestjs/common';
import type Stripe from 'stripe';
import { Form } from '../core/form.js';
import { createdFilter, paginate } from '../core/list.js';
import type { Params } from '../core/params.js';
import { StripeApi, StripeDelete, StripePost } from '../core/stripe-api.decorators.js';
import { SandboxStore } from '../store/sandbox-store.js';
import { ProductsService } from './products.service.js';

@StripeApi()
@Controller('v1/products')
export class ProductsController {
  constructor(
    private readonly products: ProductsService,
    private readonly store: SandboxStore,
  ) {}

  @StripePost('')
  create(@Form() params: Params): Stripe.Product {
    return this.products.create(params);
  }

  @Get('')
  list(@Form() params: Params): Stripe.ApiList<Stripe.Product> {
    const created = createdFilter(params);
    const products = this.products.list(params).filter((product) => created(product.created));
    const page = paginate(products, params, '/v1/products');
    params.done();
    return page;
  }

  @Get(':id')
  retrieve(@Param('id') id: string, @Form() params: Params): Stripe.Product {
    params.done();
    return this.store.get('product', id, 'product');
  }

  @StripePost(':id')
  update(@Param('id') id: string, @Form() params: Params): Stripe.Product {
    return this.products.update(id, params);
  }

  @StripeDelete(':id')
  remove(@Param('id') id: string, @Form() params: Params): Stripe.DeletedProduct {
    params.done();
    return this.products.remove(id);
  }
}
