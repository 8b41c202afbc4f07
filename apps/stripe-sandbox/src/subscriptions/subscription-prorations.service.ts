import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { InvoicesService } from '../billing/invoices.service.js';
import { exactAmountForQuantity } from '../catalog/pricing.js';
import { idOf } from '../core/ids.js';
import { mergeMetadata } from '../core/metadata.js';
import { invalidRequest, parameterMissing, resourceMissing } from '../core/stripe-error.js';
import { SandboxStore, snapshot } from '../store/sandbox-store.js';
import { proratedAmount } from './billing-schedule.js';
import { checkItems, itemParam, type ItemChange } from './subscription-item-params.js';
import {
  currentPeriodOf,
  customerIdOf,
  intervalOf,
  SubscriptionLifecycle,
  type Collection,
  type InvoiceOutcome,
} from './subscription-lifecycle.service.js';
import { buildItem, planOf } from './subscription-objects.js';
import type { ProrationBehavior } from './subscription-params.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `15 Jan 2025`: how Stripe dates proration descriptions. */
function describeDate(time: number): string {
  const date = new Date(time * 1000);
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()] ?? ''} ${date.getUTCFullYear()}`;
}

/** Whether an item (if it existed) charges what another does: same price, same quantity. */
function chargesTheSame(
  item: Stripe.SubscriptionItem | undefined,
  other: Stripe.SubscriptionItem,
): boolean {
  return item?.price.id === other.price.id && item.quantity === other.quantity;
}

/** Changes to a subscription's items and the proration invoice items they make. */
@Injectable()
export class SubscriptionProrations {
  constructor(
    private readonly store: SandboxStore,
    private readonly invoices: InvoicesService,
    private readonly lifecycle: SubscriptionLifecycle,
  ) {}

  /**
   * Applies item changes. On an active subscription each changed item is
   * prorated (unless `none`): a credit for the unused time of what it was and
   * a charge for the rest of the period of what it becomes, as pending
   * invoice items for the next invoice, or invoiced at once with
   * `always_invoice`. A change of billing interval starts a new period now,
   * invoiced at once.
   */
  changeItems(
    subscription: Stripe.Subscription,
    changes: readonly ItemChange[],
    options: {
      prorationBehavior: ProrationBehavior;
      prorationDate: number;
      now: number;
      collection: Collection;
      /** `now`: the billing cycle resets now, as a change of interval resets it. */
      billingCycleAnchor?: 'now' | 'unchanged';
    },
  ): InvoiceOutcome | null {
    const period = currentPeriodOf(subscription);
    const oldItems = snapshot(subscription.items.data);
    const items = subscription.items.data;
    /** The parameter each changed or added item came from, for the errors that name it. */
    const paramOfItem = new Map<string, string>();
    for (const change of changes) {
      if (change.id === undefined) {
        const price = change.price;
        if (price === undefined) throw parameterMissing(itemParam(change.param, 'price'));
        const added = buildItem(
          subscription.id,
          { price, quantity: change.quantity ?? 1, metadata: change.metadata ?? {} },
          options.now,
          period,
        );
        items.push(added);
        paramOfItem.set(added.id, change.param);
        continue;
      }
      const changeId = change.id;
      const index = items.findIndex((item) => item.id === changeId);
      const item = items[index];
      if (item === undefined) {
        throw resourceMissing('subscription_item', changeId, itemParam(change.param, 'id'));
      }
      paramOfItem.set(item.id, change.param);
      if (change.deleted) {
        items.splice(index, 1);
        continue;
      }
      if (change.price !== undefined) {
        item.price = snapshot(change.price);
        item.plan = planOf(change.price);
      }
      if (change.quantity !== undefined) item.quantity = change.quantity;
      if (change.metadata !== undefined) {
        item.metadata = mergeMetadata(item.metadata, change.metadata);
      }
    }
    checkItems(
      items.map((item) => ({
        price: item.price,
        quantity: item.quantity ?? 1,
        metadata: item.metadata,
        param: paramOfItem.get(item.id) ?? 'items',
      })),
    );
    const [first] = items;
    const [oldFirst] = oldItems;
    if (first === undefined || oldFirst === undefined) return null;
    if (first.price.currency !== subscription.currency) {
      throw invalidRequest(
        `The currency of a subscription cannot change (from ${subscription.currency} to ${first.price.currency}).`,
        'items',
      );
    }
    const oldInterval = intervalOf(oldFirst.price);
    const newInterval = intervalOf(first.price);
    const intervalChanged =
      oldInterval.interval !== newInterval.interval || oldInterval.count !== newInterval.count;
    if (subscription.status === 'trialing') return null;
    // A new billing interval, or billing_cycle_anchor=now, resets the billing cycle.
    const resetting = intervalChanged || options.billingCycleAnchor === 'now';
    const prorating = options.prorationBehavior !== 'none';
    let prorated = false;
    if (prorating) {
      for (const old of oldItems) {
        const current = items.find((item) => item.id === old.id);
        if (!resetting && chargesTheSame(current, old)) continue;
        prorated =
          this.prorate(subscription, old, period, options.prorationDate, 'unused') || prorated;
      }
      if (!resetting) {
        for (const item of items) {
          const old = oldItems.find((candidate) => candidate.id === item.id);
          if (chargesTheSame(old, item)) continue;
          prorated =
            this.prorate(subscription, item, period, options.prorationDate, 'remaining') ||
            prorated;
        }
      }
    }
    if (resetting) {
      // A reset billing cycle: the new period starts now, billed at once.
      subscription.billing_cycle_anchor = options.now;
      this.lifecycle.startPeriod(subscription, options.now);
      return this.lifecycle.invoice(subscription, {
        billingReason: 'subscription_update',
        chargeItems: true,
        periodStart: period.start,
        periodEnd: options.now,
        collection: options.collection,
        retryOnDecline: true,
      });
    }
    if (prorated && options.prorationBehavior === 'always_invoice') {
      return this.lifecycle.invoice(subscription, {
        billingReason: 'subscription_update',
        chargeItems: false,
        periodStart: options.prorationDate,
        periodEnd: options.prorationDate,
        collection: options.collection,
        retryOnDecline: true,
      });
    }
    return null;
  }

  /** One proration invoice item of an item; false when it would be worth nothing. */
  prorate(
    subscription: Stripe.Subscription,
    item: Stripe.SubscriptionItem,
    period: { start: number; end: number },
    from: number,
    side: 'unused' | 'remaining',
  ): boolean {
    const quantity = item.quantity ?? 1;
    const share = proratedAmount(
      exactAmountForQuantity(item.price, quantity),
      period.start,
      period.end,
      from,
    );
    if (share === 0) return false;
    const productId = idOf(item.price.product);
    const name = this.store.find('product', productId)?.name ?? productId;
    const label = quantity === 1 ? name : `${quantity} × ${name}`;
    this.invoices.createProration({
      customer: customerIdOf(subscription),
      subscription: subscription.id,
      subscriptionItem: item.id,
      price: item.price,
      quantity,
      amount: side === 'unused' ? -share : share,
      periodStart: from,
      periodEnd: period.end,
      description: `${side === 'unused' ? 'Unused' : 'Remaining'} time on ${label} after ${describeDate(from)}`,
    });
    return true;
  }
}
