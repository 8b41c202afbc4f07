import { describe, expect, it } from '@jest/globals';
import type { CustomerV1, LedgerTransactionV1, UsagePeriodReplyV1 } from '@aegis/contracts';
import { evidenceDraftOf } from './evidence-draft.js';

const customer = { name: 'Ada Lovelace', email: 'ada@example.com' } as CustomerV1;
const transaction = {
  id: '6f1c0c64-0d5c-4b7e-9b6a-2f0c3a5b8d11',
  amount: 99_900,
  currency: 'usd',
  description: 'GEOINT report',
  productId: 'geoint_report',
  planId: null,
  invoiceId: null,
  stripeInvoiceId: 'in_123',
  stripeChargeId: 'ch_123',
  billingPeriodStart: null,
  billingPeriodEnd: null,
  createdAt: '2026-11-05T10:00:00.000Z',
} as unknown as LedgerTransactionV1;
const usage = {
  customerId: 'cust_ada',
  from: '2026-11-01T00:00:00.000Z',
  to: '2026-12-01T00:00:00.000Z',
  products: [
    {
      productId: 'api_call',
      aggregation: 'count',
      value: '12',
      eventCount: 12,
      firstEventAt: '2026-11-02T08:00:00.000Z',
      lastEventAt: '2026-11-29T18:00:00.000Z',
    },
    {
      productId: 'agent_hours',
      aggregation: 'sum',
      value: '3.5',
      eventCount: 2,
      firstEventAt: '2026-11-01T09:00:00.000Z',
      lastEventAt: '2026-11-03T09:00:00.000Z',
    },
    {
      productId: 'unused',
      aggregation: 'sum',
      value: '0',
      eventCount: 0,
      firstEventAt: null,
      lastEventAt: null,
    },
  ],
} as unknown as UsagePeriodReplyV1;

describe('the evidence draft', () => {
  it('is assembled from the customer, the payment, the invoice, the receipt, the usage and the refund policy', () => {
    const draft = evidenceDraftOf({
      customer,
      transaction,
      receiptUrl: 'https://pay.stripe.com/receipts/x',
      usage,
      refundPolicy: 'Refunds within 30 days.',
    });
    expect(draft).toMatchObject({
      customer_name: 'Ada Lovelace',
      customer_email_address: 'ada@example.com',
      product_description: 'GEOINT report',
      service_date: '2026-11-05',
      refund_policy_disclosure: 'Refunds within 30 days.',
    });
    expect(draft.access_activity_log).toContain('14 recorded calls');
    expect(draft.access_activity_log).toContain('First use: 2026-11-01T09:00:00.000Z.');
    expect(draft.access_activity_log).toContain('Last use: 2026-11-29T18:00:00.000Z.');
    expect(draft.access_activity_log).not.toContain('unused');
    expect(draft.uncategorized_text).toContain('Payment ch_123 of 99900 usd');
    expect(draft.uncategorized_text).toContain('Invoice in_123');
    expect(draft.uncategorized_text).toContain('Receipt: https://pay.stripe.com/receipts/x');
  });

  it('leaves out what nobody could tell', () => {
    expect(
      evidenceDraftOf({
        customer: null,
        transaction: null,
        receiptUrl: null,
        usage: null,
        refundPolicy: null,
      }),
    ).toEqual({});
  });
});
