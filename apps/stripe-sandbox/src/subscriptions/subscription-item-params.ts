import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { PricesService } from '../catalog/prices.service.js';
import type { Params } from '../core/params.js';
import { invalidRequest, parameterMissing } from '../core/stripe-error.js';
import { intervalOf } from './subscription-lifecycle.service.js';

export interface NewItem {
  readonly price: Stripe.Price;
  readonly quantity: number;
  readonly metadata: Stripe.Metadata;
}

export interface ItemChange {
  readonly param: string;
  readonly id: string | undefined;
  readonly price: Stripe.Price | undefined;
  readonly quantity: number | undefined;
  readonly metadata: Record<string, string> | null | undefined;
  readonly deleted: boolean;
}

/** A parameter of an item given at `prefix` (`items[0]`), or at the top level (`''`: the subscription item APIs). */
export function itemParam(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}[${name}]`;
}

/** Stripe's rules for a subscription's items: recurring prices of one currency and interval, each once. */
export function checkItems(items: readonly (NewItem & { param: string })[]): void {
  const [first] = items;
  if (first === undefined) {
    throw invalidRequest('A subscription must have at least one item.', 'items');
  }
  const seen = new Set<string>();
  for (const item of items) {
    if (item.price.type !== 'recurring' || item.price.recurring === null) {
      throw invalidRequest(
        'The price specified is set to `type=one_time` but this field only accepts prices with `type=recurring`.',
        itemParam(item.param, 'price'),
      );
    }
    if (seen.has(item.price.id)) {
      throw invalidRequest(
        `Cannot add multiple subscription items with the same price: ${item.price.id}`,
        itemParam(item.param, 'price'),
      );
    }
    seen.add(item.price.id);
    const { interval, count } = intervalOf(item.price);
    const expected = intervalOf(first.price);
    if (item.price.currency !== first.price.currency) {
      throw invalidRequest(
        'Currency and interval fields must match across all plans on this subscription. Found mismatch in currency field.',
        itemParam(item.param, 'price'),
      );
    }
    if (interval !== expected.interval || count !== expected.count) {
      throw invalidRequest(
        'Currency and interval fields must match across all plans on this subscription. Found mismatch in interval field.',
        itemParam(item.param, 'price'),
      );
    }
  }
}

/** Reads the items of subscription requests, resolving the prices they name or describe. */
@Injectable()
export class SubscriptionItemParams {
  constructor(private readonly prices: PricesService) {}

  readNewItem(item: Params, param: string): NewItem {
    const price = this.readPrice(item);
    const quantity = item.integer('quantity', { min: 0 }) ?? 1;
    const metadata = item.metadata() ?? {};
    if (price === undefined) throw parameterMissing(`${param}[price]`);
    return { price, quantity, metadata };
  }

  /** One of the `items` of an update (`prefix[index]`: `items[0]`, `subscription_details[items][0]`). */
  readItemChange(item: Params, index: number, prefix = 'items'): ItemChange {
    const param = `${prefix}[${index}]`;
    const id = item.string('id');
    const price = this.readPrice(item);
    const quantity = item.integer('quantity', { min: 0 });
    const metadata = item.metadata();
    const deleted = item.boolean('deleted') ?? false;
    // Usage records of metered items are not kept, so there is none to clear.
    item.boolean('clear_usage');
    if (id === undefined && deleted) throw parameterMissing(`${param}[id]`);
    if (id === undefined && price === undefined) throw parameterMissing(`${param}[price]`);
    return { param, id, price, quantity, metadata, deleted };
  }

  /** `price`, `plan` (its legacy name) or `price_data` of an item, at most one of them. */
  readPrice(item: Params): Stripe.Price | undefined {
    const priceId = item.string('price') ?? item.string('plan');
    const priceData = item.object('price_data');
    if (priceId !== undefined && priceData !== undefined) {
      throw invalidRequest(
        'You may only specify one of these parameters: price, price_data.',
        item.path('price'),
      );
    }
    if (priceId !== undefined) return this.prices.getActive(priceId, item.path('price'));
    if (priceData !== undefined) {
      return this.prices.createFromPriceData(priceData, { recurring: 'required' });
    }
    return undefined;
  }
}
