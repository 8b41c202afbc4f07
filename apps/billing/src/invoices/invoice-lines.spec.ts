import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { defined } from '@aegis/testing';
import { applyDiscount, priceValue } from '../pricing/pricing-engine.js';
import type { Discount, PricingModel } from '../pricing/pricing-model.js';
import { priceUsage, pricingInstantOf, type BilledSoFar } from './invoice-lines.js';

const MODELS: readonly PricingModel[] = [
  { model: 'per_unit', unitAmountDecimal: '0.125' },
  {
    model: 'graduated',
    tiers: [
      { upTo: 1000, unitAmountDecimal: '10', flatAmount: 0 },
      { upTo: 10_000, unitAmountDecimal: '8', flatAmount: 0 },
      { upTo: null, unitAmountDecimal: '5', flatAmount: 0 },
    ],
  },
  {
    model: 'volume',
    tiers: [
      { upTo: 100, unitAmountDecimal: '3.5', flatAmount: 200 },
      { upTo: null, unitAmountDecimal: '1.25', flatAmount: 0 },
    ],
  },
  { model: 'package', packageSize: 250, packageAmount: 999, round: 'up' },
];

const DISCOUNTS: readonly (Discount | null)[] = [
  null,
  { percentOff: '20' },
  { percentOff: '12.5' },
  { amountOff: 700 },
];

const value = fc
  .tuple(fc.integer({ min: 0, max: 40_000 }), fc.integer({ min: 0, max: 999 }))
  .map(([whole, thousandths]) => (thousandths === 0 ? String(whole) : `${whole}.${thousandths}`));

describe('priceUsage: a period billed over several lines', () => {
  it('bills in total exactly the price of its final usage, whatever values its claims saw', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...MODELS),
        fc.constantFrom(...DISCOUNTS),
        fc.array(value, { minLength: 1, maxLength: 6 }),
        (model, discount, values) => {
          let billed: BilledSoFar | null = null;
          let total = { subtotal: 0, discount: 0, amount: 0 };
          let eventCount = 0;
          for (const [index, seen] of values.entries()) {
            eventCount += 1 + index;
            const line = priceUsage(
              { value: seen, eventCount },
              { model, currency: 'usd', discount },
              billed,
            );
            expect(line.kind).toBe(billed === null ? 'usage' : 'late_usage');
            expect(line.amount).toBe(line.subtotal - line.discount);
            total = {
              subtotal: total.subtotal + line.subtotal,
              discount: total.discount + line.discount,
              amount: total.amount + line.amount,
            };
            billed = line.billed;
          }
          const final = priceValue(model, values.at(-1) ?? '0', 'usd').subtotal;
          const expected = applyDiscount(final, discount);
          expect(total).toEqual({
            subtotal: final,
            discount: expected.discountApplied,
            amount: expected.amount,
          });
        },
      ),
    );
  });

  it('bills a late line as price(all) − price(billed), so a tier crossed late is priced at its rate', () => {
    const graduated = defined(MODELS[1], 'the graduated model');
    const first = priceUsage(
      { value: '900', eventCount: 900 },
      { model: graduated, currency: 'usd', discount: null },
      null,
    );
    const late = priceUsage(
      { value: '1200', eventCount: 1200 },
      { model: graduated, currency: 'usd', discount: null },
      first.billed,
    );
    // 900 at 10; then 100 more at 10 and 200 at 8.
    expect(first.amount).toBe(9000);
    expect(late).toMatchObject({
      kind: 'late_usage',
      subtotal: 2600,
      amount: 2600,
      eventCount: 300,
      previouslyBilledValue: '900',
    });
  });
});

describe(pricingInstantOf.name, () => {
  it("is the period's last millisecond, or the invoice's creation when that is earlier", () => {
    expect(pricingInstantOf('2026-11', new Date('2026-12-02T10:00:00Z')).toISOString()).toBe(
      '2026-11-30T23:59:59.999Z',
    );
    expect(pricingInstantOf('2026-12', new Date('2026-12-02T10:00:00Z')).toISOString()).toBe(
      '2026-12-02T10:00:00.000Z',
    );
  });
});
