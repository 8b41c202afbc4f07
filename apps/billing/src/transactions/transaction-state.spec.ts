import { describe, it, expect } from '@jest/globals';
import type Stripe from 'stripe';
import {
  billingPeriodOf,
  chargeAmounts,
  paymentRefsOf,
  transactionStatusOf,
  withCharge,
  withInvoice,
  withPaymentIntent,
  type StatusSources,
} from './transaction-state.js';

// Only the fields the mirror reads; the rest of Stripe's objects does not matter here.
function intent(fields: Partial<Stripe.PaymentIntent>): Stripe.PaymentIntent {
  return {
    id: 'pi_1',
    object: 'payment_intent',
    amount: 2_000,
    currency: 'usd',
    customer: 'cus_1',
    description: 'Order 17',
    metadata: { order: '17' },
    latest_charge: null,
    status: 'requires_confirmation',
    created: 1_700_000_000,
    ...fields,
  } as Stripe.PaymentIntent;
}

function charge(fields: Partial<Stripe.Charge>): Stripe.Charge {
  return {
    id: 'ch_1',
    object: 'charge',
    amount: 2_000,
    amount_captured: 2_000,
    amount_refunded: 0,
    captured: true,
    currency: 'usd',
    customer: 'cus_1',
    description: 'Order 17',
    metadata: { order: '17' },
    payment_intent: 'pi_1',
    status: 'succeeded',
    created: 1_700_000_005,
    ...fields,
  } as Stripe.Charge;
}

function sources(fields: Partial<StatusSources>): StatusSources {
  return {
    paymentIntentStatus: null,
    chargeStatus: null,
    chargeCaptured: null,
    stripeChargeId: null,
    amountCents: 2_000,
    amountRefundedCents: 0,
    ...fields,
  };
}

describe(transactionStatusOf.name, () => {
  it('follows the intent while its charge is unknown', () => {
    expect(transactionStatusOf(sources({ paymentIntentStatus: 'requires_confirmation' }))).toBe(
      'pending',
    );
    expect(transactionStatusOf(sources({ paymentIntentStatus: 'requires_payment_method' }))).toBe(
      'pending',
    );
    expect(transactionStatusOf(sources({ paymentIntentStatus: 'requires_capture' }))).toBe(
      'pending',
    );
    expect(transactionStatusOf(sources({ paymentIntentStatus: 'processing' }))).toBe('processing');
    expect(transactionStatusOf(sources({ paymentIntentStatus: 'succeeded' }))).toBe('succeeded');
  });

  it('calls an intent back at requires_payment_method after an attempt failed', () => {
    expect(
      transactionStatusOf(
        sources({ paymentIntentStatus: 'requires_payment_method', stripeChargeId: 'ch_1' }),
      ),
    ).toBe('failed');
  });

  it('lets the charge decide once it is known', () => {
    const known = { paymentIntentStatus: 'requires_payment_method', stripeChargeId: 'ch_1' };
    expect(
      transactionStatusOf(sources({ ...known, chargeStatus: 'failed', chargeCaptured: false })),
    ).toBe('failed');
    expect(
      transactionStatusOf(sources({ ...known, chargeStatus: 'pending', chargeCaptured: false })),
    ).toBe('processing');
    expect(
      transactionStatusOf(
        sources({ stripeChargeId: 'ch_1', chargeStatus: 'succeeded', chargeCaptured: true }),
      ),
    ).toBe('succeeded');
  });

  it('tells a full refund from a partial one by the refunded amount', () => {
    const paid = { stripeChargeId: 'ch_1', chargeStatus: 'succeeded', chargeCaptured: true };
    expect(transactionStatusOf(sources({ ...paid, amountRefundedCents: 500 }))).toBe(
      'partially_refunded',
    );
    expect(transactionStatusOf(sources({ ...paid, amountRefundedCents: 2_000 }))).toBe('refunded');
  });

  it('keeps an authorization that is not captured pending', () => {
    expect(
      transactionStatusOf(
        sources({
          paymentIntentStatus: 'requires_capture',
          stripeChargeId: 'ch_1',
          chargeStatus: 'succeeded',
          chargeCaptured: false,
        }),
      ),
    ).toBe('pending');
  });

  it('calls a canceled intent cancelled, whatever its charge did', () => {
    expect(transactionStatusOf(sources({ paymentIntentStatus: 'canceled' }))).toBe('cancelled');
    expect(
      transactionStatusOf(
        sources({
          paymentIntentStatus: 'canceled',
          stripeChargeId: 'ch_1',
          chargeStatus: 'succeeded',
          chargeCaptured: false,
          amountRefundedCents: 2_000,
        }),
      ),
    ).toBe('cancelled');
  });
});

describe(chargeAmounts.name, () => {
  it('mirrors what was charged and refunded', () => {
    expect(chargeAmounts(charge({ amount_refunded: 700 }))).toStrictEqual({
      amountCents: 2_000,
      amountRefundedCents: 700,
    });
  });

  it('counts a partial capture as the captured amount, its released rest as no refund', () => {
    expect(
      chargeAmounts(charge({ amount: 2_000, amount_captured: 1_500, amount_refunded: 500 })),
    ).toStrictEqual({ amountCents: 1_500, amountRefundedCents: 0 });
    expect(
      chargeAmounts(charge({ amount: 2_000, amount_captured: 1_500, amount_refunded: 800 })),
    ).toStrictEqual({ amountCents: 1_500, amountRefundedCents: 300 });
  });

  it('refunds nothing of an authorization not captured', () => {
    expect(chargeAmounts(charge({ captured: false, amount_captured: 0 }))).toStrictEqual({
      amountCents: 2_000,
      amountRefundedCents: 0,
    });
  });
});

describe('a payment fed by its intent and its charge', () => {
  it('takes amount and details from the intent until the charge is known', () => {
    const payment = withPaymentIntent(null, intent({ status: 'requires_confirmation' }));
    expect(payment.stripePaymentIntentId).toBe('pi_1');
    expect(payment.stripeChargeId).toBe(null);
    expect(payment.amountCents).toBe(2_000);
    expect(payment.description).toBe('Order 17');
    expect(payment.stripeCreatedAt.getTime()).toBe(1_700_000_000_000);
    expect(transactionStatusOf(payment)).toBe('pending');
  });

  it('fills the intent’s row with its charge, in either order', () => {
    const intentFirst = withCharge(
      withPaymentIntent(null, intent({ status: 'succeeded', latest_charge: 'ch_1' })),
      charge({ amount_refunded: 2_000, description: 'Order 17, refunded' }),
    );
    const chargeFirst = withPaymentIntent(
      withCharge(null, charge({ amount_refunded: 2_000, description: 'Order 17, refunded' })),
      intent({ status: 'succeeded', latest_charge: 'ch_1' }),
    );
    expect(chargeFirst).toStrictEqual(intentFirst);
    expect(intentFirst.stripeChargeId).toBe('ch_1');
    expect(intentFirst.description).toBe('Order 17, refunded');
    expect(intentFirst.stripeCreatedAt.getTime()).toBe(1_700_000_000_000);
    expect(transactionStatusOf(intentFirst)).toBe('refunded');
  });

  it('keeps the mirrored charge when the intent names another one (the caller asks Stripe)', () => {
    const payment = withPaymentIntent(
      withCharge(null, charge({ id: 'ch_2' })),
      intent({ status: 'requires_payment_method', latest_charge: 'ch_1' }),
    );
    expect(payment.stripeChargeId).toBe('ch_2');
    expect(payment.amountCents).toBe(2_000);
  });

  it('says why a declined payment failed: the intent’s error, then its failed charge’s decline code', () => {
    const declined = intent({
      status: 'requires_payment_method',
      latest_charge: 'ch_1',
      last_payment_error: {
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'insufficient_funds',
        message: 'Your card has insufficient funds.',
      },
    });
    const fromIntent = withPaymentIntent(null, declined);
    expect(fromIntent).toMatchObject({
      failureCode: 'insufficient_funds',
      failureMessage: 'Your card has insufficient funds.',
    });
    const failedCharge = charge({
      status: 'failed',
      failure_code: 'card_declined',
      failure_message: 'Your card was declined.',
      outcome: { reason: 'generic_decline' } as Stripe.Charge.Outcome,
    });
    expect(withCharge(fromIntent, failedCharge)).toMatchObject({
      failureCode: 'generic_decline',
      failureMessage: 'Your card was declined.',
    });
    // Without a decline code, Stripe's failure code.
    expect(
      withCharge(null, charge({ status: 'failed', failure_code: 'expired_card', outcome: null })),
    ).toMatchObject({ failureCode: 'expired_card', failureMessage: null });
    // A retry that succeeds clears it, whichever object says so first.
    const retried = withPaymentIntent(
      fromIntent,
      intent({ status: 'succeeded', latest_charge: 'ch_2', last_payment_error: null }),
    );
    expect(retried).toMatchObject({ failureCode: null, failureMessage: null });
    expect(
      withCharge(withCharge(null, failedCharge), charge({ id: 'ch_2', status: 'succeeded' })),
    ).toMatchObject({ failureCode: null, failureMessage: null });
  });

  it('keeps the customer it knows when a later state names none', () => {
    const payment = withCharge(
      withPaymentIntent(null, intent({ customer: 'cus_9' })),
      charge({ customer: null }),
    );
    expect(payment.stripeCustomerId).toBe('cus_9');
  });
});

describe('a payment of an invoice', () => {
  const lines = (periods: { start: number; end: number }[]): Stripe.Invoice['lines'] =>
    ({ data: periods.map((period) => ({ period })) }) as Stripe.Invoice['lines'];

  it('bills the span of the invoice lines’ periods', () => {
    const period = billingPeriodOf({
      period_start: 100,
      period_end: 100,
      lines: lines([
        { start: 2_000, end: 3_000 },
        { start: 1_500, end: 2_000 },
      ]),
    });
    expect(period.billingPeriodStart.getTime()).toBe(1_500_000);
    expect(period.billingPeriodEnd.getTime()).toBe(3_000_000);
  });

  it('falls back to the invoice’s own period without lines', () => {
    const period = billingPeriodOf({ period_start: 100, period_end: 200, lines: lines([]) });
    expect(period.billingPeriodStart.getTime()).toBe(100_000);
    expect(period.billingPeriodEnd.getTime()).toBe(200_000);
  });

  it('attaches the invoice id and period to the payment and changes nothing else', () => {
    const paid = withPaymentIntent(null, intent({ status: 'succeeded' }));
    const attached = withInvoice(paid, {
      id: 'in_1',
      period_start: 100,
      period_end: 200,
      lines: lines([]),
    });
    expect({
      ...attached,
      stripeInvoiceId: null,
      billingPeriodStart: null,
      billingPeriodEnd: null,
    }).toStrictEqual(paid);
    expect(attached.stripeInvoiceId).toBe('in_1');
  });

  it('names each payment attempt once, oldest first, by intent or by charge', () => {
    const payment = (
      created: number,
      payment: Stripe.InvoicePayment['payment'],
    ): Stripe.InvoicePayment => ({ created, payment }) as Stripe.InvoicePayment;
    expect(
      paymentRefsOf([
        payment(30, { type: 'payment_intent', payment_intent: 'pi_b' }),
        payment(10, { type: 'payment_intent', payment_intent: 'pi_a' }),
        payment(20, { type: 'charge', charge: 'ch_c' }),
        payment(40, { type: 'payment_intent', payment_intent: 'pi_a' }),
        payment(50, { type: 'payment_record', payment_record: 'pr_d' }),
      ]),
    ).toStrictEqual([
      { kind: 'payment_intent', id: 'pi_a' },
      { kind: 'charge', id: 'ch_c' },
      { kind: 'payment_intent', id: 'pi_b' },
    ]);
  });
});
