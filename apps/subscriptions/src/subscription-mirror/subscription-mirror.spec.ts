import { describe, it, expect } from '@jest/globals';
import {
  SUBSCRIPTION_CREATED_V1,
  SUBSCRIPTION_ENDED_V1,
  SUBSCRIPTION_UPDATED_V1,
} from '@aegis/contracts';
import type Stripe from 'stripe';
import {
  UnknownSubscriptionStatusError,
  aegisCustomerIdOf,
  changedFields,
  domainEventsOf,
  isInDoubt,
  mirrorOf,
  refetchedAheadAfter,
} from './subscription-mirror.js';

const AEGIS_CUSTOMER = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';

/** The fields of a Stripe subscription the mirror reads; the rest do not matter here. */
function subscription(overrides: Partial<Stripe.Subscription> = {}): Stripe.Subscription {
  const item = {
    id: 'si_1',
    object: 'subscription_item',
    quantity: 2,
    current_period_start: 1_735_689_600,
    current_period_end: 1_738_368_000,
    price: {
      id: 'price_pro',
      object: 'price',
      currency: 'usd',
      unit_amount: 1500,
      recurring: { interval: 'month', interval_count: 1 },
    },
  };
  return {
    id: 'sub_1',
    object: 'subscription',
    customer: 'cus_1',
    status: 'trialing',
    currency: 'usd',
    items: { object: 'list', data: [item], has_more: false, url: '/v1/subscription_items' },
    cancel_at_period_end: false,
    cancel_at: null,
    canceled_at: null,
    ended_at: null,
    trial_start: 1_735_689_600,
    trial_end: 1_736_294_400,
    metadata: { plan: 'pro', [`aegis_customer_id`]: AEGIS_CUSTOMER },
    ...overrides,
  } as unknown as Stripe.Subscription;
}

describe(mirrorOf.name, () => {
  it("keeps the first item's price, quantity and period, and Stripe's times as dates", () => {
    expect(mirrorOf(subscription())).toStrictEqual({
      stripeCustomerId: 'cus_1',
      status: 'trialing',
      priceId: 'price_pro',
      quantity: 2,
      currency: 'usd',
      unitAmount: 1500,
      billingInterval: 'month',
      billingIntervalCount: 1,
      currentPeriodStart: new Date('2025-01-01T00:00:00Z'),
      currentPeriodEnd: new Date('2025-02-01T00:00:00Z'),
      cancelAtPeriodEnd: false,
      cancelAt: null,
      canceledAt: null,
      endedAt: null,
      trialStart: new Date('2025-01-01T00:00:00Z'),
      trialEnd: new Date('2025-01-08T00:00:00Z'),
      pauseBehavior: null,
      pauseResumesAt: null,
      metadata: { plan: 'pro', aegis_customer_id: AEGIS_CUSTOMER },
    });
  });

  it("keeps Stripe's pause_collection", () => {
    const paused = subscription({
      pause_collection: { behavior: 'void', resumes_at: Date.parse('2025-03-01T00:00:00Z') / 1000 },
    });
    expect(mirrorOf(paused)).toMatchObject({
      pauseBehavior: 'void',
      pauseResumesAt: new Date('2025-03-01T00:00:00Z'),
    });
  });

  it('refuses a pause behavior it cannot store', () => {
    const paused = subscription({
      pause_collection: { behavior: 'hibernate', resumes_at: null },
    });
    expect(() => mirrorOf(paused)).toThrow(UnknownSubscriptionStatusError);
  });

  it('takes the customer id from an expanded customer', () => {
    const expanded = subscription({ customer: { id: 'cus_2' } as Stripe.Customer });
    expect(mirrorOf(expanded).stripeCustomerId).toBe('cus_2');
  });

  it('refuses a status it cannot store', () => {
    expect(() => mirrorOf(subscription({ status: 'hibernating' }))).toThrow(
      UnknownSubscriptionStatusError,
    );
  });
});

describe(changedFields.name, () => {
  it('finds nothing between two reads of the same state', () => {
    expect(changedFields(mirrorOf(subscription()), mirrorOf(subscription()))).toStrictEqual([]);
  });

  it('names each field that differs, dates and metadata compared by value', () => {
    const before = mirrorOf(subscription());
    const after = mirrorOf(
      subscription({
        status: 'active',
        cancel_at_period_end: true,
        trial_end: 1_736_294_401,
        metadata: { plan: 'max', aegis_customer_id: AEGIS_CUSTOMER },
      }),
    );
    expect(changedFields(before, after)).toStrictEqual([
      'status',
      'cancelAtPeriodEnd',
      'trialEnd',
      'metadata',
    ]);
  });

  it('ignores the order of metadata keys (jsonb does not keep it)', () => {
    const before = mirrorOf(subscription({ metadata: { a: '1', b: '2' } }));
    const after = mirrorOf(subscription({ metadata: { b: '2', a: '1' } }));
    expect(changedFields(before, after)).toStrictEqual([]);
  });
});

describe(aegisCustomerIdOf.name, () => {
  it('accepts an operator’s customer id under aegis_customer_id and nothing else', () => {
    expect(aegisCustomerIdOf({ aegis_customer_id: AEGIS_CUSTOMER })).toBe(AEGIS_CUSTOMER);
    expect(aegisCustomerIdOf({ aegis_customer_id: 'cust_abc123' })).toBe('cust_abc123');
    expect(aegisCustomerIdOf({ aegis_customer_id: 'cus_1' })).toBe(null);
    expect(aegisCustomerIdOf({ aegis_customer_id: 'not an id' })).toBe(null);
    expect(aegisCustomerIdOf({})).toBe(null);
    expect(aegisCustomerIdOf(null)).toBe(null);
  });
});

describe(isInDoubt.name, () => {
  it('doubts a newer event while the row holds a re-fetched state ahead of the events', () => {
    expect(isInDoubt({ refetchedAhead: true, status: 'active' }, 'active')).toBe(true);
    expect(isInDoubt({ refetchedAhead: false, status: 'active' }, 'past_due')).toBe(false);
  });

  it('doubts an event that would bring an ended subscription back', () => {
    expect(isInDoubt({ refetchedAhead: false, status: 'canceled' }, 'active')).toBe(true);
    expect(isInDoubt({ refetchedAhead: false, status: 'canceled' }, 'canceled')).toBe(false);
    expect(isInDoubt({ refetchedAhead: false, status: 'incomplete_expired' }, 'incomplete')).toBe(
      true,
    );
  });
});

describe(refetchedAheadAfter.name, () => {
  const change = {
    wasAhead: false,
    outcome: 'refetched',
    rowChanged: true,
    eventObjectMatches: false,
  } as const;

  it("is ahead after a re-fetch changed the row beyond the event's own object", () => {
    expect(refetchedAheadAfter(change)).toBe(true);
  });

  it("settles once an event's own object is what the row holds", () => {
    expect(refetchedAheadAfter({ ...change, wasAhead: true, eventObjectMatches: true })).toBe(
      false,
    );
    expect(refetchedAheadAfter({ ...change, wasAhead: true, outcome: 'applied' })).toBe(false);
  });

  it('stays as it was after a re-fetch that changed nothing', () => {
    expect(refetchedAheadAfter({ ...change, rowChanged: false })).toBe(false);
    expect(refetchedAheadAfter({ ...change, rowChanged: false, wasAhead: true })).toBe(true);
  });
});

describe(domainEventsOf.name, () => {
  it('announces a new subscription as created, and as ended too if it already ended', () => {
    expect(domainEventsOf(null, 'trialing')).toStrictEqual([SUBSCRIPTION_CREATED_V1]);
    expect(domainEventsOf(null, 'canceled')).toStrictEqual([
      SUBSCRIPTION_CREATED_V1,
      SUBSCRIPTION_ENDED_V1,
    ]);
  });

  it('announces reaching canceled or incomplete_expired as ended, any other change as updated', () => {
    expect(domainEventsOf('active', 'canceled')).toStrictEqual([SUBSCRIPTION_ENDED_V1]);
    expect(domainEventsOf('incomplete', 'incomplete_expired')).toStrictEqual([
      SUBSCRIPTION_ENDED_V1,
    ]);
    expect(domainEventsOf('trialing', 'active')).toStrictEqual([SUBSCRIPTION_UPDATED_V1]);
    expect(domainEventsOf('canceled', 'canceled')).toStrictEqual([SUBSCRIPTION_UPDATED_V1]);
  });
});
