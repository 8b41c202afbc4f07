import { describe, expect, it } from '@jest/globals';
import type { InvoiceRunV1, InvoiceV1 } from '@aegis/contracts';
import { invoiceResourceOf, invoiceRunResourceOf } from './invoice-resources.js';

const invoice: InvoiceV1 = {
  id: 'inv_1',
  customerId: 'cust_abc123',
  billingPeriod: '2026-03',
  status: 'open',
  currency: 'usd',
  lines: [
    {
      id: 'il_1',
      kind: 'late_usage',
      productId: 'api_call',
      billingPeriod: '2026-02',
      description: 'API call, February 2026 (late usage)',
      aggregation: 'sum',
      value: '1500',
      previouslyBilledValue: '1000',
      eventCount: 3,
      firstEventAt: '2026-02-27T10:00:00.000Z',
      lastEventAt: '2026-02-28T10:00:00.000Z',
      usageThrough: '2026-04-01T00:00:05.000Z',
      pricingVersionId: 'pv_1',
      subtotal: 5000,
      discount: 1000,
      amount: 4000,
      stripeInvoiceItemId: 'ii_1',
    },
  ],
  subtotal: 5000,
  discount: 1000,
  amountDue: 4000,
  amountPaid: 0,
  collectionMethod: 'send_invoice',
  stripeInvoiceId: 'in_1',
  hostedInvoiceUrl: 'https://invoice.example/in_1',
  invoicePdf: null,
  pendingStripe: false,
  lastError: null,
  finalizedAt: '2026-04-01T00:00:06.000Z',
  paidAt: null,
  createdAt: '2026-04-01T00:00:05.000Z',
};

describe(invoiceResourceOf.name, () => {
  it('names every field as the public API does, amounts in minor units', () => {
    expect(invoiceResourceOf(invoice)).toStrictEqual({
      id: 'inv_1',
      object: 'invoice',
      customer_id: 'cust_abc123',
      billing_period: '2026-03',
      status: 'open',
      currency: 'usd',
      lines: [
        {
          id: 'il_1',
          kind: 'late_usage',
          product_id: 'api_call',
          billing_period: '2026-02',
          description: 'API call, February 2026 (late usage)',
          aggregation: 'sum',
          value: '1500',
          previously_billed_value: '1000',
          event_count: 3,
          first_event_at: '2026-02-27T10:00:00.000Z',
          last_event_at: '2026-02-28T10:00:00.000Z',
          usage_through: '2026-04-01T00:00:05.000Z',
          pricing_version_id: 'pv_1',
          subtotal_cents: 5000,
          discount_cents: 1000,
          amount_cents: 4000,
          stripe_invoice_item_id: 'ii_1',
        },
      ],
      subtotal_cents: 5000,
      discount_cents: 1000,
      amount_due: 4000,
      amount_paid: 0,
      collection_method: 'send_invoice',
      stripe_invoice_id: 'in_1',
      hosted_invoice_url: 'https://invoice.example/in_1',
      invoice_pdf: null,
      pending_stripe: false,
      last_error: null,
      finalized_at: '2026-04-01T00:00:06.000Z',
      paid_at: null,
      created_at: '2026-04-01T00:00:05.000Z',
    });
  });

  it('answers an optional field billing left out as null, never absent', () => {
    const sparse: Partial<InvoiceV1> = Object.assign({}, invoice, { lines: [] });
    delete sparse.stripeInvoiceId;
    delete sparse.paidAt;
    const resource = invoiceResourceOf(sparse as unknown as InvoiceV1);
    expect(resource.stripe_invoice_id).toBeNull();
    expect(resource.paid_at).toBeNull();
    expect(resource.lines).toEqual([]);
  });
});

describe(invoiceRunResourceOf.name, () => {
  it('gathers the counts under progress, total null until every customer is listed', () => {
    const run: InvoiceRunV1 = {
      id: 'run_1',
      billingPeriod: '2026-03',
      status: 'running',
      total: null,
      done: 2,
      failed: 1,
      failures: [{ customerId: 'cust_b', reason: 'no_pricing: api_call has no pricing' }],
      createdAt: '2026-04-01T00:00:00.000Z',
      completedAt: null,
    };
    expect(invoiceRunResourceOf(run)).toStrictEqual({
      id: 'run_1',
      object: 'invoice_run',
      billing_period: '2026-03',
      status: 'running',
      progress: { total: null, done: 2, failed: 1 },
      failures: [{ customer_id: 'cust_b', reason: 'no_pricing: api_call has no pricing' }],
      created_at: '2026-04-01T00:00:00.000Z',
      completed_at: null,
    });
  });
});
