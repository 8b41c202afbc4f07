import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sandboxStripe, startServiceProcess, type ServiceProcess } from '@aegis/testing';
import fc from 'fast-check';
import Stripe from 'stripe';
import { priceQuantity } from '../src/pricing/pricing-engine.js';
import type { PricingModel, Tier } from '../src/pricing/pricing-model.js';

/**
 * Our pricing engine against the Stripe sandbox's arithmetic, which shares
 * no code with it: for random pricing models and quantities, the sandbox
 * prices an invoice item of the same Stripe Price and quantity, and the two
 * amounts must be equal. Cases run in batches, each batch's requests at once.
 */

const BATCHES = 100;
const CASES_PER_BATCH = 100;
const CURRENCIES = ['usd', 'eur', 'jpy', 'krw'] as const;
type Currency = (typeof CURRENCIES)[number];

interface PricingCase {
  readonly model: PricingModel;
  readonly quantity: number;
  readonly currency: Currency;
}

/** A decimal string of minor units with 0 to 12 decimal places, trailing zeros included. */
const generatedPrice = fc
  .integer({ min: 0, max: 12 })
  .chain((places) =>
    fc
      .tuple(
        fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 50_000 })),
        fc.bigInt({ min: 0n, max: 10n ** BigInt(places) - 1n }),
      )
      .map(([whole, fraction]) =>
        places === 0 ? String(whole) : `${whole}.${fraction.toString().padStart(places, '0')}`,
      ),
  );

/** Prices whose line totals land on or near half a minor unit, where rounding modes differ. */
const tieProneUnitPrice = fc.constantFrom(
  '0.5',
  '2.5',
  '0.125',
  '0.375',
  '0.05',
  '1.5',
  '0.000000000001',
  '0.333333333333',
  '0.499999999999',
  '0.500000000001',
);

const unitPrice = fc.oneof(
  { weight: 4, arbitrary: generatedPrice },
  { weight: 1, arbitrary: tieProneUnitPrice },
);

const flatAmount = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 100_000 }));

const tiers: fc.Arbitrary<Tier[]> = fc
  .array(
    fc.record({
      width: fc.oneof(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 100_000 })),
      unitAmountDecimal: unitPrice,
      flatAmount,
    }),
    { minLength: 2, maxLength: 5 },
  )
  .map((drafts) => {
    let upTo = 0;
    return drafts.map((draft, index) => {
      upTo += draft.width;
      return {
        upTo: index === drafts.length - 1 ? null : upTo,
        unitAmountDecimal: draft.unitAmountDecimal,
        flatAmount: draft.flatAmount,
      };
    });
  });

const model: fc.Arbitrary<PricingModel> = fc.oneof(
  unitPrice.map((unitAmountDecimal): PricingModel => ({ model: 'per_unit', unitAmountDecimal })),
  fc
    .tuple(fc.constantFrom('graduated' as const, 'volume' as const), tiers)
    .map(([name, modelTiers]): PricingModel => ({ model: name, tiers: modelTiers })),
  fc
    .record({
      packageSize: fc.oneof(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 10_000 })),
      packageAmount: fc.integer({ min: 0, max: 100_000 }),
      round: fc.constantFrom('up' as const, 'down' as const),
    })
    .map((pkg): PricingModel => ({ model: 'package', ...pkg })),
);

/** Quantities where a model changes behaviour: 0, and either side of each tier or package boundary. */
function boundariesOf(pricing: PricingModel): number[] {
  switch (pricing.model) {
    case 'per_unit':
      return [0, 1];
    case 'graduated':
    case 'volume':
      return [0, 1].concat(
        pricing.tiers.flatMap((tier) => (tier.upTo === null ? [] : [tier.upTo, tier.upTo + 1])),
      );
    case 'package':
      return [0, 1, pricing.packageSize - 1, pricing.packageSize, pricing.packageSize + 1];
  }
}

// Quantities stay at or below 10^10, which keeps every total here within 2^53.
const pricingCase: fc.Arbitrary<PricingCase> = model.chain((pricing) =>
  fc.record({
    model: fc.constant(pricing),
    quantity: fc.oneof(
      fc.constantFrom(...boundariesOf(pricing)),
      fc.integer({ min: 0, max: 1_000 }),
      fc.integer({ min: 0, max: 10_000_000_000 }),
    ),
    currency: fc.constantFrom(...CURRENCIES),
  }),
);

/** The Stripe Price that bills as `pricing` does. */
function priceParams(
  pricing: PricingModel,
  currency: Currency,
  product: string,
): Stripe.PriceCreateParams {
  switch (pricing.model) {
    case 'per_unit':
      return {
        currency,
        product,
        unit_amount_decimal: Stripe.Decimal.from(pricing.unitAmountDecimal),
      };
    case 'graduated':
    case 'volume':
      return {
        currency,
        product,
        billing_scheme: 'tiered',
        tiers_mode: pricing.model,
        recurring: { interval: 'month' },
        tiers: pricing.tiers.map((tier) => ({
          up_to: tier.upTo ?? 'inf',
          unit_amount_decimal: Stripe.Decimal.from(tier.unitAmountDecimal),
          flat_amount: tier.flatAmount,
        })),
      };
    case 'package':
      return {
        currency,
        product,
        unit_amount: pricing.packageAmount,
        transform_quantity: { divide_by: pricing.packageSize, round: pricing.round },
      };
  }
}

interface Disagreement {
  readonly pricingCase: PricingCase;
  readonly ours: number;
  readonly stripe: number;
}

describe('pricing engine agreement with Stripe', () => {
  let sandbox: ServiceProcess;
  let stripe: Stripe;
  let product: string;
  const customers = new Map<Currency, string>();

  beforeAll(async () => {
    sandbox = await startServiceProcess('stripe-sandbox', { SANDBOX_WEBHOOK_URL: 'off' });
    stripe = sandboxStripe(sandbox.port, 'sk_test_pricing_agreement');
    product = (await stripe.products.create({ name: 'Pricing agreement' })).id;
    for (const currency of CURRENCIES) {
      customers.set(currency, (await stripe.customers.create({ name: currency })).id);
    }
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  /** What Stripe charges for an invoice item of `pricingCase`'s Price and quantity. */
  async function stripeAmount(pricingCase: PricingCase): Promise<number> {
    const price = await stripe.prices.create(
      priceParams(pricingCase.model, pricingCase.currency, product),
    );
    const item = await stripe.invoiceItems.create({
      customer: customers.get(pricingCase.currency) ?? '',
      pricing: { price: price.id },
      quantity: pricingCase.quantity,
    });
    return item.amount;
  }

  it(`prices ${BATCHES * CASES_PER_BATCH} random models and quantities as the sandbox bills them`, async () => {
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(pricingCase, { minLength: CASES_PER_BATCH, maxLength: CASES_PER_BATCH }),
        async (batch) => {
          const stripeAmounts = await Promise.all(batch.map((each) => stripeAmount(each)));
          const disagreements: Disagreement[] = [];
          for (const [index, each] of batch.entries()) {
            const ours = priceQuantity(each.model, each.quantity, each.currency).subtotal;
            const stripeTotal = stripeAmounts[index] ?? Number.NaN;
            if (ours !== stripeTotal)
              disagreements.push({ pricingCase: each, ours, stripe: stripeTotal });
          }
          checked += batch.length;
          expect(disagreements).toEqual([]);
        },
      ),
      { numRuns: BATCHES, endOnFailure: true },
    );
    expect(checked).toBeGreaterThanOrEqual(10_000);
  }, 120_000);
});
