import { describe, expect, it } from '@jest/globals';
import { RpcRemoteError } from '@aegis/messaging';
import { InvalidInputException } from '@aegis/platform';
import { LedgerException, ledgerErrorOf, publicLedgerFieldOf } from './ledger.exception.js';

const remote = (
  code: string,
  status: number,
  message = 'billing says no',
  fields: { field: string; message: string }[] = [],
): RpcRemoteError => new RpcRemoteError('billing.refund.create.v1', code, status, message, fields);

describe(ledgerErrorOf.name, () => {
  it('answers each code of the contract with its status, whatever status billing sent', () => {
    const expected: [string, number][] = [
      ['transaction_not_found', 404],
      ['refund_exceeds_remaining', 409],
      ['not_refundable', 409],
      ['stripe_refused', 502],
      ['stripe_unavailable', 503],
    ];
    for (const [code, status] of expected) {
      const mapped = ledgerErrorOf(remote(code, 500, `${code} happened`));
      expect(mapped).toBeInstanceOf(LedgerException);
      expect(mapped).toMatchObject({ code, status, message: `${code} happened` });
    }
  });

  it('keeps billing’s words for what is left, and its own for a transaction not found', () => {
    expect(
      ledgerErrorOf(remote('refund_exceeds_remaining', 409, '1500 usd is left to refund')),
    ).toMatchObject({ status: 409, message: '1500 usd is left to refund' });
    expect(
      ledgerErrorOf(remote('transaction_not_found', 404, 'it is cust_b’s'), {
        transactionId: 't_1',
      }),
    ).toMatchObject({ status: 404, message: 'no transaction t_1' });
    expect(
      ledgerErrorOf(remote('customer_not_found', 404), { customerId: 'cust_x' }),
    ).toMatchObject({ code: 'customer_not_found', status: 404, message: 'no customer cust_x' });
  });

  it('names fields at fault as the body names them', () => {
    const mapped = ledgerErrorOf(
      remote('invalid_refund', 400, 'bad', [
        { field: 'amount', message: 'too much' },
        { field: 'startDate', message: 'not a date' },
      ]),
    );
    expect(mapped).toBeInstanceOf(InvalidInputException);
    expect((mapped as InvalidInputException).fieldErrors).toEqual([
      { field: 'amount_cents', message: 'too much' },
      { field: 'start_date', message: 'not a date' },
    ]);
    expect(publicLedgerFieldOf('transactionId')).toBe('transaction_id');
  });

  it('passes anything else on as it came', () => {
    const unknown = remote('something_else', 418);
    expect(ledgerErrorOf(unknown)).toBe(unknown);
    const plain = new Error('timeout');
    expect(ledgerErrorOf(plain)).toBe(plain);
  });
});
