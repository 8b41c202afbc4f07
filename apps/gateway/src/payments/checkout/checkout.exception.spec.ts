import { describe, expect, it } from '@jest/globals';
import { RpcRemoteError } from '@aegis/messaging';
import { DomainException, InvalidInputException } from '@aegis/platform';
import { checkoutErrorOf } from './checkout.exception.js';

function remote(
  code: string,
  status: number,
  fields: { field: string; message: string }[] = [],
): RpcRemoteError {
  return new RpcRemoteError(
    'billing.checkout.create.v1',
    code,
    status,
    `billing says ${code}`,
    fields,
  );
}

describe(checkoutErrorOf.name, () => {
  it('answers billing’s codes with the contract’s statuses', () => {
    for (const [code, status] of [
      ['plan_not_found', 404],
      ['product_not_found', 404],
      ['product_archived', 409],
      ['no_pricing', 409],
      ['stripe_refused', 502],
      ['stripe_unavailable', 503],
    ] as const) {
      const mapped = checkoutErrorOf(remote(code, 500));
      expect(mapped).toBeInstanceOf(DomainException);
      expect(mapped).toMatchObject({ code, status });
    }
  });

  it('names fields as the body does, and says not found in the gateway’s own words', () => {
    const invalid = checkoutErrorOf(
      remote('invalid_checkout', 400, [{ field: 'planId', message: 'is a one-time price' }]),
    );
    expect(invalid).toBeInstanceOf(InvalidInputException);
    expect((invalid as InvalidInputException).fieldErrors).toEqual([
      { field: 'plan_id', message: 'is a one-time price' },
    ]);
    expect(
      checkoutErrorOf(remote('checkout_not_found', 404), { checkoutId: 'chk_x' }),
    ).toMatchObject({ message: 'no checkout chk_x', status: 404 });
    expect(
      checkoutErrorOf(remote('customer_not_found', 404), { customerId: 'cust_x' }),
    ).toMatchObject({ message: 'no customer cust_x', status: 404 });
    const unknown = remote('something_else', 500);
    expect(checkoutErrorOf(unknown)).toBe(unknown);
  });
});
