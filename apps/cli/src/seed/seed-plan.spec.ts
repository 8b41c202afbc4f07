import { describe, expect, it } from '@jest/globals';
import { seedKey, seedPlanOf, stepCountOf, usageEventsOf } from './seed-plan.js';

const NOW = new Date('2026-12-04T01:00:00Z');

describe('seedPlanOf', () => {
  it('derives every customer id from the seed’s name, the same on every run', () => {
    const plan = seedPlanOf('demo', 'full', NOW);
    expect(seedPlanOf('demo', 'full', NOW)).toStrictEqual(plan);
    expect(plan.customers.map(({ id }) => id)).toContain('cust_demo_acme');
    expect(plan.customers.every(({ id }) => id.startsWith('cust_demo_'))).toBe(true);
    expect(seedPlanOf('other', 'full', NOW).customers.map(({ id }) => id)).toContain(
      'cust_other_acme',
    );
    expect(new Set(plan.customers.map(({ id }) => id)).size).toBe(plan.customers.length);
  });

  it('has a subscription on every plan (principal with its price) and every payment outcome', () => {
    const { customers } = seedPlanOf('demo', 'small', NOW);
    expect(
      customers.flatMap(({ subscription }) => subscription?.plan_id ?? []).sort(),
    ).toStrictEqual(['analyst', 'junior', 'lead', 'principal']);
    expect(
      customers.find(({ subscription }) => subscription?.plan_id === 'principal')?.subscription
        ?.price_cents,
    ).toBe(750_000);
    expect(new Set(customers.map(({ payment }) => payment))).toStrictEqual(
      new Set([
        'paid',
        'refunded',
        'partially_refunded',
        'declined',
        'dispute_won',
        'dispute_lost',
        'fraud_warning',
      ]),
    );
    // A customer whose invoices fail has no subscription (it would be refused at Stripe).
    const declining = customers.filter(({ card }) => card.startsWith('pm_card_chargeDeclined'));
    expect(declining).toHaveLength(1);
    expect(declining[0]?.subscription).toBeUndefined();
  });

  it('full: three months of whole days up to yesterday, and invoices of the ended months', () => {
    const plan = seedPlanOf('demo', 'full', NOW);
    expect(plan.usageDays).toHaveLength(92);
    expect(plan.usageDays[0]).toBe('2026-12-03');
    expect(plan.usageDays.at(-1)).toBe('2026-09-03');
    expect(plan.periodsToInvoice).toStrictEqual(['2026-11', '2026-10', '2026-09']);
  });

  it('small: yesterday and the last day of the previous month, within the default 35-day horizon', () => {
    expect(seedPlanOf('demo', 'small', NOW)).toMatchObject({
      usageDays: ['2026-12-03', '2026-11-30'],
      periodsToInvoice: ['2026-11'],
    });
    // On the first of a month, yesterday is that last day: one day.
    expect(seedPlanOf('demo', 'small', new Date('2026-12-01T08:00:00Z'))).toMatchObject({
      usageDays: ['2026-11-30'],
      periodsToInvoice: ['2026-11'],
    });
    const lastOfMonth = seedPlanOf('demo', 'small', new Date('2026-12-31T23:00:00Z'));
    expect(lastOfMonth.usageDays).toStrictEqual(['2026-12-30', '2026-11-30']);
  });

  it('counts one step per product, customer part, day, subscription, payment and invoice', () => {
    const plan = seedPlanOf('demo', 'small', NOW);
    // 2 products, 8 customers × 3, 2 days, 4 subscriptions, 8 payments, 1 period × 8.
    expect(stepCountOf(plan)).toBe(2 + 24 + 2 + 4 + 8 + 8);
  });
});

describe('usageEventsOf', () => {
  it('a day’s events: the same keys and quantities on every run, whole calls within the day', () => {
    const plan = seedPlanOf('demo', 'full', NOW);
    const events = usageEventsOf(plan, '2026-11-16');
    expect(usageEventsOf(plan, '2026-11-16')).toStrictEqual(events);
    // Every customer, on three endpoints.
    expect(events).toHaveLength(plan.customers.length * 3);
    expect(new Set(events.map(({ idempotency_key }) => idempotency_key)).size).toBe(events.length);
    for (const event of events) {
      expect(event.idempotency_key.startsWith(seedKey(plan, 'usage'))).toBe(true);
      expect(Number.isInteger(event.quantity)).toBe(true);
      expect(event.timestamp?.slice(0, 10)).toBe('2026-11-16');
      expect(event.product_id).toBe('api_call');
    }
    expect(usageEventsOf(seedPlanOf('demo', 'small', NOW), '2026-11-30')).toHaveLength(
      plan.customers.length,
    );
  });

  it('calls fewer at weekends, more for a bigger customer', () => {
    const plan = seedPlanOf('demo', 'full', NOW);
    const callsOf = (day: string, customerId: string): number =>
      usageEventsOf(plan, day)
        .filter(({ customer_id }) => customer_id === customerId)
        .reduce((sum, { quantity }) => sum + Number(quantity), 0);
    // 2026-11-15 is a Sunday, 2026-11-16 a Monday; Globex (size 5) calls more than Soylent (1).
    expect(callsOf('2026-11-15', 'cust_demo_globex')).toBeLessThan(
      callsOf('2026-11-16', 'cust_demo_globex'),
    );
    expect(callsOf('2026-11-16', 'cust_demo_soylent')).toBeLessThan(
      callsOf('2026-11-16', 'cust_demo_globex'),
    );
  });
});
