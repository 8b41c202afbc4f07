import { describe, expect, it } from '@jest/globals';
import { RpcRemoteError } from '@aegis/messaging';
import { DomainException, InvalidInputException } from '@aegis/platform';
import { subscriptionErrorOf } from './subscriptions.exception.js';

function remote(
  code: string,
  status: number,
  fields: { field: string; message: string }[] = [],
): RpcRemoteError {
  return new RpcRemoteError(
    'subscriptions.subscription.create.v1',
    code,
    status,
    `subscriptions says ${code}`,
    fields,
  );
}

describe(subscriptionErrorOf.name, () => {
  it('answers the service’s codes with the contract’s statuses, whatever status it sent', () => {
    for (const [code, status] of [
      ['plan_not_found', 404],
      ['subscription_not_found', 404],
      ['subscription_exists', 409],
      ['subscription_ended', 409],
      ['invalid_subscription_state', 409],
      ['stripe_refused', 502],
      ['stripe_unavailable', 503],
    ] as const) {
      const mapped = subscriptionErrorOf(remote(code, 500));
      expect(mapped).toBeInstanceOf(DomainException);
      expect(mapped).toMatchObject({ code, status, message: `subscriptions says ${code}` });
    }
  });

  it('names the fields at fault as the body and path name them', () => {
    const invalid = subscriptionErrorOf(
      remote('invalid_subscription', 400, [
        { field: 'priceCents', message: 'only the principal plan takes a price' },
        { field: 'billingInterval', message: 'is not offered' },
        { field: 'subscriptionId', message: 'must be a subscription id' },
      ]),
    );
    expect(invalid).toBeInstanceOf(InvalidInputException);
    expect((invalid as InvalidInputException).fieldErrors).toEqual([
      { field: 'price_cents', message: 'only the principal plan takes a price' },
      { field: 'billing_interval', message: 'is not offered' },
      { field: 'id', message: 'must be a subscription id' },
    ]);
  });

  it('says not found in the gateway’s own words, so another customer’s is answered alike', () => {
    expect(
      subscriptionErrorOf(remote('subscription_not_found', 404), { subscriptionId: 'sub-x' }),
    ).toMatchObject({ message: 'no subscription sub-x', status: 404 });
    expect(
      subscriptionErrorOf(remote('subscription_not_found', 404), {
        customerId: 'cust_x',
        live: true,
      }),
    ).toMatchObject({ message: 'customer cust_x has no live subscription', status: 404 });
    expect(
      subscriptionErrorOf(remote('customer_not_found', 404), { customerId: 'cust_x' }),
    ).toMatchObject({ code: 'customer_not_found', message: 'no customer cust_x', status: 404 });
  });

  it('leaves anything else as it came', () => {
    const unknown = remote('something_else', 500);
    expect(subscriptionErrorOf(unknown)).toBe(unknown);
    const elsewhere = new Error('no reply');
    expect(subscriptionErrorOf(elsewhere)).toBe(elsewhere);
    const customerless = remote('customer_not_found', 404);
    expect(subscriptionErrorOf(customerless)).toBe(customerless);
  });
});
