import { describe, expect, it } from '@jest/globals';
import type Stripe from 'stripe';
import { defined, waitFor } from '@aegis/testing';
import { idOf } from '../src/core/ids.js';
import { useSandbox } from './sandbox-harness.js';

describe('sandbox refunds of the refund-failure test card (4000 0000 0000 5126)', () => {
  const { stripe, receiver } = useSandbox();

  async function paidWith(number: string, amount: number): Promise<Stripe.Charge> {
    const card = await stripe.paymentMethods.create({
      type: 'card',
      card: { number, exp_month: 12, exp_year: 2040, cvc: '123' },
    });
    const intent = await stripe.paymentIntents.create({
      amount,
      currency: 'usd',
      payment_method: card.id,
      confirm: true,
      allowed_payment_method_types: ['card'],
    });
    expect(intent.status).toBe('succeeded');
    return stripe.charges.retrieve(defined(idOf(intent.latest_charge), 'the charge'));
  }

  it('succeeds at first, then fails: the money goes back on the charge, with Stripe’s events', async () => {
    const charge = await paidWith('4000000000005126', 3_000);
    const refund = await stripe.refunds.create({ charge: charge.id, amount: 1_200 });
    expect(refund.status).toBe('succeeded');
    expect((await stripe.charges.retrieve(charge.id)).amount_refunded).toBe(1_200);

    const failed = await waitFor(
      () => stripe.refunds.retrieve(refund.id),
      (current) => current.status === 'failed',
      { what: 'the refund to fail' },
    );
    expect(failed.failure_reason).toBe('expired_or_canceled_card');
    const after = await stripe.charges.retrieve(charge.id);
    expect(after).toMatchObject({ amount_refunded: 0, refunded: false });
    expect(after.refunds?.data).toEqual([
      expect.objectContaining({ id: refund.id, status: 'failed' }),
    ]);

    const updated = (await receiver.waitForEvent(
      'charge.refund.updated',
      refund.id,
    )) as Stripe.ChargeRefundUpdatedEvent;
    expect(updated.data.object.status).toBe('failed');
    expect(updated.data.previous_attributes).toMatchObject({ status: 'succeeded' });
    const failedEvent = (await receiver.waitForEvent(
      'refund.failed',
      refund.id,
    )) as Stripe.RefundFailedEvent;
    expect(failedEvent.data.object.failure_reason).toBe('expired_or_canceled_card');
    await receiver.waitForEvent('refund.updated', refund.id);

    // What failed is left to refund again.
    const again = await stripe.refunds.create({ charge: charge.id });
    expect(again.amount).toBe(3_000);
  });

  it('leaves refunds of any other card succeeded', async () => {
    const charge = await paidWith('4242424242424242', 1_000);
    const refund = await stripe.refunds.create({ charge: charge.id });
    await receiver.waitForEvent('refund.created', refund.id);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await stripe.refunds.retrieve(refund.id)).status).toBe('succeeded');
    expect((await stripe.charges.retrieve(charge.id)).refunded).toBe(true);
  });
});
