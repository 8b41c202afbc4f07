import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BILLING_CUSTOMER_GET_OR_CREATE_V1,
  BILLING_DISCOUNT_SET_V1,
  BILLING_INVOICE_CREATE_V1,
  BILLING_INVOICE_FINALIZE_V1,
  BILLING_INVOICE_GET_V1,
  BILLING_INVOICE_LIST_V1,
  BILLING_INVOICE_RUN_GET_V1,
  BILLING_INVOICE_RUN_START_V1,
  BILLING_INVOICE_VOID_V1,
  BILLING_PRODUCT_CREATE_V1,
  BILLING_PRICING_SET_V1,
  METERING_USAGE_QUERY_V1,
  METERING_USAGE_RECORD_V1,
  type InvoiceV1,
  type PricingModelV1,
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

const SEED_TIERS: PricingModelV1 = {
  model: 'graduated',
  tiers: [
    { upTo: 1000, unitAmountDecimal: '10', flatAmount: 0 },
    { upTo: 10_000, unitAmountDecimal: '8', flatAmount: 0 },
    { upTo: null, unitAmountDecimal: '5', flatAmount: 0 },
  ],
};

/** The period before the current one (usage may be back-dated into it), and the current one. */
function periods(): { last: string; current: string; lastEnd: Date } {
  const now = new Date();
  const currentStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const lastStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const format = (date: Date) =>
    `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
  return { last: format(lastStart), current: format(currentStart), lastEnd: currentStart };
}

describe('invoices from metered usage, through Stripe', () => {
  let harness: BillingHarness;
  let stripe: Stripe;
  let metering: ServiceProcess;
  const { last, current, lastEnd } = periods();
  let run = 0;

  const newCustomer = async (card: string | null): Promise<{ id: string; stripeId: string }> => {
    run += 1;
    const id = `cust_inv_${Date.now().toString(36)}_${run}`;
    const { customer } = await harness.rpc.call(BILLING_CUSTOMER_GET_OR_CREATE_V1, {
      customerId: id,
      email: `${id}@example.com`,
    });
    if (card !== null) {
      const method = await stripe.paymentMethods.attach(card, {
        customer: customer.stripeCustomerId,
      });
      await stripe.customers.update(customer.stripeCustomerId, {
        invoice_settings: { default_payment_method: method.id },
      });
    }
    return { id, stripeId: customer.stripeCustomerId };
  };

  /** `count` events of `quantity` each, just before the end of the last period unless told. */
  const record = async (
    customerId: string,
    productId: string,
    count: number,
    { quantity = '1', at = new Date(lastEnd.getTime() - 3_600_000), key = 'k' } = {},
  ): Promise<void> => {
    for (let start = 0; start < count; start += 1000) {
      const events = Array.from({ length: Math.min(1000, count - start) }, (_, index) => ({
        customerId,
        productId,
        quantity,
        timestamp: new Date(at.getTime() - (start + index) * 1000).toISOString(),
        idempotencyKey: `${key}-${start + index}`,
      }));
      await harness.rpc.call(METERING_USAGE_RECORD_V1, { events });
    }
  };

  const invoice = (customerId: string, billingPeriod: string, autoFinalize?: boolean) =>
    harness.rpc.call(BILLING_INVOICE_CREATE_V1, {
      customerId,
      billingPeriod,
      ...(autoFinalize === undefined ? {} : { autoFinalize }),
    });

  const stripeInvoicesOf = async (stripeCustomerId: string): Promise<Stripe.Invoice[]> =>
    stripe.invoices.list({ customer: stripeCustomerId, limit: 100 }).autoPagingToArray({
      limit: 1000,
    });

  /** Delivers every sandbox event not delivered yet, as webhook-ingest would. */
  const delivered = new Set<string>();
  const deliverNewEvents = async (): Promise<void> => {
    const fresh = (await harness.allEvents()).filter((event) => !delivered.has(event.id));
    for (const event of fresh) delivered.add(event.id);
    await harness.deliverInOrder(fresh);
  };

  const invoiceNow = async (id: string): Promise<InvoiceV1> =>
    (await harness.rpc.call(BILLING_INVOICE_GET_V1, { invoiceId: id })).invoice;

  const ledgerOf = (stripeInvoiceId: string) =>
    harness.dataSource.query<{ status: string; amount_cents: string }[]>(
      `SELECT "status", "amount_cents" FROM "billing"."billing_transactions" WHERE "stripe_invoice_id" = $1`,
      [stripeInvoiceId],
    );

  beforeAll(async () => {
    harness = await BillingHarness.start();
    stripe = harness.stripe;
    metering = await startServiceProcess('metering', {});
    await harness.rpc.call(BILLING_PRODUCT_CREATE_V1, {
      productId: 'api_call',
      name: 'API call',
      pricingType: 'usage',
      currency: 'usd',
      unitLabel: 'calls',
      unitAmountDecimal: '10',
    });
    // Versions cannot start in the past: the seed's tiers price periods invoiced from now on.
    await harness.rpc.call(BILLING_PRODUCT_CREATE_V1, {
      productId: 'tiered_call',
      name: 'Tiered API call',
      pricingType: 'usage',
      currency: 'usd',
      unitAmountDecimal: '10',
    });
    await harness.rpc.call(BILLING_PRICING_SET_V1, {
      productId: 'tiered_call',
      pricing: SEED_TIERS,
    });
    await harness.rpc.call(BILLING_PRODUCT_CREATE_V1, {
      productId: 'geoint_report',
      name: 'GEOINT report',
      pricingType: 'outcome',
      currency: 'usd',
      unitAmountDecimal: '99900',
    });
    // Events from before the first delivery are old news for these tests.
    for (const event of await harness.allEvents()) delivered.add(event.id);
  });

  afterAll(async () => {
    await metering.stop();
    await harness.stop();
  });

  it("invoices the seed's usage at its price less its discount, in our invoice and in Stripe's, and is paid through events", async () => {
    const customer = await newCustomer('pm_card_visa');
    await harness.rpc.call(BILLING_DISCOUNT_SET_V1, { customerId: customer.id, percentOff: '20' });
    await record(customer.id, 'api_call', 1000);
    await record(customer.id, 'geoint_report', 2, { key: 'report' });

    const { invoice: first, created } = await invoice(customer.id, last);
    expect(created).toBe(true);
    const calls = defined(
      first.lines.find((line) => line.productId === 'api_call'),
      'api line',
    );
    // 1000 calls at 10 (per unit, the version in force at the period's end) less 20 %.
    expect(calls).toMatchObject({
      kind: 'usage',
      value: '1000',
      eventCount: 1000,
      subtotal: 10_000,
      discount: 2000,
      amount: 8000,
      billingPeriod: last,
    });
    expect(calls.firstEventAt).not.toBeNull();
    expect(new Date(defined(calls.lastEventAt, 'last event')).getTime()).toBeLessThan(
      lastEnd.getTime(),
    );
    const reports = defined(
      first.lines.find((line) => line.productId === 'geoint_report'),
      'reports',
    );
    expect(reports).toMatchObject({ value: '2', subtotal: 199_800, amount: 159_840 });
    expect(first).toMatchObject({
      subtotal: 209_800,
      discount: 41_960,
      amountDue: 167_840,
      collectionMethod: 'charge_automatically',
      pendingStripe: false,
    });
    const [stripeInvoice] = await stripeInvoicesOf(customer.stripeId);
    expect(stripeInvoice?.id).toBe(first.stripeInvoiceId);
    expect(stripeInvoice?.amount_due).toBe(167_840);
    expect(stripeInvoice?.status).toBe('paid');
    expect(stripeInvoice?.lines.data.map((line) => line.amount).sort()).toEqual(
      [8000, 159_840].sort(),
    );

    await deliverNewEvents();
    const paid = await invoiceNow(first.id);
    expect(paid).toMatchObject({ status: 'paid', amountPaid: 167_840 });
    expect(paid.paidAt).not.toBeNull();
    expect(await ledgerOf(defined(first.stripeInvoiceId, 'stripe id'))).toEqual([
      { status: 'succeeded', amount_cents: '167840' },
    ]);

    // Asking again returns the same invoice and makes nothing at Stripe.
    const again = await invoice(customer.id, last);
    expect(again.created).toBe(false);
    expect(again.invoice.id).toBe(first.id);
    expect(await stripeInvoicesOf(customer.stripeId)).toHaveLength(1);

    // Each billed event names its line.
    const usage = await harness.rpc.call(METERING_USAGE_QUERY_V1, {
      customerId: customer.id,
      productId: 'api_call',
      from: new Date(lastEnd.getTime() - 40 * 86_400_000).toISOString(),
      to: lastEnd.toISOString(),
      limit: 5,
    });
    expect(usage.events).toHaveLength(5);
    for (const event of usage.events) {
      expect(event.invoiceId).toBe(first.id);
      expect(event.invoiceLineId).toBe(calls.id);
    }
  });

  it("prices the current period with the seed's graduated tiers: 5000 calls at 42000, less 20 % to 33600", async () => {
    const customer = await newCustomer('pm_card_visa');
    await harness.rpc.call(BILLING_DISCOUNT_SET_V1, { customerId: customer.id, percentOff: '20' });
    await record(customer.id, 'tiered_call', 5000, { at: new Date() });
    const { invoice: seed } = await invoice(customer.id, current);
    expect(seed).toMatchObject({ subtotal: 42_000, discount: 8400, amountDue: 33_600 });
    const stripeInvoice = await stripe.invoices.retrieve(defined(seed.stripeInvoiceId, 'id'));
    expect(stripeInvoice.amount_due).toBe(33_600);
    expect(stripeInvoice.status).toBe('paid');
  });

  it('records a failed payment (card 4000 0000 0000 0002) on the invoice and the ledger; Stripe retries', async () => {
    const customer = await newCustomer('pm_card_chargeDeclined');
    await record(customer.id, 'api_call', 50);
    const { invoice: first } = await invoice(customer.id, last);
    expect(first.amountDue).toBe(500);
    expect(first.status).toBe('payment_failed');
    expect(first.pendingStripe).toBe(false);
    const stripeInvoice = await stripe.invoices.retrieve(defined(first.stripeInvoiceId, 'id'));
    expect(stripeInvoice.status).toBe('open');
    expect(stripeInvoice.attempt_count).toBe(1);
    expect(stripeInvoice.next_payment_attempt).not.toBeNull();
    await deliverNewEvents();
    expect((await invoiceNow(first.id)).status).toBe('payment_failed');
    expect(await ledgerOf(defined(first.stripeInvoiceId, 'id'))).toEqual([
      { status: 'failed', amount_cents: '500' },
    ]);
  });

  it('sends the invoice to a customer without a card, with its hosted page', async () => {
    const customer = await newCustomer(null);
    await record(customer.id, 'api_call', 10);
    const { invoice: sent } = await invoice(customer.id, last);
    expect(sent).toMatchObject({
      status: 'open',
      collectionMethod: 'send_invoice',
      amountDue: 100,
      pendingStripe: false,
    });
    expect(sent.hostedInvoiceUrl).toMatch(/^https?:\/\//);
    expect(sent.invoicePdf).toMatch(/^https?:\/\//);
    const stripeInvoice = await stripe.invoices.retrieve(defined(sent.stripeInvoiceId, 'id'));
    expect(stripeInvoice.collection_method).toBe('send_invoice');
    expect(stripeInvoice.due_date).not.toBeNull();
  });

  it('records an invoice with nothing to pay as paid, and never sends it to Stripe', async () => {
    const customer = await newCustomer('pm_card_visa');
    const { invoice: empty } = await invoice(customer.id, last);
    expect(empty).toMatchObject({
      status: 'paid',
      amountDue: 0,
      lines: [],
      stripeInvoiceId: null,
      pendingStripe: false,
    });
    expect(await stripeInvoicesOf(customer.stripeId)).toHaveLength(0);
  });

  it('bills late usage once, on the next invoice, as price(all) − price(billed)', async () => {
    const customer = await newCustomer('pm_card_visa');
    await record(customer.id, 'api_call', 900, { key: 'on-time' });
    const { invoice: first } = await invoice(customer.id, last);
    expect(first.amountDue).toBe(9000);
    // 300 more calls for the invoiced period arrive late.
    await record(customer.id, 'api_call', 300, { key: 'late' });
    await record(customer.id, 'api_call', 5, { key: 'current', at: new Date() });
    const { invoice: next } = await invoice(customer.id, current);
    const late = defined(
      next.lines.find((line) => line.kind === 'late_usage'),
      'the late usage line',
    );
    expect(late).toMatchObject({
      billingPeriod: last,
      productId: 'api_call',
      value: '1200',
      previouslyBilledValue: '900',
      eventCount: 300,
      subtotal: 3000,
      amount: 3000,
    });
    expect(late.description).toContain(`Late usage for ${last}`);
    const own = defined(
      next.lines.find((line) => line.kind === 'usage'),
      'the own line',
    );
    expect(own).toMatchObject({ billingPeriod: current, value: '5', amount: 50 });
    expect(next.amountDue).toBe(3050);
    // Asked again, neither invoice bills the late usage a second time.
    expect((await invoice(customer.id, current)).invoice.lines).toHaveLength(2);
    const [billed] = await harness.dataSource.query<{ amount_cents: string }[]>(
      `SELECT sum("amount_cents")::text AS "amount_cents" FROM "billing"."invoice_lines"
        WHERE "billing_period" = $1 AND "invoice_id" IN ($2, $3)`,
      [last, first.id, next.id],
    );
    expect(billed?.amount_cents).toBe('12000');
  });

  it('finishes an invoice interrupted between Stripe calls without making anything twice', async () => {
    const customer = await newCustomer('pm_card_visa');
    await record(customer.id, 'api_call', 20);
    await record(customer.id, 'geoint_report', 1, { key: 'r' });
    const { invoice: draft } = await invoice(customer.id, last, false);
    expect(draft).toMatchObject({ status: 'draft', pendingStripe: false });
    expect(draft.lines.every((line) => line.stripeInvoiceItemId !== null)).toBe(true);
    // As if the process died after Stripe answered but before we recorded the answers.
    await harness.dataSource.query(
      `UPDATE "billing"."invoices" SET "stage" = 'priced', "stripe_invoice_id" = NULL WHERE "invoice_id" = $1`,
      [draft.id],
    );
    await harness.dataSource.query(
      `UPDATE "billing"."invoice_lines" SET "stripe_invoice_item_id" = NULL WHERE "invoice_id" = $1`,
      [draft.id],
    );
    const { invoice: finished } = await harness.rpc.call(BILLING_INVOICE_FINALIZE_V1, {
      invoiceId: draft.id,
    });
    expect(finished).toMatchObject({ status: 'paid', stripeInvoiceId: draft.stripeInvoiceId });
    const stripeInvoices = await stripeInvoicesOf(customer.stripeId);
    expect(stripeInvoices).toHaveLength(1);
    expect(stripeInvoices[0]?.lines.data).toHaveLength(2);
    expect(stripeInvoices[0]?.amount_paid).toBe(20 * 10 + 99_900);
  });

  it('voids an unpaid invoice at Stripe and here, refuses to void a paid one, and lists by customer', async () => {
    const customer = await newCustomer(null);
    await record(customer.id, 'api_call', 3);
    const { invoice: open } = await invoice(customer.id, last);
    const { invoice: voided } = await harness.rpc.call(BILLING_INVOICE_VOID_V1, {
      invoiceId: open.id,
    });
    expect(voided.status).toBe('void');
    expect((await stripe.invoices.retrieve(defined(open.stripeInvoiceId, 'id'))).status).toBe(
      'void',
    );
    const payer = await newCustomer('pm_card_visa');
    await record(payer.id, 'api_call', 3);
    const { invoice: paid } = await invoice(payer.id, last);
    const refusal = await rejectionOf(
      harness.rpc.call(BILLING_INVOICE_VOID_V1, { invoiceId: paid.id }),
      RpcRemoteError,
    );
    expect({ status: refusal.status, code: refusal.code }).toEqual({
      status: 409,
      code: 'invoice_state',
    });
    const listed = await harness.rpc.call(BILLING_INVOICE_LIST_V1, {
      customerId: payer.id,
      limit: 10,
    });
    expect(listed.invoices.map((one) => one.id)).toEqual([paid.id]);
    const hidden = await rejectionOf(
      harness.rpc.call(BILLING_INVOICE_GET_V1, { invoiceId: paid.id, customerId: customer.id }),
      RpcRemoteError,
    );
    expect(hidden.status).toBe(404);
  });

  it('refuses a period that has not started, naming the field', async () => {
    const customer = await newCustomer(null);
    const refusal = await rejectionOf(invoice(customer.id, '2999-01'), RpcRemoteError);
    expect(refusal.status).toBe(400);
    expect(refusal.fields.map((fault) => fault.field)).toEqual(['billing_period']);
  });

  it('runs an invoice for every customer with usage in a period, and a re-run does nothing twice', async () => {
    const customers = [await newCustomer('pm_card_visa'), await newCustomer('pm_card_visa')];
    for (const customer of customers) await record(customer.id, 'api_call', 7, { key: 'run' });
    const { run: started, created } = await harness.rpc.call(BILLING_INVOICE_RUN_START_V1, {
      billingPeriod: last,
    });
    expect(created).toBe(true);
    const finished = await waitFor(
      async () => (await harness.rpc.call(BILLING_INVOICE_RUN_GET_V1, { runId: started.id })).run,
      (state) => state.status === 'completed',
      { what: 'the invoice run to complete', timeoutMs: 60_000 },
    );
    expect(finished.total).toBe(finished.done + finished.failed);
    expect(finished.failed).toBe(0);
    for (const customer of customers) {
      const invoices = await harness.rpc.call(BILLING_INVOICE_LIST_V1, {
        customerId: customer.id,
        limit: 10,
      });
      expect(invoices.invoices).toHaveLength(1);
      expect(invoices.invoices[0]?.amountDue).toBe(70);
    }
    const { run: rerun } = await harness.rpc.call(BILLING_INVOICE_RUN_START_V1, {
      billingPeriod: last,
    });
    const rerunDone = await waitFor(
      async () => (await harness.rpc.call(BILLING_INVOICE_RUN_GET_V1, { runId: rerun.id })).run,
      (state) => state.status === 'completed',
      { what: 'the re-run to complete', timeoutMs: 60_000 },
    );
    expect(rerunDone.total).toBe(finished.total);
    for (const customer of customers)
      expect(await stripeInvoicesOf(customer.stripeId)).toHaveLength(1);
  });
});
