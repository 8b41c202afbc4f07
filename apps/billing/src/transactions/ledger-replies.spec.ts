import { describe, expect, it } from '@jest/globals';
import { planOf, productOf } from './ledger-replies.js';

describe(productOf.name, () => {
  it('takes the product the payment’s metadata names first', () => {
    expect(
      productOf(
        { metadata: { aegis_product_id: 'geoint_report' } },
        { invoiceId: 'inv_1', productIds: ['api_call'] },
      ),
    ).toBe('geoint_report');
    expect(productOf({ metadata: { product_id: 'api_call' } }, undefined)).toBe('api_call');
  });

  it('else the product of our checkout it came from', () => {
    expect(
      productOf(
        { metadata: {} },
        { invoiceId: 'inv_1', productIds: ['api_call'] },
        { productId: 'geoint_report', planId: null },
      ),
    ).toBe('geoint_report');
  });

  it('else the one product its invoice’s lines price', () => {
    expect(productOf({ metadata: {} }, { invoiceId: 'inv_1', productIds: ['api_call'] })).toBe(
      'api_call',
    );
  });

  it('is null for an invoice of several products, or when nothing names one', () => {
    expect(
      productOf({ metadata: {} }, { invoiceId: 'inv_1', productIds: ['api_call', 'geoint'] }),
    ).toBeNull();
    expect(productOf({ metadata: {} }, { invoiceId: 'inv_1', productIds: [] })).toBeNull();
    expect(productOf({ metadata: { aegis_product_id: '' } }, undefined)).toBeNull();
  });
});

describe(planOf.name, () => {
  it('is the plan the metadata names, else null', () => {
    expect(planOf({ metadata: { aegis_plan_id: 'analyst' } })).toBe('analyst');
    expect(planOf({ metadata: { plan_id: 'junior' } })).toBe('junior');
    expect(planOf({ metadata: {} })).toBeNull();
    expect(planOf({ metadata: {} }, { productId: null, planId: 'lead' })).toBe('lead');
  });
});
