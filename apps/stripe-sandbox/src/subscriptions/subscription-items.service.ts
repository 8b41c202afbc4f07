import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import type { Params } from '../core/params.js';
import {
  invalidRequest,
  parameterInvalidEmpty,
  parameterMissing,
  resourceMissing,
} from '../core/stripe-error.js';
import { EventRecorder } from '../events/event-recorder.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore, snapshot } from '../store/sandbox-store.js';
import { SubscriptionItemParams, type ItemChange } from './subscription-item-params.js';
import {
  customerIdOf,
  SubscriptionLifecycle,
  type Collection,
} from './subscription-lifecycle.service.js';
import {
  checkUpdatable,
  PRORATION_BEHAVIORS,
  UPDATE_PAYMENT_BEHAVIORS,
  type PaymentBehavior,
  type ProrationBehavior,
} from './subscription-params.js';
import { SubscriptionsService } from './subscriptions.service.js';

/** How a change of one item is billed: the parameters every subscription item write takes. */
interface Billing {
  readonly prorationBehavior: ProrationBehavior | undefined;
  readonly prorationDate: number | undefined;
  readonly paymentBehavior: PaymentBehavior | undefined;
}

function readBilling(params: Params): Billing {
  const prorationBehavior = params.oneOf('proration_behavior', PRORATION_BEHAVIORS);
  const prorationDate = params.integer('proration_date');
  const paymentBehavior = params.oneOf('payment_behavior', UPDATE_PAYMENT_BEHAVIORS);
  if (paymentBehavior === 'pending_if_incomplete') {
    throw invalidRequest(
      'The sandbox does not support payment_behavior=pending_if_incomplete (pending updates); use allow_incomplete, default_incomplete or error_if_incomplete.',
      'payment_behavior',
    );
  }
  return { prorationBehavior, prorationDate, paymentBehavior };
}

/**
 * `/v1/subscription_items`: a subscription's items one at a time. Every
 * write is a change of the parent subscription made as its update makes it
 * (`SubscriptionsService.applyChanges`, with the same prorations), and
 * records `customer.subscription.updated`.
 */
@Injectable()
export class SubscriptionItemsService {
  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly events: EventRecorder,
    private readonly lifecycle: SubscriptionLifecycle,
    private readonly subscriptions: SubscriptionsService,
    private readonly itemParams: SubscriptionItemParams,
  ) {}

  /** The items of `subscription` (required), in the subscription's order. */
  list(params: Params): { subscription: Stripe.Subscription; items: Stripe.SubscriptionItem[] } {
    if (params.has('subscription') && params.string('subscription') === '') {
      throw parameterInvalidEmpty('subscription');
    }
    const id = params.string('subscription');
    if (id === undefined) throw parameterMissing('subscription');
    const subscription = this.store.get('subscription', id, 'subscription', 'subscription');
    return { subscription, items: subscription.items.data };
  }

  retrieve(id: string): Stripe.SubscriptionItem {
    return this.find(id).item;
  }

  create(params: Params): Stripe.SubscriptionItem {
    const subscriptionId = params.requiredString('subscription');
    const quantity = params.integer('quantity', { min: 0 });
    const metadata = params.metadata();
    const billing = readBilling(params);
    return this.store.transaction(() => {
      const price = this.itemParams.readPrice(params);
      params.done();
      if (price === undefined) throw parameterMissing('price');
      const subscription = this.store.get(
        'subscription',
        subscriptionId,
        'subscription',
        'subscription',
      );
      const before = new Set(subscription.items.data.map((item) => item.id));
      this.change(subscription, { id: undefined, price, quantity, metadata }, billing);
      const added = subscription.items.data.find((item) => !before.has(item.id));
      if (added === undefined) throw new Error('the new subscription item was not added');
      return added;
    });
  }

  update(id: string, params: Params): Stripe.SubscriptionItem {
    const quantity = params.integer('quantity', { min: 0 });
    const metadata = params.metadata();
    params.boolean('off_session');
    const billing = readBilling(params);
    return this.store.transaction(() => {
      const price = this.itemParams.readPrice(params);
      params.done();
      const { subscription } = this.find(id);
      this.change(subscription, { id, price, quantity, metadata }, billing);
      return this.find(id).item;
    });
  }

  remove(id: string, params: Params): Stripe.DeletedSubscriptionItem {
    // Usage records of metered items are not kept, so there is none to clear.
    params.boolean('clear_usage');
    const billing = readBilling(params);
    params.done();
    return this.store.transaction(() => {
      const { subscription } = this.find(id);
      if (subscription.items.data.length === 1) {
        throw invalidRequest(
          'A subscription must have at least one active plan. To cancel a subscription, please use the cancel API endpoint on /v1/subscriptions.',
        );
      }
      this.change(subscription, { id, deleted: true }, billing);
      return { id, object: 'subscription_item', deleted: true };
    });
  }

  /** The item with its subscription; Stripe's 404 if no subscription has it. */
  private find(id: string): { subscription: Stripe.Subscription; item: Stripe.SubscriptionItem } {
    for (const subscription of this.store.list('subscription')) {
      const item = subscription.items.data.find((candidate) => candidate.id === id);
      if (item !== undefined) return { subscription, item };
    }
    throw resourceMissing('subscription_item', id);
  }

  /** Changes one item as a subscription update would, recording `customer.subscription.updated`. */
  private change(
    subscription: Stripe.Subscription,
    change: Partial<Omit<ItemChange, 'param'>>,
    billing: Billing,
  ): void {
    const itemChange: ItemChange = {
      param: '',
      id: change.id,
      price: change.price,
      quantity: change.quantity,
      metadata: change.metadata,
      deleted: change.deleted ?? false,
    };
    checkUpdatable(subscription, {
      items: [itemChange],
      proration_behavior: billing.prorationBehavior,
      proration_date: billing.prorationDate,
      payment_behavior: billing.paymentBehavior,
    });
    const now = this.clock.nowForCustomer(customerIdOf(subscription));
    const behavior = billing.paymentBehavior ?? 'allow_incomplete';
    const collection: Collection = behavior === 'default_incomplete' ? 'finalize' : 'attempt';
    const before = snapshot(subscription);
    const outcome = this.subscriptions.applyChanges(
      subscription,
      {
        items: [itemChange],
        prorationBehavior: billing.prorationBehavior,
        prorationDate: billing.prorationDate,
      },
      { now, collection },
    );
    const decline = outcome?.decline ?? null;
    if (decline !== null && behavior === 'error_if_incomplete') throw decline;
    this.events.recordUpdate('customer.subscription.updated', before, subscription, {
      testClock: this.lifecycle.testClockOf(subscription),
    });
  }
}
