import { describe, it, expect } from '@jest/globals';
import Stripe from 'stripe';
import { defined, rejectionOf, waitFor } from '@aegis/testing';
import { PaymentsService } from '../src/payments/payments.service.js';
import { SandboxStore } from '../src/store/sandbox-store.js';
import { useSandbox } from './sandbox-harness.js';
import { idOf } from '../src/core/ids.js';

/** Card payments confirmed on the server, without redirect-based payment methods. */
const CARDS_ONLY = {
  allowed_payment_method_types: ['card'],
} satisfies Partial<Stripe.PaymentIntentCreateParams>;

/** The Stripe error the request is refused with; a failure when it succeeds. */
function rejection(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  return rejectionOf(promise, Stripe.errors.StripeError);
}

describe('sandbox payments', () => {
  const { sandbox, stripe, receiver } = useSandbox();

  async function latestCharge(paymentIntent: Stripe.PaymentIntent): Promise<Stripe.Charge> {
    const chargeId = defined(idOf(paymentIntent.latest_charge), 'the charge of the intent');
    return stripe.charges.retrieve(chargeId);
  }

  async function paid(amount: number, paymentMethod = 'pm_card_visa'): Promise<Stripe.Charge> {
    const paymentIntent = await stripe.paymentIntents.create({
      amount,
      currency: 'usd',
      payment_method: paymentMethod,
      confirm: true,
      ...CARDS_ONLY,
    });
    expect(paymentIntent.status).toBe('succeeded');
    return latestCharge(paymentIntent);
  }

  it('pays with a test card and reports the charge and its events', async () => {
    const customer = await stripe.customers.create({ email: 'payer@example.com' });
    const paymentIntent = await stripe.paymentIntents.create({
      amount: 2000,
      currency: 'usd',
      customer: customer.id,
      payment_method: 'pm_card_visa',
      confirm: true,
      description: 'Order 42',
      metadata: { order: '42' },
      receipt_email: 'payer@example.com',
      statement_descriptor_suffix: 'ORDER 42',
      ...CARDS_ONLY,
    });
    expect(paymentIntent.id).toMatch(/^pi_/);
    expect(paymentIntent.status).toBe('succeeded');
    expect(paymentIntent.amount_received).toBe(2000);
    expect(paymentIntent.capture_method).toBe('automatic_async');
    expect(paymentIntent.automatic_payment_methods).toBe(null);
    expect(paymentIntent.client_secret ?? '').toMatch(new RegExp(`^${paymentIntent.id}_secret_`));
    const charge = await latestCharge(paymentIntent);
    expect(charge.id).toMatch(/^ch_/);
    expect(charge.status).toBe('succeeded');
    expect(charge.paid).toBe(true);
    expect(charge.captured).toBe(true);
    expect(charge.amount_captured).toBe(2000);
    expect(charge.customer).toBe(customer.id);
    expect(charge.payment_intent).toBe(paymentIntent.id);
    expect(charge.payment_method).toBe(paymentIntent.payment_method);
    const card = defined(charge.payment_method_details?.card, 'the card details');
    expect(card.last4).toBe('4242');
    expect(card.amount_authorized).toBe(2000);
    expect(charge.outcome?.type).toBe('authorized');
    expect(charge.description).toBe('Order 42');
    expect(charge.metadata).toStrictEqual({ order: '42' });
    expect(charge.receipt_email).toBe('payer@example.com');
    expect(charge.calculated_statement_descriptor).toBe('AEGIS* ORDER 42');
    expect(charge.refunds?.data).toStrictEqual([]);

    const expanded = await stripe.paymentIntents.retrieve(paymentIntent.id, {
      expand: ['latest_charge', 'payment_method'],
    });
    expect((expanded.latest_charge as Stripe.Charge).id).toBe(charge.id);
    expect((expanded.payment_method as Stripe.PaymentMethod).card?.last4).toBe('4242');

    await receiver.waitForEvent('payment_intent.created', paymentIntent.id);
    await receiver.waitForEvent('charge.succeeded', charge.id);
    const succeeded = await receiver.waitForEvent('payment_intent.succeeded', paymentIntent.id);
    expect((succeeded.data.object as Stripe.PaymentIntent).status).toBe('succeeded');
  });

  it('takes the payment method and confirmation in separate steps', async () => {
    const created = await stripe.paymentIntents.create({ amount: 1500, currency: 'eur' });
    expect(created.status).toBe('requires_payment_method');
    expect(created.automatic_payment_methods).toStrictEqual({
      allow_redirects: 'always',
      enabled: true,
    });
    const missing = await rejection(stripe.paymentIntents.confirm(created.id));
    expect(missing.code).toBe('payment_intent_unexpected_state');
    const updated = await stripe.paymentIntents.update(created.id, {
      payment_method: 'pm_card_mastercard',
      amount: 1800,
    });
    expect(updated.status).toBe('requires_confirmation');
    expect(updated.amount).toBe(1800);
    const noReturnUrl = await rejection(stripe.paymentIntents.confirm(created.id));
    expect(noReturnUrl).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(noReturnUrl.message).toMatch(/return_url/);
    const confirmed = await stripe.paymentIntents.confirm(created.id, {
      return_url: 'https://shop.example.com/done',
    });
    expect(confirmed.status).toBe('succeeded');
    expect(confirmed.amount_received).toBe(1800);
    const again = await rejection(stripe.paymentIntents.confirm(created.id));
    expect(again.code).toBe('payment_intent_unexpected_state');
    const amountChange = await rejection(
      stripe.paymentIntents.update(created.id, { amount: 2500 }),
    );
    expect(amountChange.code).toBe('payment_intent_unexpected_state');
    const described = await stripe.paymentIntents.update(created.id, {
      metadata: { note: 'kept' },
    });
    expect(described.metadata).toStrictEqual({ note: 'kept' });
  });

  it('refuses what Stripe refuses when creating an intent', async () => {
    const tooSmall = await rejection(stripe.paymentIntents.create({ amount: 49, currency: 'usd' }));
    expect(tooSmall.code).toBe('amount_too_small');
    expect(tooSmall.param).toBe('amount');
    const unknown = await rejection(
      stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        colour: 'red',
      } as Stripe.PaymentIntentCreateParams),
    );
    expect(unknown.code).toBe('parameter_unknown');
    expect(unknown.param).toBe('colour');
    const descriptor = await rejection(
      stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        statement_descriptor: 'AEGIS',
      }),
    );
    expect(descriptor.param).toBe('statement_descriptor');
    const missing = await rejection(
      stripe.paymentIntents.create({ currency: 'usd' } as Stripe.PaymentIntentCreateParams),
    );
    expect(missing.code).toBe('parameter_missing');
    expect(missing.param).toBe('amount');
    const noSuchCustomer = await rejection(
      stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: 'cus_missing' }),
    );
    expect(noSuchCustomer.code).toBe('resource_missing');
    expect(noSuchCustomer.param).toBe('customer');
  });

  for (const [paymentMethod, declineCode, message] of [
    ['pm_card_chargeDeclined', 'generic_decline', 'Your card was declined.'],
    [
      'pm_card_chargeDeclinedInsufficientFunds',
      'insufficient_funds',
      'Your card has insufficient funds.',
    ],
  ] as const) {
    it(`declines ${paymentMethod} with ${declineCode}, keeping the failed attempt`, async () => {
      const created = await stripe.paymentIntents.create({
        amount: 3000,
        currency: 'usd',
        ...CARDS_ONLY,
      });
      const error = await rejectionOf(
        stripe.paymentIntents.confirm(created.id, {
          payment_method: paymentMethod,
          off_session: true,
        }),
        Stripe.errors.StripeCardError,
      );
      expect(error.statusCode).toBe(402);
      expect(error.code).toBe('card_declined');
      expect(error.decline_code).toBe(declineCode);
      expect(error.message).toBe(message);
      const failedIntent = defined(error.payment_intent, 'the payment intent of the error');
      expect(failedIntent.id).toBe(created.id);
      expect(failedIntent.status).toBe('requires_payment_method');
      expect(error.payment_method?.id ?? '').toMatch(/^pm_/);
      const chargeId = defined(error.charge, 'the charge of the error');

      const charge = await stripe.charges.retrieve(chargeId);
      expect(charge.status).toBe('failed');
      expect(charge.paid).toBe(false);
      expect(charge.failure_code).toBe('card_declined');
      expect(charge.failure_message).toBe(message);
      const outcome = defined(charge.outcome, 'the outcome');
      expect(outcome.type).toBe('issuer_declined');
      expect(outcome.reason).toBe(declineCode);

      const declined = await stripe.paymentIntents.retrieve(created.id);
      expect(declined.status).toBe('requires_payment_method');
      expect(declined.payment_method).toBe(null);
      expect(declined.latest_charge).toBe(chargeId);
      const lastError = defined(declined.last_payment_error, 'the last payment error');
      expect(lastError.decline_code).toBe(declineCode);
      expect(lastError.charge).toBe(chargeId);
      expect(lastError.type).toBe('card_error');

      await receiver.waitForEvent('charge.failed', chargeId);
      await receiver.waitForEvent('payment_intent.payment_failed', created.id);

      const retried = await stripe.paymentIntents.confirm(created.id, {
        payment_method: 'pm_card_visa',
      });
      expect(retried.status).toBe('succeeded');
      expect(retried.last_payment_error).toBe(null);
      const charges = await stripe.charges.list({ payment_intent: created.id });
      expect(charges.data.map((c) => c.status)).toStrictEqual(['succeeded', 'failed']);
    });
  }

  it('authorizes, then captures part of the amount', async () => {
    const paymentIntent = await stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      capture_method: 'manual',
      payment_method: 'pm_card_visa',
      confirm: true,
      ...CARDS_ONLY,
    });
    expect(paymentIntent.status).toBe('requires_capture');
    expect(paymentIntent.amount_capturable).toBe(1000);
    const authorized = await latestCharge(paymentIntent);
    expect(authorized.captured).toBe(false);
    expect(authorized.amount_captured).toBe(0);
    expect(authorized.payment_method_details?.card?.capture_before ?? 0).toBeGreaterThan(
      authorized.created,
    );
    await receiver.waitForEvent('payment_intent.amount_capturable_updated', paymentIntent.id);
    const refundUncaptured = await rejection(stripe.refunds.create({ charge: authorized.id }));
    expect(refundUncaptured.param).toBe('charge');

    const tooMuch = await rejection(
      stripe.paymentIntents.capture(paymentIntent.id, { amount_to_capture: 1001 }),
    );
    expect(tooMuch.param).toBe('amount_to_capture');
    const captured = await stripe.paymentIntents.capture(paymentIntent.id, {
      amount_to_capture: 600,
    });
    expect(captured.status).toBe('succeeded');
    expect(captured.amount_received).toBe(600);
    expect(captured.amount_capturable).toBe(0);
    const charge = await stripe.charges.retrieve(authorized.id);
    expect(charge.captured).toBe(true);
    expect(charge.amount_captured).toBe(600);
    expect(charge.amount_refunded).toBe(400);
    expect(charge.refunded).toBe(false);
    const capturedEvent = await receiver.waitForEvent('charge.captured', charge.id);
    expect((capturedEvent.data.object as Stripe.Charge).amount_captured).toBe(600);
    await receiver.waitForEvent('payment_intent.succeeded', paymentIntent.id);

    const beyond = await rejection(stripe.refunds.create({ charge: charge.id, amount: 601 }));
    expect(beyond.message).toBe(
      'Refund amount ($6.01) is greater than unrefunded amount on charge ($6.00)',
    );
    const rest = await stripe.refunds.create({ payment_intent: paymentIntent.id });
    expect(rest.amount).toBe(600);
    expect((await stripe.charges.retrieve(charge.id)).refunded).toBe(true);
  });

  it('cancels unfinished intents, releasing an authorization, and refuses to cancel a paid one', async () => {
    const open = await stripe.paymentIntents.create({ amount: 700, currency: 'usd' });
    const canceled = await stripe.paymentIntents.cancel(open.id, {
      cancellation_reason: 'requested_by_customer',
    });
    expect(canceled.status).toBe('canceled');
    expect(canceled.cancellation_reason).toBe('requested_by_customer');
    expect(canceled.canceled_at).not.toBeNull();
    await receiver.waitForEvent('payment_intent.canceled', open.id);
    const confirmCanceled = await rejection(
      stripe.paymentIntents.confirm(open.id, { payment_method: 'pm_card_visa' }),
    );
    expect(confirmCanceled.code).toBe('payment_intent_unexpected_state');

    const authorized = await stripe.paymentIntents.create({
      amount: 900,
      currency: 'usd',
      capture_method: 'manual',
      payment_method: 'pm_card_visa',
      confirm: true,
      ...CARDS_ONLY,
    });
    const released = await stripe.paymentIntents.cancel(authorized.id);
    expect(released.status).toBe('canceled');
    expect(released.amount_capturable).toBe(0);
    const charge = await latestCharge(released);
    expect(charge.refunded).toBe(true);
    expect(charge.amount_refunded).toBe(900);
    expect(charge.captured).toBe(false);
    await receiver.waitForEvent('charge.refunded', charge.id);

    const succeeded = await stripe.paymentIntents.create({
      amount: 800,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
      ...CARDS_ONLY,
    });
    const notCancelable = await rejection(stripe.paymentIntents.cancel(succeeded.id));
    expect(notCancelable).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(notCancelable.code).toBe('payment_intent_unexpected_state');
  });

  it('refunds fully, partially and several times, never beyond what is left', async () => {
    const full = await paid(1000);
    const refund = await stripe.refunds.create({ charge: full.id, reason: 'duplicate' });
    expect(refund.id).toMatch(/^re_/);
    expect(refund.amount).toBe(1000);
    expect(refund.status).toBe('succeeded');
    expect(refund.reason).toBe('duplicate');
    expect(refund.payment_intent).toBe(full.payment_intent);
    const refundedCharge = await stripe.charges.retrieve(full.id);
    expect(refundedCharge.refunded).toBe(true);
    expect(refundedCharge.amount_refunded).toBe(1000);
    expect(refundedCharge.refunds?.data.map((r) => r.id)).toStrictEqual([refund.id]);
    const again = await rejection(stripe.refunds.create({ charge: full.id }));
    expect(again.code).toBe('charge_already_refunded');
    await receiver.waitForEvent('refund.created', refund.id);
    const refundedEvent = (await receiver.waitForEvent(
      'charge.refunded',
      full.id,
    )) as Stripe.ChargeRefundedEvent;
    expect(refundedEvent.data.object.amount_refunded).toBe(1000);
    const previous = defined(refundedEvent.data.previous_attributes, 'the previous attributes');
    expect(previous.amount_refunded).toBe(0);
    expect(previous.refunded).toBe(false);

    const partial = await paid(5000);
    const first = await stripe.refunds.create({ charge: partial.id, amount: 1000 });
    const second = await stripe.refunds.create({
      payment_intent: idOf(partial.payment_intent) ?? '',
      amount: 1500,
      metadata: { ticket: 'T-7' },
    });
    expect(second.metadata).toStrictEqual({ ticket: 'T-7' });
    const afterTwo = await stripe.charges.retrieve(partial.id);
    expect(afterTwo.amount_refunded).toBe(2500);
    expect(afterTwo.refunded).toBe(false);
    const beyond = await rejection(stripe.refunds.create({ charge: partial.id, amount: 2501 }));
    expect(beyond).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(beyond.message).toBe(
      'Refund amount ($25.01) is greater than unrefunded amount on charge ($25.00)',
    );
    const rest = await stripe.refunds.create({ charge: partial.id });
    expect(rest.amount).toBe(2500);
    const secondFull = await rejection(stripe.refunds.create({ charge: partial.id }));
    expect(secondFull.code).toBe('charge_already_refunded');
    const listed = await stripe.refunds.list({ charge: partial.id });
    const racing = await paid(900);
    const raced = await Promise.allSettled([
      stripe.refunds.create({ charge: racing.id }),
      stripe.refunds.create({ charge: racing.id }),
    ]);
    expect(raced.filter((result) => result.status === 'fulfilled').length).toBe(1);
    const lost = defined(
      raced.find((result) => result.status === 'rejected'),
      'the refund that lost the race',
    );
    expect(lost.reason).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(lost.reason).toHaveProperty('code', 'charge_already_refunded');
    expect(listed.data.map((r) => r.id)).toStrictEqual([rest.id, second.id, first.id]);
    const byChargeRoute = await stripe.refunds.list({
      payment_intent: idOf(partial.payment_intent) ?? '',
      limit: 2,
    });
    expect(byChargeRoute.has_more).toBe(true);

    const updated = await stripe.refunds.update(first.id, { metadata: { reason: 'late' } });
    expect(updated.metadata).toStrictEqual({ reason: 'late' });
    const updatedEvent = (await receiver.waitForEvent(
      'refund.updated',
      first.id,
    )) as Stripe.RefundUpdatedEvent;
    expect(updatedEvent.data.previous_attributes?.metadata).toStrictEqual({});
    await receiver.waitForEvent('charge.refund.updated', first.id);
  });

  it('updates a charge and announces it', async () => {
    const charge = await paid(1200);
    const updated = await stripe.charges.update(charge.id, {
      description: 'Re-labelled',
      metadata: { batch: '9' },
    });
    expect(updated.description).toBe('Re-labelled');
    expect(updated.metadata).toStrictEqual({ batch: '9' });
    const event = (await receiver.waitForEvent(
      'charge.updated',
      charge.id,
    )) as Stripe.ChargeUpdatedEvent;
    expect(event.data.previous_attributes?.description).toBe(null);
  });

  async function disputedCharge(): Promise<{ charge: Stripe.Charge; dispute: Stripe.Dispute }> {
    const charge = await paid(4000, 'pm_card_createDispute');
    const disputes = await waitFor(
      () => stripe.disputes.list({ charge: charge.id }),
      (list) => list.data.length > 0,
      { timeoutMs: 10_000, what: `a dispute of ${charge.id}` },
    );
    const dispute = defined(disputes.data[0], 'the dispute');
    return { charge, dispute };
  }

  it('opens a dispute on pm_card_createDispute, and winning evidence wins it', async () => {
    const { charge, dispute } = await disputedCharge();
    expect(dispute.id).toMatch(/^dp_/);
    expect(dispute.status).toBe('needs_response');
    expect(dispute.reason).toBe('fraudulent');
    expect(dispute.amount).toBe(4000);
    expect(dispute.payment_intent).toBe(charge.payment_intent);
    expect(dispute.balance_transactions[0]?.amount).toBe(-4000);
    expect(dispute.evidence_details.due_by ?? 0).toBeGreaterThan(dispute.created);
    expect((await stripe.charges.retrieve(charge.id)).disputed).toBe(true);
    const opened = await receiver.waitForEvent('charge.dispute.created', dispute.id);
    expect(opened.request?.id).toBe(null);
    await receiver.waitForEvent('charge.dispute.funds_withdrawn', dispute.id);
    const chargedBack = await rejection(stripe.refunds.create({ charge: charge.id }));
    expect(chargedBack.code).toBe('charge_disputed');

    const submitted = await stripe.disputes.update(dispute.id, {
      evidence: { uncategorized_text: 'winning_evidence', customer_name: 'Ada' },
      metadata: { case: '1' },
    });
    expect(submitted.status).toBe('under_review');
    expect(submitted.evidence.uncategorized_text).toBe('winning_evidence');
    expect(submitted.evidence_details.submission_count).toBe(1);
    expect(submitted.evidence_details.has_evidence).toBe(true);
    const closed = (await receiver.waitForEvent(
      'charge.dispute.closed',
      dispute.id,
    )) as Stripe.ChargeDisputeClosedEvent;
    expect(closed.data.object.status).toBe('won');
    await receiver.waitForEvent('charge.dispute.funds_reinstated', dispute.id);
    const won = await stripe.disputes.retrieve(dispute.id);
    expect(won.status).toBe('won');
    expect(won.balance_transactions.map((transaction) => transaction.amount)).toStrictEqual([
      -4000, 4000,
    ]);
    const late = await rejection(
      stripe.disputes.update(dispute.id, { evidence: { customer_name: 'Bob' } }),
    );
    expect(late).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  });

  it('loses a dispute on losing evidence, and on closing it', async () => {
    const losing = await disputedCharge();
    await stripe.disputes.update(losing.dispute.id, {
      evidence: { uncategorized_text: 'losing_evidence' },
    });
    const lostEvent = (await receiver.waitForEvent(
      'charge.dispute.closed',
      losing.dispute.id,
    )) as Stripe.ChargeDisputeClosedEvent;
    expect(lostEvent.data.object.status).toBe('lost');
    expect(
      receiver
        .ofType('charge.dispute.funds_reinstated')
        .some((event) => (event.data.object as Stripe.Dispute).id === losing.dispute.id),
    ).toBe(false);

    const closing = await disputedCharge();
    const staged = await stripe.disputes.update(closing.dispute.id, {
      evidence: { product_description: 'A lamp' },
      submit: false,
    });
    expect(staged.status).toBe('needs_response');
    expect(staged.evidence_details.submission_count).toBe(0);
    const closed = await stripe.disputes.close(closing.dispute.id);
    expect(closed.status).toBe('lost');
    await receiver.waitForEvent('charge.dispute.closed', closing.dispute.id);
    const closeAgain = await rejection(stripe.disputes.close(closing.dispute.id));
    expect(closeAgain).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    const byIntent = await stripe.disputes.list({
      payment_intent: idOf(closing.charge.payment_intent) ?? '',
    });
    expect(byIntent.data.map((d) => d.id)).toStrictEqual([closing.dispute.id]);
  });

  it('raises an early fraud warning on pm_card_createEarlyFraudWarning', async () => {
    const charge = await paid(2500, 'pm_card_createEarlyFraudWarning');
    const warnings = await waitFor(
      () => stripe.radar.earlyFraudWarnings.list({ charge: charge.id }),
      (list) => list.data.length > 0,
      { timeoutMs: 10_000, what: `an early fraud warning about ${charge.id}` },
    );
    const warning = defined(warnings.data[0], 'the early fraud warning');
    await receiver.waitForEvent('radar.early_fraud_warning.created', warning.id);
    expect(warning.id).toMatch(/^issfr_/);
    expect(warning.actionable).toBe(true);
    expect(warning.fraud_type).toBe('made_with_stolen_card');
    expect(warning.charge).toBe(charge.id);
    expect(warning.payment_intent).toBe(charge.payment_intent);
    const retrieved = await stripe.radar.earlyFraudWarnings.retrieve(warning.id);
    expect(retrieved.id).toBe(warning.id);
    const byIntent = await stripe.radar.earlyFraudWarnings.list({
      payment_intent: idOf(charge.payment_intent) ?? '',
    });
    expect(byIntent.data.map((w) => w.id)).toStrictEqual([warning.id]);

    await stripe.refunds.create({ charge: charge.id, reason: 'fraudulent' });
    const updated = (await receiver.waitForEvent(
      'radar.early_fraud_warning.updated',
      warning.id,
    )) as Stripe.RadarEarlyFraudWarningUpdatedEvent;
    expect(updated.data.object.actionable).toBe(false);
  });

  it('replays a retried confirm instead of charging twice', async () => {
    const approved = await stripe.paymentIntents.create({
      amount: 1100,
      currency: 'usd',
      ...CARDS_ONLY,
    });
    const key = `confirm-${approved.id}`;
    const first = await stripe.paymentIntents.confirm(
      approved.id,
      { payment_method: 'pm_card_visa' },
      { idempotencyKey: key },
    );
    const retry = await stripe.paymentIntents.confirm(
      approved.id,
      { payment_method: 'pm_card_visa' },
      { idempotencyKey: key },
    );
    expect(retry.status).toBe('succeeded');
    expect(retry.latest_charge).toBe(first.latest_charge);
    expect(retry.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect((await stripe.charges.list({ payment_intent: approved.id })).data.length).toBe(1);

    const declined = await stripe.paymentIntents.create({
      amount: 1100,
      currency: 'usd',
      ...CARDS_ONLY,
    });
    const declineKey = `confirm-${declined.id}`;
    const confirmDeclined = () =>
      rejectionOf(
        stripe.paymentIntents.confirm(
          declined.id,
          { payment_method: 'pm_card_chargeDeclined' },
          { idempotencyKey: declineKey },
        ),
        Stripe.errors.StripeCardError,
      );
    const declinedFirst = await confirmDeclined();
    const replayed = await confirmDeclined();
    expect(replayed.charge).toBe(declinedFirst.charge);
    expect(replayed.headers?.['idempotent-replayed']).toBe('true');
    expect((await stripe.charges.list({ payment_intent: declined.id })).data.length).toBe(1);
  });

  it('lists intents and charges of a customer, page by page', async () => {
    const customer = await stripe.customers.create({ email: 'pages@example.com' });
    const created: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      const paymentIntent = await stripe.paymentIntents.create({
        amount: 1000 + index,
        currency: 'usd',
        customer: customer.id,
        payment_method: 'pm_card_visa',
        confirm: true,
        ...CARDS_ONLY,
      });
      created.push(paymentIntent.id);
    }
    const newestFirst = [...created].reverse();
    const firstPage = await stripe.paymentIntents.list({ customer: customer.id, limit: 2 });
    expect(firstPage.data.map((p) => p.id)).toStrictEqual(newestFirst.slice(0, 2));
    expect(firstPage.has_more).toBe(true);
    const all: string[] = [];
    for await (const paymentIntent of stripe.paymentIntents.list({
      customer: customer.id,
      limit: 2,
    })) {
      all.push(paymentIntent.id);
    }
    expect(all).toStrictEqual(newestFirst);
    const charges = await stripe.charges.list({ customer: customer.id, limit: 3 });
    expect(charges.data.length).toBe(3);
    expect(charges.has_more).toBe(true);
    const secondPage = await stripe.charges.list({
      customer: customer.id,
      limit: 3,
      starting_after: charges.data[2]?.id,
    });
    expect(secondPage.data.map((c) => c.payment_intent)).toStrictEqual(newestFirst.slice(3));
    const future = await stripe.paymentIntents.list({
      customer: customer.id,
      created: { gt: Math.floor(Date.now() / 1000) + 3600 },
    });
    expect(future.data).toStrictEqual([]);
  });

  it('pays off session for invoices and checkout (PaymentsService.pay)', async () => {
    const customer = await stripe.customers.create({ email: 'invoice@example.com' });
    const paymentMethod = await stripe.paymentMethods.attach('pm_card_visa', {
      customer: customer.id,
    });
    const declining = await stripe.paymentMethods.attach('pm_card_chargeDeclined', {
      customer: customer.id,
    });
    const store = sandbox.service.app.get(SandboxStore);
    const payments = sandbox.service.app.get(PaymentsService);
    const pay = (method: Stripe.PaymentMethod) =>
      store.transaction(() =>
        payments.pay({
          amount: 2400,
          currency: 'usd',
          customer: customer.id,
          paymentMethod: method,
          description: 'Payment for Invoice',
          metadata: { invoice: 'in_test' },
          testClock: null,
        }),
      );
    const success = pay(paymentMethod);
    expect(success.decline).toBe(null);
    expect(success.charge.status).toBe('succeeded');
    const stored = await stripe.paymentIntents.retrieve(success.paymentIntent.id);
    expect(stored.status).toBe('succeeded');
    expect(stored.customer).toBe(customer.id);
    expect(stored.latest_charge).toBe(success.charge.id);
    expect(stored.payment_method_types).toStrictEqual(['card']);

    const decline = pay(declining);
    const cardError = defined(decline.decline, 'the decline');
    expect(cardError.status).toBe(402);
    expect(cardError.body.decline_code).toBe('generic_decline');
    expect(decline.charge.status).toBe('failed');
    const declined = await stripe.paymentIntents.retrieve(decline.paymentIntent.id);
    expect(declined.status).toBe('requires_payment_method');
    await receiver.waitForEvent('payment_intent.payment_failed', declined.id);
  });
});
