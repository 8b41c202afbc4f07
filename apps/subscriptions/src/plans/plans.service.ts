import { randomUUID } from 'node:crypto';
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  PLAN_BILLING_INTERVALS,
  type PlanBillingInterval,
  type PlanId,
  type PlanV1,
} from '@aegis/contracts';
import { lockUntilCommit } from '@aegis/persistence';
import { StripeProvider } from '@aegis/stripe';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { SubscriptionsEnv } from '../config/subscriptions.env.js';
import { SubscriptionsException, SubscriptionsExceptionCode } from '../subscriptions.exception.js';
import { PlanPrice } from './entities/plan-price.entity.js';
import { Plan } from './entities/plan.entity.js';

/** A plan as configured: the seed's four, with this installation's yearly and overage prices. */
export interface PlanDefinition {
  readonly id: PlanId;
  readonly name: string;
  /** null: custom (a price per customer). */
  readonly monthlyPriceCents: number | null;
  readonly yearlyPriceCents: number | null;
  /** null: unlimited. */
  readonly includedHours: number | null;
  readonly overagePriceCents: number | null;
}

export function planDefinitionsOf(env: SubscriptionsEnv): readonly PlanDefinition[] {
  return [
    {
      id: 'junior',
      name: 'Junior',
      monthlyPriceCents: 99_900,
      yearlyPriceCents: env.PLAN_JUNIOR_YEARLY_PRICE_CENTS,
      includedHours: 40,
      overagePriceCents: env.PLAN_JUNIOR_OVERAGE_PRICE_CENTS,
    },
    {
      id: 'analyst',
      name: 'Analyst',
      monthlyPriceCents: 199_900,
      yearlyPriceCents: env.PLAN_ANALYST_YEARLY_PRICE_CENTS,
      includedHours: 80,
      overagePriceCents: env.PLAN_ANALYST_OVERAGE_PRICE_CENTS,
    },
    {
      id: 'lead',
      name: 'Lead',
      monthlyPriceCents: 499_900,
      yearlyPriceCents: env.PLAN_LEAD_YEARLY_PRICE_CENTS,
      includedHours: 160,
      overagePriceCents: env.PLAN_LEAD_OVERAGE_PRICE_CENTS,
    },
    {
      id: 'principal',
      name: 'Principal',
      monthlyPriceCents: null,
      yearlyPriceCents: null,
      includedHours: null,
      overagePriceCents: null,
    },
  ];
}

const STRIPE_INTERVAL: Readonly<Record<PlanBillingInterval, 'month' | 'year'>> = {
  monthly: 'month',
  yearly: 'year',
};

/** How often plans not yet in Stripe (Stripe was down at start) are tried again. */
const SYNC_RETRY_MS = 10_000;

/**
 * The plans: stored in the subscriptions schema and made in Stripe (a
 * Product each, a Price per interval and amount) at start, idempotently:
 * idempotency keys derive from the plan, interval, amount and currency, and
 * the Stripe ids are kept, so a restart or a second replica makes nothing
 * twice. If Stripe is down at start, the service starts anyway and tries
 * again until the plans are in Stripe.
 */
@Injectable()
export class PlansService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PlansService.name);
  private readonly definitions: readonly PlanDefinition[];
  private retry: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly stripe: StripeProvider,
    private readonly env: SubscriptionsEnv,
  ) {
    this.definitions = planDefinitionsOf(env);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.storeDefinitions();
    await this.syncOrRetry();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.retry);
  }

  /** Makes every plan's Product and current Prices in Stripe that are not there yet. */
  sync(): Promise<void> {
    // One sync at a time in this process; replicas serialize on the lock below.
    this.syncing ??= this.syncPlans().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  async list(planId?: PlanId): Promise<PlanV1[]> {
    const plans = await this.dataSource.manager.find(Plan, {
      where: planId === undefined ? {} : { planId },
    });
    const prices = await this.dataSource.manager.find(PlanPrice, {
      where: { current: true, customerId: IsNull() },
    });
    const order = this.definitions.map((definition) => definition.id);
    return plans
      .sort((a, b) => order.indexOf(a.planId) - order.indexOf(b.planId))
      .map((plan) => {
        const own = prices.filter((price) => price.planId === plan.planId);
        const of = (interval: PlanBillingInterval): PlanPrice | undefined =>
          own.find((price) => price.billingInterval === interval);
        return {
          id: plan.planId,
          name: plan.name,
          priceCents: of('monthly')?.amountCents ?? null,
          yearlyPriceCents: of('yearly')?.amountCents ?? null,
          currency: plan.currency,
          includedHours: plan.includedHours,
          overagePriceCents: plan.overagePriceCents,
          custom: plan.custom,
          stripeProductId: plan.stripeProductId,
          prices: plan.custom
            ? PLAN_BILLING_INTERVALS.map((billingInterval) => ({
                billingInterval,
                priceCents: null,
                stripePriceId: null,
              }))
            : PLAN_BILLING_INTERVALS.map((billingInterval) => ({
                billingInterval,
                priceCents: of(billingInterval)?.amountCents ?? null,
                stripePriceId: of(billingInterval)?.stripePriceId ?? null,
              })),
        };
      });
  }

  async plan(planId: PlanId): Promise<Plan> {
    const plan = await this.dataSource.manager.findOneBy(Plan, { planId });
    if (plan === null) {
      throw new SubscriptionsException(
        SubscriptionsExceptionCode.PLAN_NOT_FOUND,
        `plan ${planId} was not found`,
      );
    }
    return plan;
  }

  /**
   * The Stripe Price a subscription of `plan` at `interval` is on: the plan's
   * current one, or for a custom plan the customer's own at `priceCents`
   * (made in Stripe the first time it is asked for).
   */
  async priceFor(
    plan: Plan,
    interval: PlanBillingInterval,
    customerId: string,
    priceCents: number | undefined,
  ): Promise<PlanPrice> {
    if (plan.custom) {
      if (priceCents === undefined) {
        throw SubscriptionsException.invalid(
          'price_cents',
          `price_cents is required for the ${plan.planId} plan, whose price is agreed per customer`,
        );
      }
      return this.customPrice(plan, interval, customerId, priceCents);
    }
    if (priceCents !== undefined) {
      throw SubscriptionsException.invalid(
        'price_cents',
        `price_cents is only for the custom plan; the ${plan.planId} plan has its own price`,
      );
    }
    let price = await this.currentPrice(plan.planId, interval);
    if (price?.stripePriceId === null || plan.stripeProductId === null) {
      await this.sync();
      price = await this.currentPrice(plan.planId, interval);
    }
    if (price?.stripePriceId == null) {
      throw new Error(`plan ${plan.planId} has no ${interval} Stripe Price after a sync`);
    }
    return price;
  }

  /** The plan and interval of a Stripe Price, if it is a plan's. */
  async priceByStripeId(stripePriceId: string): Promise<PlanPrice | null> {
    return this.dataSource.manager.findOneBy(PlanPrice, { stripePriceId });
  }

  private currentPrice(planId: PlanId, interval: PlanBillingInterval): Promise<PlanPrice | null> {
    return this.dataSource.manager.findOneBy(PlanPrice, {
      planId,
      billingInterval: interval,
      current: true,
      customerId: IsNull(),
    });
  }

  private async customPrice(
    plan: Plan,
    interval: PlanBillingInterval,
    customerId: string,
    amountCents: number,
  ): Promise<PlanPrice> {
    const existing = await this.dataSource.manager.findOneBy(PlanPrice, {
      planId: plan.planId,
      billingInterval: interval,
      customerId,
      amountCents,
      current: true,
    });
    if (existing?.stripePriceId != null) return existing;
    const product = plan.stripeProductId ?? (await this.syncedProductOf(plan.planId));
    const stripePrice = await this.stripe.createPlanPrice(
      plan.planId,
      `${plan.planId}-${customerId}-${interval}-${amountCents}-${plan.currency}`,
      {
        product,
        currency: plan.currency,
        unit_amount: amountCents,
        recurring: { interval: STRIPE_INTERVAL[interval] },
        nickname: `${plan.name} for ${customerId}, ${interval}`,
        metadata: { aegis_customer_id: customerId },
      },
    );
    if (existing !== null) {
      await this.dataSource.manager.update(
        PlanPrice,
        { planPriceId: existing.planPriceId },
        { stripePriceId: stripePrice.id },
      );
      existing.stripePriceId = stripePrice.id;
      return existing;
    }
    const price: PlanPrice = {
      planPriceId: randomUUID(),
      planId: plan.planId,
      billingInterval: interval,
      amountCents,
      customerId,
      current: true,
      stripePriceId: stripePrice.id,
      createdAt: new Date(),
    };
    // Two concurrent asks make the same Stripe Price (one idempotency key); keep one row.
    await this.dataSource.manager
      .createQueryBuilder()
      .insert()
      .into(PlanPrice)
      .values(price)
      .orIgnore()
      .execute();
    return (await this.priceByStripeId(stripePrice.id)) ?? price;
  }

  private async syncedProductOf(planId: PlanId): Promise<string> {
    await this.sync();
    const plan = await this.plan(planId);
    if (plan.stripeProductId === null) throw new Error(`plan ${planId} has no Stripe Product`);
    return plan.stripeProductId;
  }

  /** The configured plans and prices as rows; a changed amount retires the old price. */
  private async storeDefinitions(): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await lockUntilCommit(manager, 'subscriptions.plans');
      const now = new Date();
      for (const definition of this.definitions) {
        await manager
          .createQueryBuilder()
          .insert()
          .into(Plan)
          .values({
            planId: definition.id,
            name: definition.name,
            currency: this.env.PLAN_CURRENCY,
            includedHours: definition.includedHours,
            overagePriceCents: definition.overagePriceCents,
            custom: definition.monthlyPriceCents === null,
            stripeProductId: null,
            createdAt: now,
            updatedAt: now,
          })
          .orUpdate(
            ['name', 'currency', 'included_hours', 'overage_price_cents', 'custom', 'updated_at'],
            ['plan_id'],
          )
          .execute();
        await this.storePrice(manager, definition.id, 'monthly', definition.monthlyPriceCents, now);
        await this.storePrice(manager, definition.id, 'yearly', definition.yearlyPriceCents, now);
      }
    });
  }

  private async storePrice(
    manager: EntityManager,
    planId: PlanId,
    interval: PlanBillingInterval,
    amountCents: number | null,
    now: Date,
  ): Promise<void> {
    if (amountCents === null) return;
    const current = await manager.findOneBy(PlanPrice, {
      planId,
      billingInterval: interval,
      current: true,
      customerId: IsNull(),
    });
    if (current?.amountCents === amountCents) return;
    if (current !== null) {
      await manager.update(PlanPrice, { planPriceId: current.planPriceId }, { current: false });
    }
    await manager.insert(PlanPrice, {
      planPriceId: randomUUID(),
      planId,
      billingInterval: interval,
      amountCents,
      customerId: null,
      current: true,
      stripePriceId: null,
      createdAt: now,
    });
  }

  private async syncOrRetry(): Promise<void> {
    try {
      await this.sync();
    } catch (error) {
      this.logger.warn(
        `plans not yet in Stripe, trying again in ${SYNC_RETRY_MS} ms: ${error instanceof Error ? error.message : String(error)}`,
      );
      this.retry = setTimeout(() => void this.syncOrRetry(), SYNC_RETRY_MS);
      this.retry.unref();
    }
  }

  private async syncPlans(): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await lockUntilCommit(manager, 'subscriptions.plans');
      for (const plan of await manager.find(Plan)) {
        const productId = plan.stripeProductId ?? (await this.createProduct(manager, plan));
        const prices = await manager.find(PlanPrice, {
          where: { planId: plan.planId, current: true, customerId: IsNull() },
        });
        for (const price of prices.filter((candidate) => candidate.stripePriceId === null)) {
          const stripePrice = await this.stripe.createPlanPrice(
            plan.planId,
            `${plan.planId}-${price.billingInterval}-${price.amountCents}-${plan.currency}`,
            {
              product: productId,
              currency: plan.currency,
              unit_amount: price.amountCents,
              recurring: { interval: STRIPE_INTERVAL[price.billingInterval] },
              nickname: `${plan.name}, ${price.billingInterval}`,
              lookup_key: `aegis_plan_${plan.planId}_${price.billingInterval}`,
              transfer_lookup_key: true,
            },
          );
          await manager.update(
            PlanPrice,
            { planPriceId: price.planPriceId },
            { stripePriceId: stripePrice.id },
          );
        }
      }
    });
  }

  private async createProduct(manager: EntityManager, plan: Plan): Promise<string> {
    const product = await this.stripe.createPlanProduct(plan.planId, {
      name: `Aegis ${plan.name}`,
      description:
        plan.includedHours === null
          ? 'An agent on a custom price, unlimited hours'
          : `An agent for ${plan.includedHours} hours a month`,
      unit_label: 'agent',
    });
    await manager.update(Plan, { planId: plan.planId }, { stripeProductId: product.id });
    return product.id;
  }
}
