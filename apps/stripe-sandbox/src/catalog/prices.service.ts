import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import type { Params } from '../core/params.js';
import { SandboxStore } from '../store/sandbox-store.js';

export type RecurringRule = 'required' | 'forbidden' | 'optional';

/** STUB: the catalog work completes this service (and adds products and the prices API). */
@Injectable()
export class PricesService {
  constructor(private readonly store: SandboxStore) {}

  /** A stored price by id; a missing one is Stripe's 404 naming `param`. */
  get(id: string, param: string): Stripe.Price {
    return this.store.get('price', id, 'price', param);
  }

  /**
   * Creates the price an inline `price_data` hash describes (Stripe stores
   * such prices as inactive prices of the given product, or of a new product
   * made from `product_data`). Reads and checks the whole hash; call inside a
   * store transaction.
   */
  createFromPriceData(_priceData: Params, _options: { recurring: RecurringRule }): Stripe.Price {
    throw new Error('not implemented yet');
  }
}
