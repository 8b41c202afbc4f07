import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
    assert.deepEqual(mirrorOf(subscription()), {
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
      metadata: { plan: 'pro', aegis_customer_id: AEGIS_CUSTOMER },
    });
  });

  it('takes the customer id from an expanded customer', () => {
    const expanded = subscription({ customer: { id: 'cus_2' } as Stripe.Customer });
    assert.equal(mirrorOf(expanded).stripeCustomerId, 'cus_2');
  });

  it('refuses a status it cannot store', () => {
    assert.throws(
      () => mirrorOf(subscription({ status: 'hibernating' })),
      UnknownSubscriptionStatusError,
    );
  });
});

describe(changedFields.name, () => {
  it('finds nothing between two reads of the same state', () => {
    assert.deepEqual(changedFields(mirrorOf(subscription()), mirrorOf(subscription())), []);
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
    assert.deepEqual(changedFields(before, after), [
      'status',
      'cancelAtPeriodEnd',
      'trialEnd',
      'metadata',
    ]);
  });

  it('ignores the order of metadata keys (jsonb does not keep it)', () => {
    const before = mirrorOf(subscription({ metadata: { a: '1', b: '2' } }));
    const after = mirrorOf(subscription({ metadata: { b: '2', a: '1' } }));
    assert.deepEqual(changedFields(before, after), []);
  });
});

describe(aegisCustomerIdOf.name, () => {
  it('accepts a uuid under aegis_customer_id and nothing else', () => {
    assert.equal(aegisCustomerIdOf({ aegis_customer_id: AEGIS_CUSTOMER }), AEGIS_CUSTOMER);
    assert.equal(aegisCustomerIdOf({ aegis_customer_id: 'cus_1' }), null);
    assert.equal(aegisCustomerIdOf({}), null);
    assert.equal(aegisCustomerIdOf(null), null);
  });
});

describe(isInDoubt.name, () => {
  it('doubts a newer event while the row holds a re-fetched state ahead of the events', () => {
    assert.equal(isInDoubt({ refetchedAhead: true, status: 'active' }, 'active'), true);
    assert.equal(isInDoubt({ refetchedAhead: false, status: 'active' }, 'past_due'), false);
  });

  it('doubts an event that would bring an ended subscription back', () => {
    assert.equal(isInDoubt({ refetchedAhead: false, status: 'canceled' }, 'active'), true);
    assert.equal(isInDoubt({ refetchedAhead: false, status: 'canceled' }, 'canceled'), false);
    assert.equal(
      isInDoubt({ refetchedAhead: false, status: 'incomplete_expired' }, 'incomplete'),
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
    assert.equal(refetchedAheadAfter(change), true);
  });

  it("settles once an event's own object is what the row holds", () => {
    assert.equal(
      refetchedAheadAfter({ ...change, wasAhead: true, eventObjectMatches: true }),
      false,
    );
    assert.equal(refetchedAheadAfter({ ...change, wasAhead: true, outcome: 'applied' }), false);
  });

  it('stays as it was after a re-fetch that changed nothing', () => {
    assert.equal(refetchedAheadAfter({ ...change, rowChanged: false }), false);
    assert.equal(refetchedAheadAfter({ ...change, rowChanged: false, wasAhead: true }), true);
  });
});

describe(domainEventsOf.name, () => {
  it('announces a new subscription as created, and as ended too if it already ended', () => {
    assert.deepEqual(domainEventsOf(null, 'trialing'), [SUBSCRIPTION_CREATED_V1]);
    assert.deepEqual(domainEventsOf(null, 'canceled'), [
      SUBSCRIPTION_CREATED_V1,
      SUBSCRIPTION_ENDED_V1,
    ]);
  });

  it('announces reaching canceled or incomplete_expired as ended, any other change as updated', () => {
    assert.deepEqual(domainEventsOf('active', 'canceled'), [SUBSCRIPTION_ENDED_V1]);
    assert.deepEqual(domainEventsOf('incomplete', 'incomplete_expired'), [SUBSCRIPTION_ENDED_V1]);
    assert.deepEqual(domainEventsOf('trialing', 'active'), [SUBSCRIPTION_UPDATED_V1]);
    assert.deepEqual(domainEventsOf('canceled', 'canceled'), [SUBSCRIPTION_UPDATED_V1]);
  });
});
