import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BILLING_CUSTOMER_GET_OR_CREATE_V1,
  BILLING_INVOICE_CREATE_V1,
  BILLING_INVOICE_GET_V1,
  BILLING_PRODUCT_CREATE_V1,
  METERING_USAGE_RECORD_V1,
  SUBSCRIPTIONS_CHANGE_V1,
  SUBSCRIPTIONS_CREATE_V1,
  SUBSCRIPTIONS_OVERAGE_TERMS_V1,
  type InvoiceLineV1,
  type InvoiceV1,
  type PlanId,
  type SubscriptionV1,
} from '@aegis/contracts';
import { RpcRemoteError } from '@aegis/messaging';
import {
  defined,
  rejectionOf,
  startServiceProcess,
  waitFor,
  type ServiceProcess,
} from '@aegis/testing';
import type Stripe from 'stripe';
import { BillingHarness } from './billing-harness.js';

const HOURS = 'agent_hours';
/** The catalogue's price of an hour, for a customer without a plan (minor units). */
const CATALOGUE_HOUR_CENTS = 3000;
const PLAN_TERMS_TIMEOUT_MS = 1500;

/** The period before the current one (usage may be back-dated into it), and the current one. */
function periods(): { last: string; current: string; lastEnd: Date } {
  const now = new Date();
  const currentStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const lastStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const format = (date: Date) =>
    `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
  return { last: format(lastStart), current: format(currentStart), lastEnd: currentStart };
}

/**
 * The hours product on the usage invoice of a customer with a plan: the
 * plan's included hours free, the rest at its overage price, with the real
 * subscriptions service (its overage terms), metering and the sandbox.
 */
describe("a plan's overage hours on the period's usage invoice", () => {
  let harness: BillingHarness;
  let stripe: Stripe;
  let metering: ServiceProcess;
  let subscriptions: ServiceProcess;
  const { last, current, lastEnd } = periods();
  let run = 0;

  const newCustomer = async (): Promise<{ id: string; stripeId: string }> => {
    run += 1;
    const id = `cust_ovr_${Date.now().toString(36)}_${run}`;
    const { customer } = await harness.rpc.call(BILLING_CUSTOMER_GET_OR_CREATE_V1, {
      customerId: id,
      email: `${id}@example.com`,
    });
    const method = await stripe.paymentMethods.attach('pm_card_visa', {
      customer: customer.stripeCustomerId,
    });
    await stripe.customers.update(customer.stripeCustomerId, {
      invoice_settings: { default_payment_method: method.id },
    });
    return { id, stripeId: customer.stripeCustomerId };
  };

  const subscribe = async (
    customerId: string,
    planId: PlanId,
    priceCents?: number,
  ): Promise<SubscriptionV1> =>
    (
      await harness.rpc.call(SUBSCRIPTIONS_CREATE_V1, {
        customerId,
        planId,
        billingInterval: 'monthly',
        ...(priceCents === undefined ? {} : { priceCents }),
      })
    ).subscription;

  /** Hours worked, each event `hours` long, just before the end of the last period. */
  const recordHours = async (customerId: string, hours: readonly string[], key: string) => {
    const events = hours.map((quantity, index) => ({
      customerId,
      productId: HOURS,
      quantity,
      timestamp: new Date(lastEnd.getTime() - 3_600_000 - index * 60_000).toISOString(),
      idempotencyKey: `${key}-${index}`,
    }));
    await harness.rpc.call(METERING_USAGE_RECORD_V1, { events });
  };

  const invoice = (customerId: string, billingPeriod: string) =>
    harness.rpc.call(BILLING_INVOICE_CREATE_V1, { customerId, billingPeriod });

  const hoursLineOf = (found: InvoiceV1): InvoiceLineV1 => {
    const lines = found.lines.filter((line) => line.productId === HOURS);
    expect(lines).toHaveLength(1);
    return defined(lines[0], 'the hours line');
  };

  const storedTermsOf = async (lineId: string): Promise<unknown> => {
    const [row] = await harness.dataSource.query<{ plan_terms: unknown }[]>(
      `SELECT "plan_terms" FROM "billing"."invoice_lines" WHERE "line_id" = $1`,
      [lineId],
    );
    return defined(row, `line ${lineId}`).plan_terms;
  };

  const startSubscriptions = () => startServiceProcess('subscriptions', {});

  beforeAll(async () => {
    // Inherited by billing here; the other services ignore it.
    process.env.PLAN_TERMS_TIMEOUT_MS = String(PLAN_TERMS_TIMEOUT_MS);
    harness = await BillingHarness.start();
    stripe = harness.stripe;
    [metering, subscriptions] = await Promise.all([
      startServiceProcess('metering', {}),
      startSubscriptions(),
    ]);
    await harness.rpc.call(BILLING_PRODUCT_CREATE_V1, {
      productId: HOURS,
      name: 'Agent hours',
      pricingType: 'usage',
      currency: 'usd',
      unitLabel: 'hours',
      unitAmountDecimal: String(CATALOGUE_HOUR_CENTS),
    });
    // metering learns of the product from billing's catalogue events.
    const probe = await newCustomer();
    await waitFor(
      () =>
        harness.rpc
          .call(METERING_USAGE_RECORD_V1, {
            events: [
              {
                customerId: probe.id,
                productId: HOURS,
                quantity: '1',
                timestamp: new Date().toISOString(),
                idempotencyKey: 'probe',
              },
            ],
          })
          .then(
            () => true,
            () => false,
          ),
      (recorded) => recorded,
      { what: `metering to know ${HOURS}` },
    );
  }, 120_000);

  afterAll(async () => {
    delete process.env.PLAN_TERMS_TIMEOUT_MS;
    await Promise.all([metering.stop(), subscriptions.stop()]);
    await harness.stop();
  });

  it('bills 45.5 h on the junior plan as 5.5 h over its 40 h at 2500, then 2 late hours as exactly 5000, once', async () => {
    const customer = await newCustomer();
    const subscription = await subscribe(customer.id, 'junior');
    await recordHours(customer.id, ['30', '15.5'], 'on-time');

    const { invoice: first, created } = await invoice(customer.id, last);
    expect(created).toBe(true);
    expect(first.lines).toHaveLength(1);
    const hours = hoursLineOf(first);
    expect(hours).toMatchObject({
      kind: 'usage',
      billingPeriod: last,
      value: '45.5',
      eventCount: 2,
      subtotal: 13_750,
      discount: 0,
      amount: 13_750,
    });
    expect(hours.description).toBe(`Agent hours: 5.5 h over the junior plan's 40 h (${last})`);
    expect(first).toMatchObject({ amountDue: 13_750, status: 'paid', pendingStripe: false });
    const atStripe = await stripe.invoices.retrieve(defined(first.stripeInvoiceId, 'Stripe id'));
    expect(atStripe.amount_due).toBe(13_750);
    expect(atStripe.lines.data.map((line) => line.description)).toEqual([hours.description]);
    // The terms it was priced with are kept with the line.
    const junior = {
      hoursProductId: HOURS,
      planId: 'junior',
      subscriptionId: subscription.id,
      includedHours: 40,
      overagePriceCents: 2500,
      currency: 'usd',
    };
    expect(await storedTermsOf(hours.id)).toEqual(junior);

    // The plan changes: the period's adjustments keep the terms it was first priced with.
    await harness.rpc.call(SUBSCRIPTIONS_CHANGE_V1, {
      subscriptionId: subscription.id,
      planId: 'lead',
      when: 'now',
    });
    const { terms: now } = await harness.rpc.call(SUBSCRIPTIONS_OVERAGE_TERMS_V1, {
      customerId: customer.id,
      billingPeriod: last,
    });
    expect(now).toMatchObject({ planId: 'lead', includedHours: 160 });

    // Two more hours of the invoiced period arrive late: billed on the next invoice.
    await recordHours(customer.id, ['2'], 'late');
    const { invoice: next } = await invoice(customer.id, current);
    const late = hoursLineOf(next);
    expect(late).toMatchObject({
      kind: 'late_usage',
      billingPeriod: last,
      value: '47.5',
      previouslyBilledValue: '45.5',
      eventCount: 1,
      subtotal: 5000,
      discount: 0,
      amount: 5000,
    });
    expect(late.description).toBe(
      `Late usage for ${last}: Agent hours, 47.5 hours in all, 45.5 billed before: 7.5 h over the junior plan's 40 h`,
    );
    expect(next.amountDue).toBe(5000);
    expect(await storedTermsOf(late.id)).toEqual(junior);

    // Asked again, nothing changes and nothing is billed twice.
    const again = await invoice(customer.id, current);
    expect(again.created).toBe(false);
    expect(again.invoice).toEqual(next);
    expect((await invoice(customer.id, last)).invoice).toEqual(
      (await harness.rpc.call(BILLING_INVOICE_GET_V1, { invoiceId: first.id })).invoice,
    );
    const [billed] = await harness.dataSource.query<{ amount: string; lines: string }[]>(
      `SELECT sum("amount_cents")::text AS "amount", count(*)::text AS "lines"
         FROM "billing"."invoice_lines" l JOIN "billing"."invoices" i USING ("invoice_id")
        WHERE i."customer_id" = $1 AND l."billing_period" = $2`,
      [customer.id, last],
    );
    // (47.5 − 40) × 2500, over two lines.
    expect(billed).toEqual({ amount: '18750', lines: '2' });
  });

  it('bills a principal plan (unlimited hours) nothing for its hours', async () => {
    const customer = await newCustomer();
    await subscribe(customer.id, 'principal', 1_000_000);
    await recordHours(customer.id, ['30', '15.5'], 'unlimited');
    const { invoice: found } = await invoice(customer.id, last);
    const hours = hoursLineOf(found);
    expect(hours).toMatchObject({ value: '45.5', subtotal: 0, amount: 0 });
    expect(hours.description).toBe(
      `Agent hours: 45.5 h, unlimited on the principal plan (${last})`,
    );
    // Nothing to pay: recorded as paid, never sent to Stripe.
    expect(found).toMatchObject({ amountDue: 0, status: 'paid', stripeInvoiceId: null });
    expect(await storedTermsOf(hours.id)).toMatchObject({
      planId: 'principal',
      includedHours: null,
    });
  });

  it('prices the hours of a customer without a plan by the catalogue, as before', async () => {
    const customer = await newCustomer();
    await recordHours(customer.id, ['30', '15.5'], 'catalogue');
    const { invoice: found } = await invoice(customer.id, last);
    const hours = hoursLineOf(found);
    expect(hours).toMatchObject({ value: '45.5', amount: 45.5 * CATALOGUE_HOUR_CENTS });
    expect(hours.description).toBe(`Agent hours: 45.5 hours (${last})`);
    expect(found.amountDue).toBe(136_500);
    expect(await storedTermsOf(hours.id)).toBeNull();
  });

  it('leaves the invoice unpriced while the subscriptions service does not answer, never priced by the catalogue', async () => {
    const customer = await newCustomer();
    await subscribe(customer.id, 'junior');
    await recordHours(customer.id, ['45.5'], 'waiting');
    await subscriptions.stop();
    try {
      const refusal = await rejectionOf(invoice(customer.id, last), RpcRemoteError);
      expect([503, 504]).toContain(refusal.status);
      expect(refusal.message).toContain('overage_terms');
      const [reserved] = await harness.dataSource.query<
        { invoice_id: string; stage: string; last_error: string | null }[]
      >(
        `SELECT "invoice_id", "stage", "last_error" FROM "billing"."invoices"
          WHERE "customer_id" = $1 AND "billing_period" = $2`,
        [customer.id, last],
      );
      expect(reserved).toMatchObject({ stage: 'reserved' });
      expect(reserved?.last_error).toContain('overage_terms');
      const { invoice: waiting } = await harness.rpc.call(BILLING_INVOICE_GET_V1, {
        invoiceId: defined(reserved, 'the reserved invoice').invoice_id,
      });
      expect(waiting).toMatchObject({ lines: [], amountDue: 0, pendingStripe: true });
    } finally {
      subscriptions = await startSubscriptions();
    }
    // Back: the next ask (or the resumer) prices it with the plan.
    const priced = await waitFor(
      async () => (await invoice(customer.id, last)).invoice,
      (found) => found.lines.length > 0 && !found.pendingStripe,
      { what: 'the invoice to be priced', timeoutMs: 30_000 },
    );
    expect(hoursLineOf(priced)).toMatchObject({ value: '45.5', amount: 13_750 });
    expect(priced).toMatchObject({ amountDue: 13_750, status: 'paid', lastError: null });
  });
});
