import { describe, expect, it } from '@jest/globals';
import { RpcRemoteError } from '@aegis/messaging';
import { InvalidInputException, isDomainException } from '@aegis/platform';
import {
  InvoicesException,
  InvoicesExceptionCode,
  invoiceErrorOf,
  publicFieldOf,
} from './invoices.exception.js';

const remote = (
  code: string,
  status: number,
  message = 'billing says no',
  fields: { field: string; message: string }[] = [],
): RpcRemoteError => new RpcRemoteError('billing.invoice.create.v1', code, status, message, fields);

describe(invoiceErrorOf.name, () => {
  it('answers each code of the contract with its status, whatever status billing sent', () => {
    const expected: [string, number][] = [
      ['invoice_not_found', 404],
      ['invoice_run_not_found', 404],
      ['invoice_state', 409],
      ['mixed_currencies', 409],
      ['no_pricing', 409],
      ['stripe_refused', 502],
      ['stripe_unavailable', 503],
    ];
    for (const [code, status] of expected) {
      const mapped = invoiceErrorOf(remote(code, 500, `${code} happened`));
      expect(mapped).toBeInstanceOf(InvoicesException);
      expect(mapped).toMatchObject({ code, status, message: `${code} happened` });
    }
  });

  it('says "not found" in its own words, so another customer’s invoice reads as a missing one', () => {
    expect(
      invoiceErrorOf(remote('invoice_not_found', 404, 'invoice inv_1 is cust_b’s'), {
        invoiceId: 'inv_1',
      }),
    ).toMatchObject({ code: 'invoice_not_found', status: 404, message: 'no invoice inv_1' });
    expect(invoiceErrorOf(remote('invoice_run_not_found', 404), { runId: 'run_1' })).toMatchObject({
      status: 404,
      message: 'no invoice run run_1',
    });
    const customer = invoiceErrorOf(remote('customer_not_found', 404), { customerId: 'cust_x' });
    expect(isDomainException(customer)).toBe(true);
    expect(customer).toMatchObject({
      code: 'customer_not_found',
      status: 404,
      message: 'no customer cust_x',
    });
  });

  it('names billing’s fields at fault as the body names them', () => {
    const mapped = invoiceErrorOf(
      remote('invalid_invoice', 400, 'bad', [
        { field: 'billingPeriod', message: 'billing_period is in the future' },
        { field: 'customer_id', message: 'unknown' },
      ]),
    );
    expect(mapped).toBeInstanceOf(InvalidInputException);
    expect((mapped as InvalidInputException).fieldErrors).toEqual([
      { field: 'billing_period', message: 'billing_period is in the future' },
      { field: 'customer_id', message: 'unknown' },
    ]);
    expect(invoiceErrorOf(remote('invalid_invoice', 400, 'bad'))).toMatchObject({
      code: InvoicesExceptionCode.INVALID_INVOICE,
      status: 400,
    });
  });

  it('leaves what is not billing’s invoice refusal as it came', () => {
    const timeout = new Error('timed out');
    expect(invoiceErrorOf(timeout)).toBe(timeout);
    const cursor = remote('invalid_starting_after', 400);
    expect(invoiceErrorOf(cursor)).toBe(cursor);
    const unknownCustomerWithoutSubject = remote('customer_not_found', 404);
    expect(invoiceErrorOf(unknownCustomerWithoutSubject)).toBe(unknownCustomerWithoutSubject);
  });
});

describe(publicFieldOf.name, () => {
  it('spells camelCase in snake_case and leaves snake_case alone', () => {
    expect(publicFieldOf('autoFinalize')).toBe('auto_finalize');
    expect(publicFieldOf('lines.0.productId')).toBe('lines.0.product_id');
    expect(publicFieldOf('billing_period')).toBe('billing_period');
  });
});
