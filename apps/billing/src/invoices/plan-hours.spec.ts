import { describe, expect, it } from '@jest/globals';
import { priceValue } from '../pricing/pricing-engine.js';
import { priceUsage } from './invoice-lines.js';
import {
  overageHoursOf,
  planHoursModel,
  planHoursWords,
  type PlanHoursTerms,
} from './plan-hours.js';

const JUNIOR: PlanHoursTerms = {
  hoursProductId: 'agent_hours',
  planId: 'junior',
  subscriptionId: '00000000-0000-4000-8000-000000000001',
  includedHours: 40,
  overagePriceCents: 2500,
  currency: 'usd',
};
const PRINCIPAL: PlanHoursTerms = {
  ...JUNIOR,
  planId: 'principal',
  includedHours: null,
  overagePriceCents: null,
};

const price = (terms: PlanHoursTerms, value: string): number =>
  priceValue(planHoursModel(terms), value, terms.currency).subtotal;

describe('plan hours: the included hours free, the rest at the overage price', () => {
  it('charges nothing up to the included hours and each hour above at the overage price, exactly', () => {
    expect(price(JUNIOR, '0')).toBe(0);
    expect(price(JUNIOR, '40')).toBe(0);
    expect(price(JUNIOR, '45.5')).toBe(13_750);
    expect(price(JUNIOR, '40.0001')).toBe(0); // 0.0001 h × 2500 = 0.25 cents, rounded half up once
    expect(price(JUNIOR, '40.0002')).toBe(1);
    expect(price(JUNIOR, '47.5')).toBe(18_750);
  });

  it('charges nothing for unlimited hours, and every hour of a plan with none included', () => {
    expect(price(PRINCIPAL, '1000000.5')).toBe(0);
    expect(price({ ...JUNIOR, includedHours: 0 }, '2.25')).toBe(5625);
  });

  it('refuses terms with included hours but no overage price', () => {
    expect(() => planHoursModel({ ...JUNIOR, overagePriceCents: null })).toThrow(RangeError);
  });

  it('bills late hours as the newly exceeded overage only: price(all) − price(billed)', () => {
    const pricing = { model: planHoursModel(JUNIOR), currency: 'usd', discount: null };
    const first = priceUsage({ value: '45.5', eventCount: 2 }, pricing, null);
    expect(first.amount).toBe(13_750);
    const late = priceUsage({ value: '47.5', eventCount: 3 }, pricing, first.billed);
    expect(late).toMatchObject({ kind: 'late_usage', amount: 5000, previouslyBilledValue: '45.5' });
    // Late hours still within the included ones cost nothing.
    const under = priceUsage({ value: '30', eventCount: 1 }, pricing, null);
    const stillUnder = priceUsage({ value: '39', eventCount: 2 }, pricing, under.billed);
    expect(stillUnder.amount).toBe(0);
    const crossing = priceUsage({ value: '41', eventCount: 3 }, pricing, stillUnder.billed);
    expect(crossing.amount).toBe(2500);
  });

  it('names the plan and the overage hours', () => {
    expect(overageHoursOf('45.5', JUNIOR)).toBe('5.5');
    expect(overageHoursOf('12', JUNIOR)).toBe('0');
    expect(overageHoursOf('99', PRINCIPAL)).toBe('0');
    expect(planHoursWords('45.50', JUNIOR)).toBe("5.5 h over the junior plan's 40 h");
    expect(planHoursWords('12', JUNIOR)).toBe("12 h of the junior plan's 40 h");
    expect(planHoursWords('99', PRINCIPAL)).toBe('99 h, unlimited on the principal plan');
  });
});
