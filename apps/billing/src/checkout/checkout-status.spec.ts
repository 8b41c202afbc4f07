import { describe, expect, it } from '@jest/globals';
import { checkoutStatusOf } from './checkout-status.js';

describe(checkoutStatusOf.name, () => {
  const complete = (payment_status: 'paid' | 'unpaid' | 'no_payment_required') =>
    ({ status: 'complete', payment_status }) as const;

  it('is paid once the session completed paid, or with nothing due', () => {
    expect(checkoutStatusOf('open', complete('paid'), 'checkout.session.completed')).toBe('paid');
    expect(
      checkoutStatusOf('open', complete('no_payment_required'), 'checkout.session.completed'),
    ).toBe('paid');
    expect(
      checkoutStatusOf('processing', complete('paid'), 'checkout.session.async_payment_succeeded'),
    ).toBe('paid');
  });

  it('is processing while a completed session’s payment is on its way, failed when it fails', () => {
    expect(checkoutStatusOf('open', complete('unpaid'), 'checkout.session.completed')).toBe(
      'processing',
    );
    expect(
      checkoutStatusOf('processing', complete('unpaid'), 'checkout.session.async_payment_failed'),
    ).toBe('payment_failed');
  });

  it('never moves backwards', () => {
    // A late completed event (or a re-fetch) after the async payment failed or succeeded.
    expect(checkoutStatusOf('payment_failed', complete('unpaid'), null)).toBe('payment_failed');
    expect(checkoutStatusOf('paid', complete('unpaid'), 'checkout.session.completed')).toBe('paid');
    // A completed checkout does not expire, nor reopen.
    const expired = { status: 'expired', payment_status: 'unpaid' } as const;
    expect(checkoutStatusOf('paid', expired, 'checkout.session.expired')).toBe('paid');
    expect(checkoutStatusOf('open', expired, 'checkout.session.expired')).toBe('expired');
    const open = { status: 'open', payment_status: 'unpaid' } as const;
    expect(checkoutStatusOf('processing', open, null)).toBe('processing');
    expect(checkoutStatusOf('expired', open, null)).toBe('expired');
  });
});
