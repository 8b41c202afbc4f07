import { Injectable } from '@nestjs/common';
import type { SubscriptionStateV1 } from '@aegis/contracts';
import { lockUntilCommit } from '@aegis/persistence';
import type { EntityManager } from 'typeorm';
import { SubscriptionMrrChange } from './entities/subscription-mrr-change.entity.js';
import { SubscriptionRevenue } from './entities/subscription-revenue.entity.js';
import { movementOf, mrrOf, priceIntervalMonthsOf, supersedesState } from './mrr.js';
import { exactNumber } from './charged-revenue.js';

/**
 * billing's read model of subscriptions (docs/metrics.md, "MRR"), from the
 * subscriptions service's subscription.created|updated|ended.v1, applied in
 * the inbox transaction: the latest state of each subscription and, for each
 * state applied, the change of its MRR and of its customer's.
 */
@Injectable()
export class SubscriptionRevenueService {
  /**
   * Applies one state, under the lock of the customer and currency (so the
   * customer's MRR before and after are those of one change at a time). An
   * older state than the one held, or the same again, changes nothing.
   */
  async apply(manager: EntityManager, state: SubscriptionStateV1): Promise<void> {
    const currency = state.currency.toLowerCase();
    await lockUntilCommit(manager, `billing.revenue-customer:${state.customerId}:${currency}`);
    const held = await manager.findOneBy(SubscriptionRevenue, {
      stripeSubscriptionId: state.stripeSubscriptionId,
    });
    const updatedAt = new Date(state.updatedAt);
    if (
      held !== null &&
      !supersedesState(
        { updatedAt, status: state.status },
        { updatedAt: held.stateUpdatedAt, status: held.status },
      )
    )
      return;
    if (
      held !== null &&
      (held.customerId !== state.customerId || held.currency.trim() !== currency)
    ) {
      // Stripe moves neither: a subscription keeps its customer and currency.
      throw new Error(
        `subscription ${state.stripeSubscriptionId} changed customer or currency (${held.customerId}/${held.currency} to ${state.customerId}/${currency})`,
      );
    }
    const intervalMonths = priceIntervalMonthsOf(
      state.billingInterval,
      state.billingIntervalCount,
      state.currentPeriodStart,
      state.currentPeriodEnd,
    );
    const mrrCents = mrrOf({
      status: state.status,
      unitAmount: state.unitAmount,
      quantity: state.quantity,
      intervalMonths,
    });
    const previousMrrCents = held?.mrrCents ?? 0;
    const [customer] = await manager.query<{ mrr: string | null }[]>(
      `SELECT sum("mrr_cents")::text AS "mrr" FROM "billing"."subscription_revenue"
        WHERE "customer_id" = $1 AND "currency" = $2`,
      [state.customerId, currency],
    );
    const customerPreviousMrrCents = exactNumber(customer?.mrr ?? null);
    const customerMrrCents = customerPreviousMrrCents - previousMrrCents + mrrCents;
    const [paid] = await manager.query<{ paid: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM "billing"."subscription_mrr_changes"
         WHERE "customer_id" = $1 AND "currency" = $2 AND "customer_mrr_cents" > 0) AS "paid"`,
      [state.customerId, currency],
    );
    const fields = {
      subscriptionId: state.subscriptionId,
      customerId: state.customerId,
      currency,
      status: state.status,
      unitAmountCents: state.unitAmount ?? null,
      quantity: state.quantity ?? null,
      intervalMonths,
      mrrCents,
      stateUpdatedAt: updatedAt,
    };
    if (held === null)
      await manager.insert(SubscriptionRevenue, {
        stripeSubscriptionId: state.stripeSubscriptionId,
        ...fields,
      });
    else
      await manager.update(
        SubscriptionRevenue,
        { stripeSubscriptionId: state.stripeSubscriptionId },
        fields,
      );
    await manager.insert(SubscriptionMrrChange, {
      stripeSubscriptionId: state.stripeSubscriptionId,
      customerId: state.customerId,
      currency,
      status: state.status,
      effectiveAt: updatedAt,
      previousMrrCents,
      mrrCents,
      customerPreviousMrrCents,
      customerMrrCents,
      movement: movementOf(customerPreviousMrrCents, customerMrrCents, paid?.paid === true),
    });
  }
}
