import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import { waitFor } from '@aegis/testing';
import { PaymentsService } from '../src/payments/payments.service.js';
import { SandboxStore } from '../src/store/sandbox-store.js';
import { useSandbox } from './sandbox-harness.js';

/** Card payments confirmed on the server, without redirect-based payment methods. */
const CARDS_ONLY = {
  allowed_payment_method_types: ['card'],
} satisfies Partial<Stripe.PaymentIntentCreateParams>;

async function rejection(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Stripe.errors.StripeError, `not a Stripe error: ${String(error)}`);
    return error;
  }
  assert.fail('the request succeeded');
}

function idOf(value: string | { id: string } | null): string | null {
  return typeof value === 'string' || value === null ? value : value.id;
}

describe('sandbox payments', () => {
  const { sandbox, stripe, receiver } = useSandbox();

  async function latestCharge(paymentIntent: Stripe.PaymentIntent): Promise<Stripe.Charge> {
    const chargeId = idOf(paymentIntent.latest_charge);
    assert.ok(chargeId !== null, 'the intent has a charge');
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
    assert.equal(paymentIntent.status, 'succeeded');
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
    assert.match(paymentIntent.id, /^pi_/);
    assert.equal(paymentIntent.status, 'succeeded');
    assert.equal(paymentIntent.amount_received, 2000);
    assert.equal(paymentIntent.capture_method, 'automatic_async');
    assert.equal(paymentIntent.automatic_payment_methods, null);
    assert.match(paymentIntent.client_secret ?? '', new RegExp(`^${paymentIntent.id}_secret_`));
    const charge = await latestCharge(paymentIntent);
    assert.match(charge.id, /^ch_/);
    assert.equal(charge.status, 'succeeded');
    assert.equal(charge.paid, true);
    assert.equal(charge.captured, true);
    assert.equal(charge.amount_captured, 2000);
    assert.equal(charge.customer, customer.id);
    assert.equal(charge.payment_intent, paymentIntent.id);
    assert.equal(charge.payment_method, paymentIntent.payment_method);
    assert.equal(charge.payment_method_details?.card?.last4, '4242');
    assert.equal(charge.payment_method_details.card.amount_authorized, 2000);
    assert.equal(charge.outcome?.type, 'authorized');
    assert.equal(charge.description, 'Order 42');
    assert.deepEqual(charge.metadata, { order: '42' });
    assert.equal(charge.receipt_email, 'payer@example.com');
    assert.equal(charge.calculated_statement_descriptor, 'AEGIS* ORDER 42');
    assert.deepEqual(charge.refunds?.data, []);

    const expanded = await stripe.paymentIntents.retrieve(paymentIntent.id, {
      expand: ['latest_charge', 'payment_method'],
    });
    assert.equal((expanded.latest_charge as Stripe.Charge).id, charge.id);
    assert.equal((expanded.payment_method as Stripe.PaymentMethod).card?.last4, '4242');

    await receiver.waitForEvent('payment_intent.created', paymentIntent.id);
    await receiver.waitForEvent('charge.succeeded', charge.id);
    const succeeded = await receiver.waitForEvent('payment_intent.succeeded', paymentIntent.id);
    assert.equal((succeeded.data.object as Stripe.PaymentIntent).status, 'succeeded');
  });

  it('takes the payment method and confirmation in separate steps', async () => {
    const created = await stripe.paymentIntents.create({ amount: 1500, currency: 'eur' });
    assert.equal(created.status, 'requires_payment_method');
    assert.deepEqual(created.automatic_payment_methods, {
      allow_redirects: 'always',
      enabled: true,
    });
    const missing = await rejection(stripe.paymentIntents.confirm(created.id));
    assert.equal(missing.code, 'payment_intent_unexpected_state');
    const updated = await stripe.paymentIntents.update(created.id, {
      payment_method: 'pm_card_mastercard',
      amount: 1800,
    });
    assert.equal(updated.status, 'requires_confirmation');
    assert.equal(updated.amount, 1800);
    const noReturnUrl = await rejection(stripe.paymentIntents.confirm(created.id));
    assert.ok(noReturnUrl instanceof Stripe.errors.StripeInvalidRequestError);
    assert.match(noReturnUrl.message, /return_url/);
    const confirmed = await stripe.paymentIntents.confirm(created.id, {
      return_url: 'https://shop.example.com/done',
    });
    assert.equal(confirmed.status, 'succeeded');
    assert.equal(confirmed.amount_received, 1800);
    const again = await rejection(stripe.paymentIntents.confirm(created.id));
    assert.equal(again.code, 'payment_intent_unexpected_state');
    const amountChange = await rejection(
      stripe.paymentIntents.update(created.id, { amount: 2500 }),
    );
    assert.equal(amountChange.code, 'payment_intent_unexpected_state');
    const described = await stripe.paymentIntents.update(created.id, {
      metadata: { note: 'kept' },
    });
    assert.deepEqual(described.metadata, { note: 'kept' });
  });

  it('refuses what Stripe refuses when creating an intent', async () => {
    const tooSmall = await rejection(stripe.paymentIntents.create({ amount: 49, currency: 'usd' }));
    assert.equal(tooSmall.code, 'amount_too_small');
    assert.equal(tooSmall.param, 'amount');
    const unknown = await rejection(
      stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        colour: 'red',
      } as Stripe.PaymentIntentCreateParams),
    );
    assert.equal(unknown.code, 'parameter_unknown');
    assert.equal(unknown.param, 'colour');
    const descriptor = await rejection(
      stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        statement_descriptor: 'AEGIS',
      }),
    );
    assert.equal(descriptor.param, 'statement_descriptor');
    const missing = await rejection(
      stripe.paymentIntents.create({ currency: 'usd' } as Stripe.PaymentIntentCreateParams),
    );
    assert.equal(missing.code, 'parameter_missing');
    assert.equal(missing.param, 'amount');
    const noSuchCustomer = await rejection(
      stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: 'cus_missing' }),
    );
    assert.equal(noSuchCustomer.code, 'resource_missing');
    assert.equal(noSuchCustomer.param, 'customer');
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
      const error = await rejection(
        stripe.paymentIntents.confirm(created.id, {
          payment_method: paymentMethod,
          off_session: true,
        }),
      );
      assert.ok(error instanceof Stripe.errors.StripeCardError);
      assert.equal(error.statusCode, 402);
      assert.equal(error.code, 'card_declined');
      assert.equal(error.decline_code, declineCode);
      assert.equal(error.message, message);
      assert.equal(error.payment_intent?.id, created.id);
      assert.equal(error.payment_intent.status, 'requires_payment_method');
      assert.match(error.payment_method?.id ?? '', /^pm_/);
      const chargeId = error.charge;
      assert.ok(chargeId !== undefined);

      const charge = await stripe.charges.retrieve(chargeId);
      assert.equal(charge.status, 'failed');
      assert.equal(charge.paid, false);
      assert.equal(charge.failure_code, 'card_declined');
      assert.equal(charge.failure_message, message);
      assert.equal(charge.outcome?.type, 'issuer_declined');
      assert.equal(charge.outcome.reason, declineCode);

      const declined = await stripe.paymentIntents.retrieve(created.id);
      assert.equal(declined.status, 'requires_payment_method');
      assert.equal(declined.payment_method, null);
      assert.equal(declined.latest_charge, chargeId);
      assert.equal(declined.last_payment_error?.decline_code, declineCode);
      assert.equal(declined.last_payment_error.charge, chargeId);
      assert.equal(declined.last_payment_error.type, 'card_error');

      await receiver.waitForEvent('charge.failed', chargeId);
      await receiver.waitForEvent('payment_intent.payment_failed', created.id);

      const retried = await stripe.paymentIntents.confirm(created.id, {
        payment_method: 'pm_card_visa',
      });
      assert.equal(retried.status, 'succeeded');
      assert.equal(retried.last_payment_error, null);
      const charges = await stripe.charges.list({ payment_intent: created.id });
      assert.deepEqual(
        charges.data.map((c) => c.status),
        ['succeeded', 'failed'],
      );
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
    assert.equal(paymentIntent.status, 'requires_capture');
    assert.equal(paymentIntent.amount_capturable, 1000);
    const authorized = await latestCharge(paymentIntent);
    assert.equal(authorized.captured, false);
    assert.equal(authorized.amount_captured, 0);
    assert.ok((authorized.payment_method_details?.card?.capture_before ?? 0) > authorized.created);
    await receiver.waitForEvent('payment_intent.amount_capturable_updated', paymentIntent.id);
    const refundUncaptured = await rejection(stripe.refunds.create({ charge: authorized.id }));
    assert.equal(refundUncaptured.param, 'charge');

    const tooMuch = await rejection(
      stripe.paymentIntents.capture(paymentIntent.id, { amount_to_capture: 1001 }),
    );
    assert.equal(tooMuch.param, 'amount_to_capture');
    const captured = await stripe.paymentIntents.capture(paymentIntent.id, {
      amount_to_capture: 600,
    });
    assert.equal(captured.status, 'succeeded');
    assert.equal(captured.amount_received, 600);
    assert.equal(captured.amount_capturable, 0);
    const charge = await stripe.charges.retrieve(authorized.id);
    assert.equal(charge.captured, true);
    assert.equal(charge.amount_captured, 600);
    assert.equal(charge.amount_refunded, 400);
    assert.equal(charge.refunded, false);
    const capturedEvent = await receiver.waitForEvent('charge.captured', charge.id);
    assert.equal((capturedEvent.data.object as Stripe.Charge).amount_captured, 600);
    await receiver.waitForEvent('payment_intent.succeeded', paymentIntent.id);

    const beyond = await rejection(stripe.refunds.create({ charge: charge.id, amount: 601 }));
    assert.equal(
      beyond.message,
      'Refund amount ($6.01) is greater than unrefunded amount on charge ($6.00)',
    );
    const rest = await stripe.refunds.create({ payment_intent: paymentIntent.id });
    assert.equal(rest.amount, 600);
    assert.equal((await stripe.charges.retrieve(charge.id)).refunded, true);
  });

  it('cancels unfinished intents, releasing an authorization, and refuses to cancel a paid one', async () => {
    const open = await stripe.paymentIntents.create({ amount: 700, currency: 'usd' });
    const canceled = await stripe.paymentIntents.cancel(open.id, {
      cancellation_reason: 'requested_by_customer',
    });
    assert.equal(canceled.status, 'canceled');
    assert.equal(canceled.cancellation_reason, 'requested_by_customer');
    assert.ok(canceled.canceled_at !== null);
    await receiver.waitForEvent('payment_intent.canceled', open.id);
    const confirmCanceled = await rejection(
      stripe.paymentIntents.confirm(open.id, { payment_method: 'pm_card_visa' }),
    );
    assert.equal(confirmCanceled.code, 'payment_intent_unexpected_state');

    const authorized = await stripe.paymentIntents.create({
      amount: 900,
      currency: 'usd',
      capture_method: 'manual',
      payment_method: 'pm_card_visa',
      confirm: true,
      ...CARDS_ONLY,
    });
    const released = await stripe.paymentIntents.cancel(authorized.id);
    assert.equal(released.status, 'canceled');
    assert.equal(released.amount_capturable, 0);
    const charge = await latestCharge(released);
    assert.equal(charge.refunded, true);
    assert.equal(charge.amount_refunded, 900);
    assert.equal(charge.captured, false);
    await receiver.waitForEvent('charge.refunded', charge.id);

    const succeeded = await stripe.paymentIntents.create({
      amount: 800,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
      ...CARDS_ONLY,
    });
    const notCancelable = await rejection(stripe.paymentIntents.cancel(succeeded.id));
    assert.ok(notCancelable instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(notCancelable.code, 'payment_intent_unexpected_state');
  });

  it('refunds fully, partially and several times, never beyond what is left', async () => {
    const full = await paid(1000);
    const refund = await stripe.refunds.create({ charge: full.id, reason: 'duplicate' });
    assert.match(refund.id, /^re_/);
    assert.equal(refund.amount, 1000);
    assert.equal(refund.status, 'succeeded');
    assert.equal(refund.reason, 'duplicate');
    assert.equal(refund.payment_intent, full.payment_intent);
    const refundedCharge = await stripe.charges.retrieve(full.id);
    assert.equal(refundedCharge.refunded, true);
    assert.equal(refundedCharge.amount_refunded, 1000);
    assert.deepEqual(
      refundedCharge.refunds?.data.map((r) => r.id),
      [refund.id],
    );
    const again = await rejection(stripe.refunds.create({ charge: full.id }));
    assert.equal(again.code, 'charge_already_refunded');
    await receiver.waitForEvent('refund.created', refund.id);
    const refundedEvent = (await receiver.waitForEvent(
      'charge.refunded',
      full.id,
    )) as Stripe.ChargeRefundedEvent;
    assert.equal(refundedEvent.data.object.amount_refunded, 1000);
    assert.equal(refundedEvent.data.previous_attributes?.amount_refunded, 0);
    assert.equal(refundedEvent.data.previous_attributes.refunded, false);

    const partial = await paid(5000);
    const first = await stripe.refunds.create({ charge: partial.id, amount: 1000 });
    const second = await stripe.refunds.create({
      payment_intent: idOf(partial.payment_intent) ?? '',
      amount: 1500,
      metadata: { ticket: 'T-7' },
    });
    assert.deepEqual(second.metadata, { ticket: 'T-7' });
    const afterTwo = await stripe.charges.retrieve(partial.id);
    assert.equal(afterTwo.amount_refunded, 2500);
    assert.equal(afterTwo.refunded, false);
    const beyond = await rejection(stripe.refunds.create({ charge: partial.id, amount: 2501 }));
    assert.ok(beyond instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(
      beyond.message,
      'Refund amount ($25.01) is greater than unrefunded amount on charge ($25.00)',
    );
    const rest = await stripe.refunds.create({ charge: partial.id });
    assert.equal(rest.amount, 2500);
    const secondFull = await rejection(stripe.refunds.create({ charge: partial.id }));
    assert.equal(secondFull.code, 'charge_already_refunded');
    const listed = await stripe.refunds.list({ charge: partial.id });
    const racing = await paid(900);
    const raced = await Promise.allSettled([
      stripe.refunds.create({ charge: racing.id }),
      stripe.refunds.create({ charge: racing.id }),
    ]);
    assert.equal(raced.filter((result) => result.status === 'fulfilled').length, 1);
    const lost = raced.find((result) => result.status === 'rejected');
    assert.ok(lost?.reason instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(lost.reason.code, 'charge_already_refunded');
    assert.deepEqual(
      listed.data.map((r) => r.id),
      [rest.id, second.id, first.id],
    );
    const byChargeRoute = await stripe.refunds.list({
      payment_intent: idOf(partial.payment_intent) ?? '',
      limit: 2,
    });
    assert.equal(byChargeRoute.has_more, true);

    const updated = await stripe.refunds.update(first.id, { metadata: { reason: 'late' } });
    assert.deepEqual(updated.metadata, { reason: 'late' });
    const updatedEvent = (await receiver.waitForEvent(
      'refund.updated',
      first.id,
    )) as Stripe.RefundUpdatedEvent;
    assert.deepEqual(updatedEvent.data.previous_attributes?.metadata, {});
    await receiver.waitForEvent('charge.refund.updated', first.id);
  });

  it('updates a charge and announces it', async () => {
    const charge = await paid(1200);
    const updated = await stripe.charges.update(charge.id, {
      description: 'Re-labelled',
      metadata: { batch: '9' },
    });
    assert.equal(updated.description, 'Re-labelled');
    assert.deepEqual(updated.metadata, { batch: '9' });
    const event = (await receiver.waitForEvent(
      'charge.updated',
      charge.id,
    )) as Stripe.ChargeUpdatedEvent;
    assert.equal(event.data.previous_attributes?.description, null);
  });

  async function disputedCharge(): Promise<{ charge: Stripe.Charge; dispute: Stripe.Dispute }> {
    const charge = await paid(4000, 'pm_card_createDispute');
    const disputes = await waitFor(
      () => stripe.disputes.list({ charge: charge.id }),
      (list) => list.data.length > 0,
      { timeoutMs: 10_000, what: `a dispute of ${charge.id}` },
    );
    const dispute = disputes.data[0];
    assert.ok(dispute !== undefined);
    return { charge, dispute };
  }

  it('opens a dispute on pm_card_createDispute, and winning evidence wins it', async () => {
    const { charge, dispute } = await disputedCharge();
    assert.match(dispute.id, /^dp_/);
    assert.equal(dispute.status, 'needs_response');
    assert.equal(dispute.reason, 'fraudulent');
    assert.equal(dispute.amount, 4000);
    assert.equal(dispute.payment_intent, charge.payment_intent);
    assert.equal(dispute.balance_transactions[0]?.amount, -4000);
    assert.ok((dispute.evidence_details.due_by ?? 0) > dispute.created);
    assert.equal((await stripe.charges.retrieve(charge.id)).disputed, true);
    const opened = await receiver.waitForEvent('charge.dispute.created', dispute.id);
    assert.equal(opened.request?.id, null, 'Stripe opened it, not a request');
    await receiver.waitForEvent('charge.dispute.funds_withdrawn', dispute.id);
    const chargedBack = await rejection(stripe.refunds.create({ charge: charge.id }));
    assert.equal(chargedBack.code, 'charge_disputed');

    const submitted = await stripe.disputes.update(dispute.id, {
      evidence: { uncategorized_text: 'winning_evidence', customer_name: 'Ada' },
      metadata: { case: '1' },
    });
    assert.equal(submitted.status, 'under_review');
    assert.equal(submitted.evidence.uncategorized_text, 'winning_evidence');
    assert.equal(submitted.evidence_details.submission_count, 1);
    assert.equal(submitted.evidence_details.has_evidence, true);
    const closed = (await receiver.waitForEvent(
      'charge.dispute.closed',
      dispute.id,
    )) as Stripe.ChargeDisputeClosedEvent;
    assert.equal(closed.data.object.status, 'won');
    await receiver.waitForEvent('charge.dispute.funds_reinstated', dispute.id);
    const won = await stripe.disputes.retrieve(dispute.id);
    assert.equal(won.status, 'won');
    assert.deepEqual(
      won.balance_transactions.map((transaction) => transaction.amount),
      [-4000, 4000],
    );
    const late = await rejection(
      stripe.disputes.update(dispute.id, { evidence: { customer_name: 'Bob' } }),
    );
    assert.ok(late instanceof Stripe.errors.StripeInvalidRequestError);
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
    assert.equal(lostEvent.data.object.status, 'lost');
    assert.equal(
      receiver
        .ofType('charge.dispute.funds_reinstated')
        .some((event) => (event.data.object as Stripe.Dispute).id === losing.dispute.id),
      false,
    );

    const closing = await disputedCharge();
    const staged = await stripe.disputes.update(closing.dispute.id, {
      evidence: { product_description: 'A lamp' },
      submit: false,
    });
    assert.equal(staged.status, 'needs_response');
    assert.equal(staged.evidence_details.submission_count, 0);
    const closed = await stripe.disputes.close(closing.dispute.id);
    assert.equal(closed.status, 'lost');
    await receiver.waitForEvent('charge.dispute.closed', closing.dispute.id);
    const closeAgain = await rejection(stripe.disputes.close(closing.dispute.id));
    assert.ok(closeAgain instanceof Stripe.errors.StripeInvalidRequestError);
    const byIntent = await stripe.disputes.list({
      payment_intent: idOf(closing.charge.payment_intent) ?? '',
    });
    assert.deepEqual(
      byIntent.data.map((d) => d.id),
      [closing.dispute.id],
    );
  });

  it('raises an early fraud warning on pm_card_createEarlyFraudWarning', async () => {
    const charge = await paid(2500, 'pm_card_createEarlyFraudWarning');
    const warnings = await waitFor(
      () => stripe.radar.earlyFraudWarnings.list({ charge: charge.id }),
      (list) => list.data.length > 0,
      { timeoutMs: 10_000, what: `an early fraud warning about ${charge.id}` },
    );
    const warning = warnings.data[0];
    assert.ok(warning !== undefined);
    await receiver.waitForEvent('radar.early_fraud_warning.created', warning.id);
    assert.match(warning.id, /^issfr_/);
    assert.equal(warning.actionable, true);
    assert.equal(warning.fraud_type, 'made_with_stolen_card');
    assert.equal(warning.charge, charge.id);
    assert.equal(warning.payment_intent, charge.payment_intent);
    const retrieved = await stripe.radar.earlyFraudWarnings.retrieve(warning.id);
    assert.equal(retrieved.id, warning.id);
    const byIntent = await stripe.radar.earlyFraudWarnings.list({
      payment_intent: idOf(charge.payment_intent) ?? '',
    });
    assert.deepEqual(
      byIntent.data.map((w) => w.id),
      [warning.id],
    );

    await stripe.refunds.create({ charge: charge.id, reason: 'fraudulent' });
    const updated = (await receiver.waitForEvent(
      'radar.early_fraud_warning.updated',
      warning.id,
    )) as Stripe.RadarEarlyFraudWarningUpdatedEvent;
    assert.equal(updated.data.object.actionable, false);
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
    assert.equal(retry.status, 'succeeded');
    assert.equal(retry.latest_charge, first.latest_charge);
    assert.equal(retry.lastResponse.headers['idempotent-replayed'], 'true');
    assert.equal((await stripe.charges.list({ payment_intent: approved.id })).data.length, 1);

    const declined = await stripe.paymentIntents.create({
      amount: 1100,
      currency: 'usd',
      ...CARDS_ONLY,
    });
    const declineKey = `confirm-${declined.id}`;
    const confirmDeclined = () =>
      rejection(
        stripe.paymentIntents.confirm(
          declined.id,
          { payment_method: 'pm_card_chargeDeclined' },
          { idempotencyKey: declineKey },
        ),
      );
    const declinedFirst = await confirmDeclined();
    const replayed = await confirmDeclined();
    assert.ok(declinedFirst instanceof Stripe.errors.StripeCardError);
    assert.ok(replayed instanceof Stripe.errors.StripeCardError);
    assert.equal(replayed.charge, declinedFirst.charge);
    assert.equal(replayed.headers?.['idempotent-replayed'], 'true');
    assert.equal((await stripe.charges.list({ payment_intent: declined.id })).data.length, 1);
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
    assert.deepEqual(
      firstPage.data.map((p) => p.id),
      newestFirst.slice(0, 2),
    );
    assert.equal(firstPage.has_more, true);
    const all: string[] = [];
    for await (const paymentIntent of stripe.paymentIntents.list({
      customer: customer.id,
      limit: 2,
    })) {
      all.push(paymentIntent.id);
    }
    assert.deepEqual(all, newestFirst);
    const charges = await stripe.charges.list({ customer: customer.id, limit: 3 });
    assert.equal(charges.data.length, 3);
    assert.equal(charges.has_more, true);
    const secondPage = await stripe.charges.list({
      customer: customer.id,
      limit: 3,
      starting_after: charges.data[2]?.id,
    });
    assert.deepEqual(
      secondPage.data.map((c) => c.payment_intent),
      newestFirst.slice(3),
    );
    const future = await stripe.paymentIntents.list({
      customer: customer.id,
      created: { gt: Math.floor(Date.now() / 1000) + 3600 },
    });
    assert.deepEqual(future.data, []);
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
    assert.equal(success.decline, null);
    assert.equal(success.charge.status, 'succeeded');
    const stored = await stripe.paymentIntents.retrieve(success.paymentIntent.id);
    assert.equal(stored.status, 'succeeded');
    assert.equal(stored.customer, customer.id);
    assert.equal(stored.latest_charge, success.charge.id);
    assert.deepEqual(stored.payment_method_types, ['card']);

    const decline = pay(declining);
    assert.equal(decline.decline?.status, 402);
    assert.equal(decline.decline.body.decline_code, 'generic_decline');
    assert.equal(decline.charge.status, 'failed');
    const declined = await stripe.paymentIntents.retrieve(decline.paymentIntent.id);
    assert.equal(declined.status, 'requires_payment_method');
    await receiver.waitForEvent('payment_intent.payment_failed', declined.id);
  });
});
