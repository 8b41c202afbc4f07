import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
    assert.equal(
      transactionStatusOf(sources({ paymentIntentStatus: 'requires_confirmation' })),
      'pending',
    );
    assert.equal(
      transactionStatusOf(sources({ paymentIntentStatus: 'requires_payment_method' })),
      'pending',
    );
    assert.equal(
      transactionStatusOf(sources({ paymentIntentStatus: 'requires_capture' })),
      'pending',
    );
    assert.equal(transactionStatusOf(sources({ paymentIntentStatus: 'processing' })), 'processing');
    assert.equal(transactionStatusOf(sources({ paymentIntentStatus: 'succeeded' })), 'succeeded');
  });

  it('calls an intent back at requires_payment_method after an attempt failed', () => {
    assert.equal(
      transactionStatusOf(
        sources({ paymentIntentStatus: 'requires_payment_method', stripeChargeId: 'ch_1' }),
      ),
      'failed',
    );
  });

  it('lets the charge decide once it is known', () => {
    const known = { paymentIntentStatus: 'requires_payment_method', stripeChargeId: 'ch_1' };
    assert.equal(
      transactionStatusOf(sources({ ...known, chargeStatus: 'failed', chargeCaptured: false })),
      'failed',
    );
    assert.equal(
      transactionStatusOf(sources({ ...known, chargeStatus: 'pending', chargeCaptured: false })),
      'processing',
    );
    assert.equal(
      transactionStatusOf(
        sources({ stripeChargeId: 'ch_1', chargeStatus: 'succeeded', chargeCaptured: true }),
      ),
      'succeeded',
    );
  });

  it('tells a full refund from a partial one by the refunded amount', () => {
    const paid = { stripeChargeId: 'ch_1', chargeStatus: 'succeeded', chargeCaptured: true };
    assert.equal(
      transactionStatusOf(sources({ ...paid, amountRefundedCents: 500 })),
      'partially_refunded',
    );
    assert.equal(transactionStatusOf(sources({ ...paid, amountRefundedCents: 2_000 })), 'refunded');
  });

  it('keeps an authorization that is not captured pending', () => {
    assert.equal(
      transactionStatusOf(
        sources({
          paymentIntentStatus: 'requires_capture',
          stripeChargeId: 'ch_1',
          chargeStatus: 'succeeded',
          chargeCaptured: false,
        }),
      ),
      'pending',
    );
  });

  it('calls a canceled intent cancelled, whatever its charge did', () => {
    assert.equal(transactionStatusOf(sources({ paymentIntentStatus: 'canceled' })), 'cancelled');
    assert.equal(
      transactionStatusOf(
        sources({
          paymentIntentStatus: 'canceled',
          stripeChargeId: 'ch_1',
          chargeStatus: 'succeeded',
          chargeCaptured: false,
          amountRefundedCents: 2_000,
        }),
      ),
      'cancelled',
    );
  });
});

describe(chargeAmounts.name, () => {
  it('mirrors what was charged and refunded', () => {
    assert.deepEqual(chargeAmounts(charge({ amount_refunded: 700 })), {
      amountCents: 2_000,
      amountRefundedCents: 700,
    });
  });

  it('counts a partial capture as the captured amount, its released rest as no refund', () => {
    assert.deepEqual(
      chargeAmounts(charge({ amount: 2_000, amount_captured: 1_500, amount_refunded: 500 })),
      { amountCents: 1_500, amountRefundedCents: 0 },
    );
    assert.deepEqual(
      chargeAmounts(charge({ amount: 2_000, amount_captured: 1_500, amount_refunded: 800 })),
      { amountCents: 1_500, amountRefundedCents: 300 },
    );
  });

  it('refunds nothing of an authorization not captured', () => {
    assert.deepEqual(chargeAmounts(charge({ captured: false, amount_captured: 0 })), {
      amountCents: 2_000,
      amountRefundedCents: 0,
    });
  });
});

describe('a payment fed by its intent and its charge', () => {
  it('takes amount and details from the intent until the charge is known', () => {
    const payment = withPaymentIntent(null, intent({ status: 'requires_confirmation' }));
    assert.equal(payment.stripePaymentIntentId, 'pi_1');
    assert.equal(payment.stripeChargeId, null);
    assert.equal(payment.amountCents, 2_000);
    assert.equal(payment.description, 'Order 17');
    assert.equal(payment.stripeCreatedAt.getTime(), 1_700_000_000_000);
    assert.equal(transactionStatusOf(payment), 'pending');
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
    assert.deepEqual(chargeFirst, intentFirst);
    assert.equal(intentFirst.stripeChargeId, 'ch_1');
    assert.equal(intentFirst.description, 'Order 17, refunded');
    assert.equal(intentFirst.stripeCreatedAt.getTime(), 1_700_000_000_000);
    assert.equal(transactionStatusOf(intentFirst), 'refunded');
  });

  it('keeps the mirrored charge when the intent names another one (the caller asks Stripe)', () => {
    const payment = withPaymentIntent(
      withCharge(null, charge({ id: 'ch_2' })),
      intent({ status: 'requires_payment_method', latest_charge: 'ch_1' }),
    );
    assert.equal(payment.stripeChargeId, 'ch_2');
    assert.equal(payment.amountCents, 2_000);
  });

  it('keeps the customer it knows when a later state names none', () => {
    const payment = withCharge(
      withPaymentIntent(null, intent({ customer: 'cus_9' })),
      charge({ customer: null }),
    );
    assert.equal(payment.stripeCustomerId, 'cus_9');
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
    assert.equal(period.billingPeriodStart.getTime(), 1_500_000);
    assert.equal(period.billingPeriodEnd.getTime(), 3_000_000);
  });

  it('falls back to the invoice’s own period without lines', () => {
    const period = billingPeriodOf({ period_start: 100, period_end: 200, lines: lines([]) });
    assert.equal(period.billingPeriodStart.getTime(), 100_000);
    assert.equal(period.billingPeriodEnd.getTime(), 200_000);
  });

  it('attaches the invoice id and period to the payment and changes nothing else', () => {
    const paid = withPaymentIntent(null, intent({ status: 'succeeded' }));
    const attached = withInvoice(paid, {
      id: 'in_1',
      period_start: 100,
      period_end: 200,
      lines: lines([]),
    });
    assert.deepEqual(
      { ...attached, stripeInvoiceId: null, billingPeriodStart: null, billingPeriodEnd: null },
      paid,
    );
    assert.equal(attached.stripeInvoiceId, 'in_1');
  });

  it('names each payment attempt once, oldest first, by intent or by charge', () => {
    const payment = (
      created: number,
      payment: Stripe.InvoicePayment['payment'],
    ): Stripe.InvoicePayment => ({ created, payment }) as Stripe.InvoicePayment;
    assert.deepEqual(
      paymentRefsOf([
        payment(30, { type: 'payment_intent', payment_intent: 'pi_b' }),
        payment(10, { type: 'payment_intent', payment_intent: 'pi_a' }),
        payment(20, { type: 'charge', charge: 'ch_c' }),
        payment(40, { type: 'payment_intent', payment_intent: 'pi_a' }),
        payment(50, { type: 'payment_record', payment_record: 'pr_d' }),
      ]),
      [
        { kind: 'payment_intent', id: 'pi_a' },
        { kind: 'charge', id: 'ch_c' },
        { kind: 'payment_intent', id: 'pi_b' },
      ],
    );
  });
});
