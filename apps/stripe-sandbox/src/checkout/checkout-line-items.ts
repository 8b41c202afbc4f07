import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { PricesService } from '../catalog/prices.service.js';
import { amountForQuantity } from '../catalog/pricing.js';
import { idOf } from '../core/ids.js';
import { invalidRequest } from '../core/stripe-error.js';
import { newId } from '../store/ids.js';
import { SandboxStore, snapshot } from '../store/sandbox-store.js';
import type { LineItemInput } from './checkout-session-params.js';
import { lineItemsRecordIdOf } from './checkout-session-objects.js';

/** How many line items an expanded `line_items` shows; the rest are on the line items list. */
const INCLUDED_LINE_ITEMS = 10;

/** A session's line items: their prices, amounts and checks, and how the API shows them. */
@Injectable()
export class CheckoutLineItems {
  constructor(
    private readonly store: SandboxStore,
    private readonly prices: PricesService,
  ) {}

  /** The line items of a session, in the order given at creation. */
  lineItemsOf(id: string): Stripe.LineItem[] {
    return (
      this.store.find('sandbox.checkout_session_details', lineItemsRecordIdOf(id))?.line_items ?? []
    );
  }

  /**
   * The session as the API answers it: with its `line_items` included when
   * `expand` names them (Stripe's includable property, absent otherwise).
   */
  view(session: Stripe.Checkout.Session, includeLineItems: boolean): Stripe.Checkout.Session {
    if (!includeLineItems) return session;
    const items = this.lineItemsOf(session.id);
    return {
      ...session,
      line_items: {
        object: 'list',
        data: items.slice(0, INCLUDED_LINE_ITEMS),
        has_more: items.length > INCLUDED_LINE_ITEMS,
        url: `/v1/checkout/sessions/${session.id}/line_items`,
      },
    };
  }

  priceOf(item: LineItemInput, mode: 'payment' | 'subscription'): Stripe.Price {
    if (item.source.kind === 'price_data') {
      return this.prices.createFromPriceData(item.source.priceData, {
        recurring: mode === 'payment' ? 'forbidden' : 'optional',
      });
    }
    return this.prices.getActive(item.source.id, item.params.path('price'));
  }

  checkPrices(
    mode: 'payment' | 'subscription',
    items: readonly { price: Stripe.Price; param: string }[],
  ): void {
    const [first] = items;
    for (const { price, param } of items) {
      if (mode === 'payment' && price.recurring !== null) {
        throw invalidRequest(
          'You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.',
          param,
        );
      }
      if (first !== undefined && price.currency !== first.price.currency) {
        throw invalidRequest(
          `All line items must use the same currency: ${param} is in ${price.currency}, the first line item in ${first.price.currency}.`,
          param,
        );
      }
    }
    if (mode === 'subscription' && items.every(({ price }) => price.recurring === null)) {
      throw invalidRequest(
        'You must provide at least one recurring price in `subscription` mode when using prices.',
        'line_items',
      );
    }
  }

  buildLineItem(price: Stripe.Price, quantity: number, trial: boolean): Stripe.LineItem {
    // During a trial nothing recurring is due today, which is what Checkout's amounts show.
    const amount = trial && price.recurring !== null ? 0 : amountForQuantity(price, quantity);
    const product = this.store.find('product', idOf(price.product));
    return {
      id: newId('li'),
      object: 'item',
      adjustable_quantity: null,
      amount_discount: 0,
      amount_subtotal: amount,
      amount_tax: 0,
      amount_total: amount,
      currency: price.currency,
      description: product?.name ?? price.nickname,
      metadata: null,
      price: snapshot(price),
      quantity,
    };
  }
}
