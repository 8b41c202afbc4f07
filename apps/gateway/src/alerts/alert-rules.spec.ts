import { describe, expect, it } from '@jest/globals';
import type { BillingTransactionV1, DisputeStateV1, SubscriptionStateV1 } from '@aegis/contracts';
import {
  badSignatureBurstAlert,
  disputeDeadlineAlert,
  disputeOpenedAlert,
  messageDeadLetteredAlert,
  snakeCased,
  stripeEventNotAppliedAlert,
  subscriptionAlerts,
  transactionAlerts,
} from './alert-rules.js';

const transactionWith = (overrides: Partial<BillingTransactionV1>): BillingTransactionV1 => ({
  transactionId: '6f1c1d2e-0000-4000-8000-000000000001',
  customerId: 'cust_abc123',
  stripeCustomerId: 'cus_1',
  stripeChargeId: 'ch_1',
  stripePaymentIntentId: 'pi_1',
  stripeInvoiceId: null,
  status: 'failed',
  previousStatus: 'processing',
  amountCents: 4_200,
  currency: 'usd',
  amountRefundedCents: 0,
  updatedAt: '2026-12-01T10:00:00.000Z',
  ...overrides,
});
const transaction = transactionWith({});

const subscriptionWith = (overrides: Partial<SubscriptionStateV1>): SubscriptionStateV1 => ({
  subscriptionId: '6f1c1d2e-0000-4000-8000-000000000002',
  stripeSubscriptionId: 'sub_1',
  customerId: 'cust_abc123',
  stripeCustomerId: 'cus_1',
  priceId: 'price_1',
  quantity: 1,
  unitAmount: 19_900,
  currency: 'usd',
  status: 'active',
  previousStatus: null,
  currentPeriodStart: '2026-12-01T00:00:00.000Z',
  currentPeriodEnd: '2027-01-01T00:00:00.000Z',
  cancelAtPeriodEnd: false,
  canceledAt: null,
  trialEnd: null,
  updatedAt: '2026-12-01T10:00:00.000Z',
  ...overrides,
});
const subscription = subscriptionWith({});

const dispute: DisputeStateV1 = {
  disputeId: '6f1c1d2e-0000-4000-8000-000000000003',
  stripeDisputeId: 'dp_1',
  stripeChargeId: 'ch_1',
  stripePaymentIntentId: 'pi_1',
  customerId: 'cust_abc123',
  amount: 4_200,
  currency: 'usd',
  status: 'needs_response',
  previousStatus: null,
  reason: 'fraudulent',
  evidenceDueBy: '2026-12-10T23:59:59.000Z',
  feeCents: 1_500,
  amountWithdrawn: 4_200,
  evidenceSubmitted: false,
  updatedAt: '2026-12-01T10:00:00.000Z',
};

const settings = { highValueCents: 100_000 };

describe('the alert rules', () => {
  it('a failed payment carries what the operator tells the customer, once per transaction', () => {
    const [alert, ...none] = transactionAlerts(transaction, settings);
    expect(none).toEqual([]);
    expect(alert).toMatchObject({
      type: 'payment_failed',
      causeKey: `payment_failed:${transaction.transactionId}`,
      customerId: 'cust_abc123',
      data: {
        transaction_id: transaction.transactionId,
        customer_id: 'cust_abc123',
        amount_cents: 4_200,
        currency: 'usd',
        failure_code: null,
        failure_reason: null,
      },
    });
    const declined = transactionWith({
      failureCode: 'insufficient_funds',
      failureMessage: 'Your card has insufficient funds.',
    });
    const [withReason] = transactionAlerts(declined, settings);
    expect(withReason?.data).toMatchObject({
      failure_code: 'insufficient_funds',
      failure_reason: 'Your card has insufficient funds.',
    });
    expect(withReason?.summary).toContain(
      'failed: Your card has insufficient funds. (insufficient_funds)',
    );
    const [codeOnly] = transactionAlerts(
      transactionWith({ failureCode: 'expired_card' }),
      settings,
    );
    expect(codeOnly?.data).toMatchObject({
      failure_code: 'expired_card',
      failure_reason: 'expired_card',
    });
  });

  it('a succeeded payment at or above the threshold is high-value; below it, nothing', () => {
    const at = transactionWith({ status: 'succeeded', amountCents: 100_000 });
    expect(transactionAlerts(at, settings).map((alert) => alert.causeKey)).toEqual([
      `high_value_transaction:${transaction.transactionId}`,
    ]);
    expect(
      transactionAlerts(transactionWith({ status: 'succeeded', amountCents: 99_999 }), settings),
    ).toEqual([]);
    expect(transactionAlerts(transactionWith({ status: 'pending' }), settings)).toEqual([]);
  });

  it('a subscription that ends or is set to end at its period raises one cause', () => {
    expect(subscriptionAlerts(subscription, false)).toEqual([]);
    const scheduled = subscriptionAlerts(subscriptionWith({ cancelAtPeriodEnd: true }), false);
    const ended = subscriptionAlerts(subscriptionWith({ status: 'canceled' }), true);
    expect(scheduled.map((alert) => alert.causeKey)).toEqual(ended.map((alert) => alert.causeKey));
    expect(ended[0]?.data).toMatchObject({ ended: true, status: 'canceled' });
    expect(scheduled[0]?.data).toMatchObject({ ended: false, cancel_at_period_end: true });
  });

  it('disputes: opened and deadline approaching, keyed by the dispute', () => {
    expect(disputeOpenedAlert(dispute)).toMatchObject({
      type: 'dispute_opened',
      causeKey: `dispute_opened:${dispute.disputeId}`,
      data: { amount_cents: 4_200, evidence_due_by: dispute.evidenceDueBy },
    });
    expect(disputeDeadlineAlert(dispute).causeKey).toBe(
      `dispute_deadline_approaching:${dispute.disputeId}`,
    );
  });

  it('names a payload’s fields as the public API does', () => {
    expect(snakeCased({ amountCents: 1, stripeChargeId: 'ch_1', status: 'x' })).toEqual({
      amount_cents: 1,
      stripe_charge_id: 'ch_1',
      status: 'x',
    });
  });
});

describe('webhook processing failure rules', () => {
  it('a dead-lettered message: one cause per service and message id, its facts in snake case', () => {
    const notice = {
      service: 'billing',
      queue: 'aegis.billing',
      messageType: 'stripe.invoice.paid',
      messageId: 'evt_1',
      reason: 'failed 5 times; last error: Error: boom',
      attempts: 5,
      deadLetteredAt: '2026-12-04T01:00:00.000Z',
    };
    const alert = messageDeadLetteredAlert(notice);
    expect(alert).toMatchObject({
      type: 'message_dead_lettered',
      causeKey: 'message_dead_lettered:billing:evt_1',
      customerId: null,
      data: { service: 'billing', message_type: 'stripe.invoice.paid', message_id: 'evt_1' },
    });
    expect(alert.summary).toContain('billing dead-lettered stripe.invoice.paid evt_1');
    expect(messageDeadLetteredAlert({ ...notice, service: 'disputes' }).causeKey).toBe(
      'message_dead_lettered:disputes:evt_1',
    );
  });

  it('a bad-signature burst: one cause per window, with the count and the sources', () => {
    const alert = badSignatureBurstAlert({
      windowStart: '2026-12-04T01:00:00.000Z',
      windowSeconds: 300,
      threshold: 20,
      rejected: 20,
      sourceIps: ['10.0.0.7', '192.0.2.1'],
    });
    expect(alert.causeKey).toBe('webhook_bad_signature_burst:2026-12-04T01:00:00.000Z');
    expect(alert.data).toMatchObject({ rejected: 20, source_ips: ['10.0.0.7', '192.0.2.1'] });
    expect(alert.summary).toContain('10.0.0.7, 192.0.2.1');
  });

  it('a Stripe event not applied in time: one cause per event, naming who did not apply it', () => {
    const alert = stripeEventNotAppliedAlert({
      eventId: 'evt_2',
      eventType: 'invoice.paid',
      publishedAt: '2026-12-04T01:00:00.000Z',
      deadlineSeconds: 300,
      missingServices: ['subscriptions'],
      appliedBy: ['billing'],
      checkedAt: '2026-12-04T01:06:00.000Z',
    });
    expect(alert.causeKey).toBe('stripe_event_not_applied:evt_2');
    expect(alert.data).toMatchObject({
      missing_services: ['subscriptions'],
      applied_by: ['billing'],
    });
    expect(alert.summary).toContain('not applied by subscriptions within 300 s');
  });
});
