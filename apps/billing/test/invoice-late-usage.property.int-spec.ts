import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BILLING_CUSTOMER_GET_OR_CREATE_V1,
  BILLING_INVOICE_CREATE_V1,
  BILLING_PRICING_SET_V1,
  BILLING_PRODUCT_CREATE_V1,
  METERING_USAGE_RECORD_V1,
} from '@aegis/contracts';
import { startServiceProcess, type ServiceProcess } from '@aegis/testing';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { BillingHarness } from './billing-harness.js';

const PRODUCT = 'late_tiers';

/** Graduated so that a few events cross tiers: up to 10 at 10, up to 30 at 7, then 3. */
function priceOf(value: Decimal): number {
  const first = Decimal.min(value, 10);
  const second = Decimal.max(0, Decimal.min(value, 30).minus(10));
  const rest = Decimal.max(0, value.minus(30));
  return first.times(10).plus(second.times(7)).plus(rest.times(3)).toDecimalPlaces(0).toNumber();
}

type Period = 'last' | 'current';
type Step =
  | {
      readonly kind: 'usage';
      readonly period: Period;
      readonly count: number;
      readonly quantity: string;
    }
  | { readonly kind: 'invoice_last' }
  | { readonly kind: 'usage_during_invoice'; readonly count: number; readonly quantity: string };

const quantity = fc.constantFrom('1', '2.5', '0.125', '4');
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('usage' as const),
    period: fc.constantFrom<Period>('last', 'current'),
    count: fc.integer({ min: 1, max: 6 }),
    quantity,
  }),
  fc.constant({ kind: 'invoice_last' as const }),
  fc.record({
    kind: fc.constant('usage_during_invoice' as const),
    count: fc.integer({ min: 1, max: 6 }),
    quantity,
  }),
);

describe('late usage over random interleavings of usage and invoices', () => {
  let harness: BillingHarness;
  let metering: ServiceProcess;
  let customers = 0;
  const now = new Date();
  const currentStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const lastStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const format = (date: Date) =>
    `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
  const periods: Record<Period, string> = {
    last: format(lastStart),
    current: format(currentStart),
  };

  beforeAll(async () => {
    harness = await BillingHarness.start();
    metering = await startServiceProcess('metering', {});
    await harness.rpc.call(BILLING_PRODUCT_CREATE_V1, {
      productId: PRODUCT,
      name: 'Late tiers',
      pricingType: 'usage',
      currency: 'usd',
      unitAmountDecimal: '1',
    });
    await harness.rpc.call(BILLING_PRICING_SET_V1, {
      productId: PRODUCT,
      pricing: {
        model: 'graduated',
        tiers: [
          { upTo: 10, unitAmountDecimal: '10', flatAmount: 0 },
          { upTo: 30, unitAmountDecimal: '7', flatAmount: 0 },
          { upTo: null, unitAmountDecimal: '3', flatAmount: 0 },
        ],
      },
    });
    // Catalogue history the API cannot write (versions never start in the past): the tiers
    // in force since before the last period, so that both periods are priced with them.
    await harness.dataSource.query(
      `UPDATE "billing"."pricing_versions"
          SET "effective_from" = now() - make_interval(days => 100 - "version")
        WHERE "product_id" = $1`,
      [PRODUCT],
    );
  });

  afterAll(async () => {
    await metering.stop();
    await harness.stop();
  });

  it('bills each period, over all its lines, exactly the price of its final usage', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 7 }), async (steps) => {
        customers += 1;
        const customerId = `cust_late_${Date.now().toString(36)}_${customers}`;
        // Without a card: each invoice is sent, which is all this property needs of Stripe.
        await harness.rpc.call(BILLING_CUSTOMER_GET_OR_CREATE_V1, { customerId });
        const recorded: Record<Period, Decimal> = { last: new Decimal(0), current: new Decimal(0) };
        const eventsOf: Record<Period, number> = { last: 0, current: 0 };
        let keys = 0;
        const record = async (period: Period, count: number, each: string): Promise<void> => {
          const base = period === 'last' ? currentStart.getTime() - 3_600_000 : Date.now();
          const events = Array.from({ length: count }, () => {
            keys += 1;
            return {
              customerId,
              productId: PRODUCT,
              quantity: each,
              timestamp: new Date(base - keys * 1000).toISOString(),
              idempotencyKey: `e${keys}`,
            };
          });
          await harness.rpc.call(METERING_USAGE_RECORD_V1, { events });
          recorded[period] = recorded[period].plus(new Decimal(each).times(count));
          eventsOf[period] += count;
        };
        const invoiceLast = () =>
          harness.rpc.call(BILLING_INVOICE_CREATE_V1, { customerId, billingPeriod: periods.last });
        // The last period is invoiced at least once before the end, so its usage has been claimed.
        const plan = steps.some((one) => one.kind !== 'usage')
          ? steps
          : [...steps, { kind: 'invoice_last' as const }];
        for (const one of plan) {
          if (one.kind === 'usage') await record(one.period, one.count, one.quantity);
          else if (one.kind === 'invoice_last') await invoiceLast();
          else await Promise.all([invoiceLast(), record('last', one.count, one.quantity)]);
        }
        // The customer's next invoice, after every arrival, bills whatever arrived late.
        await harness.rpc.call(BILLING_INVOICE_CREATE_V1, {
          customerId,
          billingPeriod: periods.current,
        });
        const billed = await harness.dataSource.query<
          { billing_period: string; amount: string; events: string }[]
        >(
          `SELECT "line"."billing_period", sum("line"."amount_cents")::text AS "amount",
                  sum("line"."event_count")::text AS "events"
             FROM "billing"."invoice_lines" "line"
             JOIN "billing"."invoices" "invoice" ON "invoice"."invoice_id" = "line"."invoice_id"
            WHERE "invoice"."customer_id" = $1
            GROUP BY 1 ORDER BY 1`,
          [customerId],
        );
        const expected = (['last', 'current'] as const)
          .filter((period) => eventsOf[period] > 0)
          .map((period) => ({
            billing_period: periods[period],
            amount: String(priceOf(recorded[period])),
            events: String(eventsOf[period]),
          }));
        expect(billed).toEqual(expected);
      }),
      { numRuns: 10 },
    );
  });
});
