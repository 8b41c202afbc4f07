import { describe, expect, it } from '@jest/globals';
import { defined, rejectionOf, waitFor } from '@aegis/testing';
import Stripe from 'stripe';
import { idOf } from '../src/core/ids.js';
import { useSandbox } from './sandbox-harness.js';

const CARDS_ONLY = {
  allowed_payment_method_types: ['card'],
} satisfies Partial<Stripe.PaymentIntentCreateParams>;

/** The balance's entries as `{currency: amount}`. */
function byCurrency(
  entries: readonly { amount: number; currency: string }[],
): Record<string, number> {
  return Object.fromEntries(entries.map(({ currency, amount }) => [currency, amount]));
}

describe('sandbox GET /v1/balance', () => {
  const { sandbox, stripe } = useSandbox();

  async function pay(
    amount: number,
    currency: string,
    extra: Partial<Stripe.PaymentIntentCreateParams> = {},
  ): Promise<Stripe.PaymentIntent> {
    return stripe.paymentIntents.create({
      amount,
      currency,
      payment_method: 'pm_card_visa',
      confirm: true,
      ...CARDS_ONLY,
      ...extra,
    });
  }

  it('answers a new account with Stripe’s Balance object: zero in usd, available and pending, not livemode', async () => {
    const balance = await stripe.balance.retrieve();
    expect(balance).toStrictEqual({
      object: 'balance',
      available: [{ amount: 0, currency: 'usd', source_types: { card: 0 } }],
      livemode: false,
      pending: [{ amount: 0, currency: 'usd', source_types: { card: 0 } }],
    });
  });

  it('is an authenticated call: without a test-mode key it is Stripe’s 401', async () => {
    const response = await fetch(`${sandbox.url}/v1/balance`);
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: { type: string } };
    expect(body.error.type).toBe('invalid_request_error');
    const live = new Stripe('sk_live_not_here', {
      host: '127.0.0.1',
      port: Number(new URL(sandbox.url).port),
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    const refused = await rejectionOf(live.balance.retrieve(), Stripe.errors.StripeError);
    expect(refused.statusCode).toBe(401);
  });

  it('refuses parameters the endpoint does not take, as Stripe does', async () => {
    const refused = await rejectionOf(
      stripe.balance.retrieve({ currency: 'usd' } as Stripe.BalanceRetrieveParams),
      Stripe.errors.StripeError,
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.message).toContain('currency');
  });

  it('adds succeeded charges less their refunds per currency; authorizations and declines add nothing; a dispute withdraws its amount', async () => {
    await pay(2000, 'usd');
    const refundedInPart = await pay(3000, 'usd');
    await stripe.refunds.create({ payment_intent: refundedInPart.id, amount: 700 });
    await pay(1500, 'eur');
    // Authorized only, then captured in part: only what was captured counts.
    const authorized = await pay(5000, 'gbp', { capture_method: 'manual' });
    expect(authorized.status).toBe('requires_capture');
    expect(byCurrency((await stripe.balance.retrieve()).available)).toStrictEqual({
      eur: 1500,
      gbp: 0,
      usd: 4300,
    });
    await stripe.paymentIntents.capture(authorized.id, { amount_to_capture: 1200 });
    const declined = await rejectionOf(
      pay(9999, 'usd', { payment_method: 'pm_card_chargeDeclined' }),
      Stripe.errors.StripeError,
    );
    expect(declined.statusCode).toBe(402);

    const balance = await stripe.balance.retrieve();
    expect(balance.object).toBe('balance');
    expect(balance.livemode).toBe(false);
    expect(byCurrency(balance.available)).toStrictEqual({ eur: 1500, gbp: 1200, usd: 4300 });
    expect(balance.available.map(({ currency }) => currency)).toStrictEqual(['eur', 'gbp', 'usd']);
    for (const entry of balance.available)
      expect(entry.source_types).toStrictEqual({ card: entry.amount });
    expect(byCurrency(balance.pending)).toStrictEqual({ eur: 0, gbp: 0, usd: 0 });

    const disputed = await pay(4000, 'usd', { payment_method: 'pm_card_createDispute' });
    const chargeId = defined(idOf(disputed.latest_charge), 'the disputed charge');
    const disputes = await waitFor(
      () => stripe.disputes.list({ charge: chargeId }),
      (list) => list.data.length === 1,
      { timeoutMs: 10_000, what: `a dispute of ${chargeId}` },
    );
    const dispute = defined(disputes.data[0], 'the dispute');
    // The disputed charge added 4000 and its dispute took 4000 out again.
    expect(byCurrency((await stripe.balance.retrieve()).available).usd).toBe(4300);
    await stripe.disputes.close(dispute.id);
    expect((await stripe.disputes.retrieve(dispute.id)).status).toBe('lost');
    expect(byCurrency((await stripe.balance.retrieve()).available).usd).toBe(4300);
    // A refund of the rest of a charge takes the rest.
    await stripe.refunds.create({ payment_intent: refundedInPart.id });
    expect(byCurrency((await stripe.balance.retrieve()).available).usd).toBe(2000);
  });
});
