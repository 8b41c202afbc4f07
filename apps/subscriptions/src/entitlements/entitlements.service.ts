import { Injectable } from '@nestjs/common';
import {
  METERING_USAGE_PERIOD_V1,
  billingPeriodBounds,
  type EntitlementsReplyV1,
  type EntitlementsRequestV1,
  type OverageTermsReplyV1,
  type OverageTermsRequestV1,
} from '@aegis/contracts';
import { AmqpRpcClient } from '@aegis/messaging';
import { Decimal } from 'decimal.js';
import { DataSource, IsNull, MoreThanOrEqual, Not } from 'typeorm';
import { SubscriptionsEnv } from '../config/subscriptions.env.js';
import { customerFlagsOf } from '../customer-flags/customer-flags.js';
import { PlansService } from '../plans/plans.service.js';
import { Subscription } from '../subscription-mirror/entities/subscription.entity.js';
import { SubscriptionsException, SubscriptionsExceptionCode } from '../subscriptions.exception.js';
import { isEntitled } from './entitlement-policy.js';
import { liveSubscriptionOf } from '../subscription-mirror/live-subscription.js';

/** Exact decimal text without trailing zeros (`40`, `1.25`). */
function decimalText(value: Decimal): string {
  return value.toFixed();
}

export function currentBillingPeriod(now: Date): string {
  return now.toISOString().slice(0, 7);
}

/**
 * A plan's hours for a calendar month (UTC), the same period the usage
 * invoices bill: included hours from the plan the customer's subscription is
 * on, used hours from metering's value of the hours product, and the overage
 * that billing prices at the plan's overage price on that period's invoice.
 */
@Injectable()
export class EntitlementsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly plans: PlansService,
    private readonly rpc: AmqpRpcClient,
    private readonly env: SubscriptionsEnv,
  ) {}

  async entitlements(request: EntitlementsRequestV1): Promise<EntitlementsReplyV1> {
    const billingPeriod = request.billingPeriod ?? currentBillingPeriod(new Date());
    const subscription = await this.subscriptionOf(request.customerId, billingPeriod);
    if (subscription?.planId == null) {
      throw new SubscriptionsException(
        SubscriptionsExceptionCode.SUBSCRIPTION_NOT_FOUND,
        `customer ${request.customerId} had no plan subscription in ${billingPeriod}`,
      );
    }
    const plan = await this.plans.plan(subscription.planId);
    const usage = await this.rpc.call(METERING_USAGE_PERIOD_V1, {
      customerId: request.customerId,
      billingPeriod,
    });
    const hours = usage.products.find(
      (product) => product.productId === this.env.PLAN_HOURS_PRODUCT_ID,
    );
    const used = new Decimal(hours?.value ?? '0');
    const included = plan.includedHours === null ? null : new Decimal(plan.includedHours);
    return {
      entitlements: {
        customerId: request.customerId,
        planId: plan.planId,
        subscriptionId: subscription.subscriptionId,
        billingPeriod,
        hoursProductId: this.env.PLAN_HOURS_PRODUCT_ID,
        includedHours: included === null ? null : decimalText(included),
        usedHours: decimalText(used),
        remainingHours:
          included === null ? null : decimalText(Decimal.max(included.minus(used), 0)),
        overageHours: included === null ? '0' : decimalText(Decimal.max(used.minus(included), 0)),
        overagePriceCents: plan.overagePriceCents,
        currency: plan.currency,
        entitled: isEntitled(subscription),
        usageThrough: usage.usageThrough,
        customerFlags: await customerFlagsOf(this.dataSource.manager, request.customerId),
      },
    };
  }

  /** How billing prices the hours product for the customer and period: none without a plan. */
  async overageTerms(request: OverageTermsRequestV1): Promise<OverageTermsReplyV1> {
    const subscription = await this.subscriptionOf(request.customerId, request.billingPeriod);
    if (subscription?.planId == null) return { terms: null };
    const plan = await this.plans.plan(subscription.planId);
    return {
      terms: {
        hoursProductId: this.env.PLAN_HOURS_PRODUCT_ID,
        planId: plan.planId,
        subscriptionId: subscription.subscriptionId,
        includedHours: plan.includedHours,
        overagePriceCents: plan.overagePriceCents,
        currency: plan.currency,
      },
    };
  }

  /**
   * The subscription whose plan governs the customer's hours in the period:
   * the live one, else the newest that ended during or after the period.
   * Its plan as it is now applies to the whole period (docs/subscriptions.md).
   */
  private async subscriptionOf(
    customerId: string,
    billingPeriod: string,
  ): Promise<Subscription | null> {
    const { manager } = this.dataSource;
    const live = await liveSubscriptionOf(manager, customerId, { planId: Not(IsNull()) });
    if (live !== null) return live;
    const { from } = billingPeriodBounds(billingPeriod);
    return manager.findOne(Subscription, {
      where: { customerId, planId: Not(IsNull()), endedAt: MoreThanOrEqual(from) },
      order: { endedAt: 'DESC' },
    });
  }
}
