import { ForbiddenException, Injectable } from '@nestjs/common';
import {
  SUBSCRIPTIONS_CANCEL_V1,
  SUBSCRIPTIONS_CHANGE_V1,
  SUBSCRIPTIONS_CREATE_V1,
  SUBSCRIPTIONS_ENTITLEMENTS_V1,
  SUBSCRIPTIONS_GET_V1,
  SUBSCRIPTIONS_LIVE_V1,
  SUBSCRIPTIONS_PAUSE_V1,
  SUBSCRIPTIONS_PLAN_LIST_V1,
  SUBSCRIPTIONS_RESUME_V1,
  type ChangeSubscriptionResultV1,
  type EntitlementsResourceV1,
  type ListV1,
  type PlanResourceV1,
  type SubscriptionResourceV1,
  type SubscriptionV1,
} from '@aegis/contracts';
import { AmqpRpcClient } from '@aegis/messaging';
import { assertCustomerVisible } from '../auth/access.decorators.js';
import type { Principal } from '../auth/principal.js';
import {
  changeResultOf,
  entitlementsResourceOf,
  planListOf,
  subscriptionResourceOf,
} from './subscription-resources.js';
import type {
  CancelSubscriptionDto,
  ChangeSubscriptionDto,
  CreateSubscriptionDto,
  EntitlementsQueryDto,
  PauseSubscriptionDto,
} from './subscriptions.dto.js';
import { mappedSubscriptionCall, subscriptionNotFound } from './subscriptions.exception.js';

/** A command is a Stripe call (or a few) and the mirror's write: more than the default RPC time-out when Stripe is slow. */
const STRIPE_SIDE_TIMEOUT_MS = 20_000;

/** A custom price is the operator's to set: a customer key may not name its own. */
function assertPriceAllowed(principal: Principal, priceCents: number | undefined): void {
  if (principal.kind === 'customer' && priceCents !== undefined)
    throw new ForbiddenException(
      'price_cents is set by the operator: only an admin key may name a subscription’s price',
    );
}

/** Under a customer key, the request names the caller's customer: the service finds no other's. */
function ownerOf(principal: Principal): { customerId?: string } {
  return principal.kind === 'customer' ? { customerId: principal.customerId } : {};
}

/**
 * The public plans and subscriptions API over the subscriptions service's
 * RPC (`subscriptions.*.v1`): the gateway checks the shape and whose
 * subscriptions a key may see or change; the service talks to Stripe.
 */
@Injectable()
export class SubscriptionsService {
  constructor(private readonly rpc: AmqpRpcClient) {}

  async plans(): Promise<ListV1<PlanResourceV1>> {
    const { plans } = await mappedSubscriptionCall(
      this.rpc.call(SUBSCRIPTIONS_PLAN_LIST_V1, {}),
      {},
    );
    return planListOf(plans);
  }

  async create(principal: Principal, body: CreateSubscriptionDto): Promise<SubscriptionResourceV1> {
    assertCustomerVisible(principal, body.customer_id);
    assertPriceAllowed(principal, body.price_cents);
    const { subscription } = await mappedSubscriptionCall(
      this.rpc.call(
        SUBSCRIPTIONS_CREATE_V1,
        {
          customerId: body.customer_id,
          planId: body.plan_id,
          billingInterval: body.billing_interval,
          ...(body.trial_days === undefined ? {} : { trialDays: body.trial_days }),
          ...(body.price_cents === undefined ? {} : { priceCents: body.price_cents }),
        },
        { timeoutMs: STRIPE_SIDE_TIMEOUT_MS },
      ),
      { customerId: body.customer_id },
    );
    return subscriptionResourceOf(subscription);
  }

  async get(principal: Principal, subscriptionId: string): Promise<SubscriptionResourceV1> {
    return subscriptionResourceOf(await this.visible(principal, subscriptionId));
  }

  async live(principal: Principal, customerId: string): Promise<SubscriptionResourceV1> {
    assertCustomerVisible(principal, customerId);
    const { subscription } = await mappedSubscriptionCall(
      this.rpc.call(SUBSCRIPTIONS_LIVE_V1, { customerId }),
      { customerId, live: true },
    );
    return subscriptionResourceOf(subscription);
  }

  async change(
    principal: Principal,
    subscriptionId: string,
    body: ChangeSubscriptionDto,
  ): Promise<ChangeSubscriptionResultV1> {
    assertPriceAllowed(principal, body.price_cents);
    await this.assertOwned(principal, subscriptionId);
    const reply = await mappedSubscriptionCall(
      this.rpc.call(
        SUBSCRIPTIONS_CHANGE_V1,
        {
          subscriptionId,
          ...ownerOf(principal),
          planId: body.plan_id,
          when: body.when,
          ...(body.billing_interval === undefined
            ? {}
            : { billingInterval: body.billing_interval }),
          ...(body.price_cents === undefined ? {} : { priceCents: body.price_cents }),
          ...(body.preview === undefined ? {} : { preview: body.preview }),
          ...(body.proration_date === undefined ? {} : { prorationDate: body.proration_date }),
        },
        { timeoutMs: STRIPE_SIDE_TIMEOUT_MS },
      ),
      { subscriptionId },
    );
    return changeResultOf(reply);
  }

  async cancel(
    principal: Principal,
    subscriptionId: string,
    body: CancelSubscriptionDto,
  ): Promise<SubscriptionResourceV1> {
    await this.assertOwned(principal, subscriptionId);
    const { subscription } = await mappedSubscriptionCall(
      this.rpc.call(
        SUBSCRIPTIONS_CANCEL_V1,
        { subscriptionId, ...ownerOf(principal), atPeriodEnd: body.at_period_end },
        { timeoutMs: STRIPE_SIDE_TIMEOUT_MS },
      ),
      { subscriptionId },
    );
    return subscriptionResourceOf(subscription);
  }

  async pause(
    principal: Principal,
    subscriptionId: string,
    body: PauseSubscriptionDto,
  ): Promise<SubscriptionResourceV1> {
    await this.assertOwned(principal, subscriptionId);
    const { subscription } = await mappedSubscriptionCall(
      this.rpc.call(
        SUBSCRIPTIONS_PAUSE_V1,
        {
          subscriptionId,
          ...ownerOf(principal),
          ...(body.resumes_at === undefined ? {} : { resumesAt: body.resumes_at }),
        },
        { timeoutMs: STRIPE_SIDE_TIMEOUT_MS },
      ),
      { subscriptionId },
    );
    return subscriptionResourceOf(subscription);
  }

  async resume(principal: Principal, subscriptionId: string): Promise<SubscriptionResourceV1> {
    await this.assertOwned(principal, subscriptionId);
    const { subscription } = await mappedSubscriptionCall(
      this.rpc.call(
        SUBSCRIPTIONS_RESUME_V1,
        { subscriptionId, ...ownerOf(principal) },
        { timeoutMs: STRIPE_SIDE_TIMEOUT_MS },
      ),
      { subscriptionId },
    );
    return subscriptionResourceOf(subscription);
  }

  async entitlements(
    principal: Principal,
    customerId: string,
    query: EntitlementsQueryDto,
  ): Promise<EntitlementsResourceV1> {
    assertCustomerVisible(principal, customerId);
    const { entitlements } = await mappedSubscriptionCall(
      this.rpc.call(SUBSCRIPTIONS_ENTITLEMENTS_V1, {
        customerId,
        ...(query.billing_period === undefined ? {} : { billingPeriod: query.billing_period }),
      }),
      { customerId },
    );
    return entitlementsResourceOf(entitlements);
  }

  /** Before a command under a customer key: the subscription is the caller's customer's (else 404). */
  private async assertOwned(principal: Principal, subscriptionId: string): Promise<void> {
    if (principal.kind === 'customer') await this.visible(principal, subscriptionId);
  }

  /**
   * The subscription, when the caller may see it: under a customer key,
   * another customer's is answered as one that does not exist, before any
   * command reaches the service (which checks the same again).
   */
  private async visible(principal: Principal, subscriptionId: string): Promise<SubscriptionV1> {
    const { subscription } = await mappedSubscriptionCall(
      this.rpc.call(SUBSCRIPTIONS_GET_V1, { subscriptionId, ...ownerOf(principal) }),
      { subscriptionId },
    );
    if (principal.kind === 'customer' && subscription.customerId !== principal.customerId)
      throw subscriptionNotFound(subscriptionId);
    return subscription;
  }
}
