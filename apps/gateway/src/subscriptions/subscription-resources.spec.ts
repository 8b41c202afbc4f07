import { describe, expect, it } from '@jest/globals';
import type {
  ChangeSubscriptionReplyV1,
  EntitlementsV1,
  PlanV1,
  SubscriptionV1,
} from '@aegis/contracts';
import {
  changeResultOf,
  entitlementsResourceOf,
  planListOf,
  subscriptionResourceOf,
} from './subscription-resources.js';

const analyst: PlanV1 = {
  id: 'analyst',
  name: 'Analyst',
  priceCents: 199_900,
  yearlyPriceCents: 1_999_000,
  currency: 'usd',
  includedHours: 80,
  overagePriceCents: 3_000,
  custom: false,
  stripeProductId: 'prod_analyst',
  prices: [
    { billingInterval: 'monthly', priceCents: 199_900, stripePriceId: 'price_analyst_m' },
    { billingInterval: 'yearly', priceCents: 1_999_000, stripePriceId: 'price_analyst_y' },
  ],
};

const principal: PlanV1 = {
  id: 'principal',
  name: 'Principal',
  priceCents: null,
  yearlyPriceCents: null,
  currency: 'usd',
  includedHours: null,
  overagePriceCents: null,
  custom: true,
  stripeProductId: null,
  prices: [{ billingInterval: 'monthly', priceCents: null, stripePriceId: null }],
};

const subscription: SubscriptionV1 = {
  id: '0d8b7a4e-3c1f-4c55-9a51-7f3c2b1e9d00',
  customerId: 'cust_abc123',
  planId: 'analyst',
  billingInterval: 'monthly',
  priceCents: 199_900,
  currency: 'usd',
  status: 'active',
  stripeSubscriptionId: 'sub_1',
  stripePriceId: 'price_analyst_m',
  currentPeriodStart: '2026-03-01T00:00:00.000Z',
  currentPeriodEnd: '2026-04-01T00:00:00.000Z',
  trialStart: null,
  trialEnd: null,
  cancelAtPeriodEnd: true,
  cancelAt: '2026-04-01T00:00:00.000Z',
  canceledAt: '2026-03-10T00:00:00.000Z',
  endedAt: null,
  pauseCollection: { behavior: 'void', resumesAt: '2026-05-01T00:00:00.000Z' },
  version: 3,
  createdAt: '2026-03-01T00:00:00.000Z',
  updatedAt: '2026-03-10T00:00:00.000Z',
};

const publicSubscription = {
  id: subscription.id,
  customer_id: 'cust_abc123',
  plan_id: 'analyst',
  price_cents: 199_900,
  currency: 'usd',
  billing_interval: 'monthly',
  status: 'active',
  current_period_start: '2026-03-01T00:00:00.000Z',
  current_period_end: '2026-04-01T00:00:00.000Z',
  trial_start: null,
  trial_end: null,
  cancel_at_period_end: true,
  cancel_at: '2026-04-01T00:00:00.000Z',
  canceled_at: '2026-03-10T00:00:00.000Z',
  ended_at: null,
  pause_collection: { behavior: 'void', resumes_at: '2026-05-01T00:00:00.000Z' },
  stripe_subscription_id: 'sub_1',
  created_at: '2026-03-01T00:00:00.000Z',
  updated_at: '2026-03-10T00:00:00.000Z',
};

describe(planListOf.name, () => {
  it('answers the plans as one list page, monthly price first, each interval’s Stripe Price', () => {
    expect(planListOf([analyst, principal])).toStrictEqual({
      object: 'list',
      data: [
        {
          id: 'analyst',
          name: 'Analyst',
          price_cents: 199_900,
          billing_interval: 'monthly',
          yearly_price_cents: 1_999_000,
          currency: 'usd',
          included_hours: 80,
          overage_price_cents: 3_000,
          custom: false,
          prices: [
            {
              billing_interval: 'monthly',
              price_cents: 199_900,
              stripe_price_id: 'price_analyst_m',
            },
            {
              billing_interval: 'yearly',
              price_cents: 1_999_000,
              stripe_price_id: 'price_analyst_y',
            },
          ],
        },
        {
          id: 'principal',
          name: 'Principal',
          price_cents: null,
          billing_interval: 'monthly',
          yearly_price_cents: null,
          currency: 'usd',
          included_hours: null,
          overage_price_cents: null,
          custom: true,
          prices: [{ billing_interval: 'monthly', price_cents: null, stripe_price_id: null }],
        },
      ],
      has_more: false,
    });
  });
});

describe(subscriptionResourceOf.name, () => {
  it('answers the seed’s shape: snake_case, no mirror version nor Stripe price', () => {
    expect(subscriptionResourceOf(subscription)).toStrictEqual(publicSubscription);
  });

  it('keeps every key when the service leaves a null out, and answers no pause as null', () => {
    const sparse: Partial<SubscriptionV1> = Object.assign({}, subscription);
    delete sparse.pauseCollection;
    delete sparse.planId;
    delete sparse.endedAt;
    const resource = subscriptionResourceOf(sparse as SubscriptionV1);
    expect(Object.keys(resource).sort()).toEqual(Object.keys(publicSubscription).sort());
    expect(resource).toMatchObject({ pause_collection: null, plan_id: null, ended_at: null });
    expect(
      subscriptionResourceOf(
        Object.assign({}, subscription, {
          pauseCollection: { behavior: 'void' as const, resumesAt: null },
        }),
      ).pause_collection,
    ).toStrictEqual({ behavior: 'void', resumes_at: null });
  });
});

describe(changeResultOf.name, () => {
  it('answers a preview’s proration lines in minor units, and null without one', () => {
    const previewed: ChangeSubscriptionReplyV1 = {
      subscription,
      preview: {
        prorationCents: 150_000,
        currency: 'usd',
        prorationDate: '2026-03-16T00:00:00.000Z',
        lines: [
          { description: 'Unused time on Analyst', amountCents: -100_000, proration: true },
          { description: 'Remaining time on Lead', amountCents: 250_000, proration: true },
        ],
      },
      stripeInvoiceId: null,
    };
    expect(changeResultOf(previewed)).toStrictEqual({
      subscription: publicSubscription,
      preview: {
        proration_cents: 150_000,
        currency: 'usd',
        proration_date: '2026-03-16T00:00:00.000Z',
        lines: [
          { description: 'Unused time on Analyst', amount_cents: -100_000, proration: true },
          { description: 'Remaining time on Lead', amount_cents: 250_000, proration: true },
        ],
      },
      stripe_invoice_id: null,
    });
    const changed = changeResultOf({ subscription, preview: null, stripeInvoiceId: 'in_1' });
    expect(changed).toMatchObject({ preview: null, stripe_invoice_id: 'in_1' });
    const omitted = changeResultOf({ subscription } as ChangeSubscriptionReplyV1);
    expect(omitted).toMatchObject({ preview: null, stripe_invoice_id: null });
  });
});

describe(entitlementsResourceOf.name, () => {
  it('keeps the hours as the exact decimal text the service gave, null for unlimited', () => {
    const entitlements: EntitlementsV1 = {
      customerId: 'cust_abc123',
      planId: 'junior',
      subscriptionId: subscription.id,
      billingPeriod: '2026-03',
      hoursProductId: 'agent_hours',
      includedHours: '40',
      usedHours: '41.123456789012',
      remainingHours: '0',
      overageHours: '1.123456789012',
      overagePriceCents: 2_500,
      currency: 'usd',
      entitled: true,
      usageThrough: '2026-03-16T12:00:00.000Z',
    };
    expect(entitlementsResourceOf(entitlements)).toStrictEqual({
      customer_id: 'cust_abc123',
      plan_id: 'junior',
      subscription_id: subscription.id,
      billing_period: '2026-03',
      hours_product_id: 'agent_hours',
      included_hours: '40',
      used_hours: '41.123456789012',
      remaining_hours: '0',
      overage_hours: '1.123456789012',
      overage_price_cents: 2_500,
      currency: 'usd',
      entitled: true,
      usage_through: '2026-03-16T12:00:00.000Z',
    });
    expect(
      entitlementsResourceOf(
        Object.assign({}, entitlements, {
          planId: 'principal' as const,
          includedHours: null,
          remainingHours: null,
          overagePriceCents: null,
        }),
      ),
    ).toMatchObject({ included_hours: null, remaining_hours: null, overage_price_cents: null });
  });
});
