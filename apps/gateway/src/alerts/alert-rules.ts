import type {
  AlertTypeV1,
  BillingTransactionV1,
  DisputeStateV1,
  MessageDeadLetteredV1,
  StripeEventNotAppliedV1,
  SubscriptionStateV1,
  WebhookBadSignatureBurstV1,
} from '@aegis/contracts';

/** An alert a rule would raise: stored once per `causeKey` (docs/alerts.md). */
export interface AlertCandidate {
  readonly type: AlertTypeV1;
  readonly causeKey: string;
  readonly customerId: string | null;
  readonly summary: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface AlertRuleSettings {
  /** ALERT_HIGH_VALUE_CENTS. */
  readonly highValueCents: number;
}

function money(cents: number, currency: string): string {
  return `${cents} ${currency} (minor units)`;
}

function transactionFacts(transaction: BillingTransactionV1): Record<string, unknown> {
  return {
    transaction_id: transaction.transactionId,
    customer_id: transaction.customerId,
    amount_cents: transaction.amountCents,
    currency: transaction.currency,
    status: transaction.status,
    previous_status: transaction.previousStatus,
    stripe_customer_id: transaction.stripeCustomerId,
    stripe_charge_id: transaction.stripeChargeId,
    stripe_payment_intent_id: transaction.stripePaymentIntentId,
    stripe_invoice_id: transaction.stripeInvoiceId,
    updated_at: transaction.updatedAt,
  };
}

/** `: <Stripe's message> (<code>)` of a failed payment, or nothing when Stripe gave no reason. */
function failureOf(transaction: BillingTransactionV1): string {
  const code = transaction.failureCode ?? null;
  const message = transaction.failureMessage ?? null;
  if (message !== null) return code === null ? `: ${message}` : `: ${message} (${code})`;
  return code === null ? '' : `: ${code}`;
}

/** A billing transaction reaching `failed`; a succeeded one at or above the high-value threshold. */
export function transactionAlerts(
  transaction: BillingTransactionV1,
  settings: AlertRuleSettings,
): AlertCandidate[] {
  const who = transaction.customerId ?? 'an unknown customer';
  const amount = money(transaction.amountCents, transaction.currency);
  if (transaction.status === 'failed')
    return [
      {
        type: 'payment_failed',
        causeKey: `payment_failed:${transaction.transactionId}`,
        customerId: transaction.customerId,
        summary: `payment of ${amount} by ${who} failed${failureOf(transaction)} (transaction ${transaction.transactionId})`,
        data: {
          ...transactionFacts(transaction),
          failure_code: transaction.failureCode ?? null,
          failure_reason: transaction.failureMessage ?? transaction.failureCode ?? null,
        },
      },
    ];
  if (transaction.status === 'succeeded' && transaction.amountCents >= settings.highValueCents)
    return [
      {
        type: 'high_value_transaction',
        causeKey: `high_value_transaction:${transaction.transactionId}`,
        customerId: transaction.customerId,
        summary: `payment of ${amount} by ${who} succeeded, at or above ${settings.highValueCents} (transaction ${transaction.transactionId})`,
        data: { ...transactionFacts(transaction), threshold_cents: settings.highValueCents },
      },
    ];
  return [];
}

/**
 * A subscription that ended, or is set to end at its period's end: one alert
 * per subscription, whichever of the two came first.
 */
export function subscriptionAlerts(
  subscription: SubscriptionStateV1,
  ended: boolean,
): AlertCandidate[] {
  const over = ended || subscription.status === 'canceled';
  if (!over && !subscription.cancelAtPeriodEnd) return [];
  return [
    {
      type: 'subscription_canceled',
      causeKey: `subscription_canceled:${subscription.subscriptionId}`,
      customerId: subscription.customerId,
      summary: over
        ? `subscription ${subscription.subscriptionId} of ${subscription.customerId} ended (${subscription.status})`
        : `subscription ${subscription.subscriptionId} of ${subscription.customerId} is canceled at its period's end (${subscription.currentPeriodEnd ?? 'unknown'})`,
      data: {
        subscription_id: subscription.subscriptionId,
        stripe_subscription_id: subscription.stripeSubscriptionId,
        customer_id: subscription.customerId,
        status: subscription.status,
        ended: over,
        cancel_at_period_end: subscription.cancelAtPeriodEnd,
        current_period_end: subscription.currentPeriodEnd,
        canceled_at: subscription.canceledAt,
        price_id: subscription.priceId,
        unit_amount_cents: subscription.unitAmount,
        quantity: subscription.quantity,
        currency: subscription.currency,
      },
    },
  ];
}

function disputeFacts(dispute: DisputeStateV1): Record<string, unknown> {
  return {
    dispute_id: dispute.disputeId,
    stripe_dispute_id: dispute.stripeDisputeId,
    stripe_charge_id: dispute.stripeChargeId,
    stripe_payment_intent_id: dispute.stripePaymentIntentId,
    customer_id: dispute.customerId,
    amount_cents: dispute.amount,
    currency: dispute.currency,
    status: dispute.status,
    reason: dispute.reason,
    evidence_due_by: dispute.evidenceDueBy,
    evidence_submitted: dispute.evidenceSubmitted,
  };
}

/** `dispute.created.v1`. */
export function disputeOpenedAlert(dispute: DisputeStateV1): AlertCandidate {
  return {
    type: 'dispute_opened',
    causeKey: `dispute_opened:${dispute.disputeId}`,
    customerId: dispute.customerId,
    summary: `dispute ${dispute.stripeDisputeId} opened on ${dispute.stripeChargeId}: ${money(dispute.amount, dispute.currency)}, ${dispute.reason}; evidence due by ${dispute.evidenceDueBy ?? 'unknown'}`,
    data: disputeFacts(dispute),
  };
}

/** `dispute.deadline_approaching.v1`. */
export function disputeDeadlineAlert(dispute: DisputeStateV1): AlertCandidate {
  return {
    type: 'dispute_deadline_approaching',
    causeKey: `dispute_deadline_approaching:${dispute.disputeId}`,
    customerId: dispute.customerId,
    summary: `dispute ${dispute.stripeDisputeId} (${money(dispute.amount, dispute.currency)}): evidence due by ${dispute.evidenceDueBy ?? 'unknown'}, none submitted`,
    data: disputeFacts(dispute),
  };
}

/** An endpoint disabled after its deliveries failed for WEBHOOK_DISABLE_AFTER_HOURS. */
export function endpointDisabledAlert(endpoint: {
  readonly id: string;
  readonly url: string;
  readonly failingSince: Date;
  readonly disabledAt: Date;
}): AlertCandidate {
  return {
    type: 'webhook_endpoint_disabled',
    causeKey: `webhook_endpoint_disabled:${endpoint.id}`,
    customerId: null,
    summary: `webhook endpoint ${endpoint.id} (${endpoint.url}) disabled: every delivery failed since ${endpoint.failingSince.toISOString()}`,
    data: {
      endpoint_id: endpoint.id,
      url: endpoint.url,
      failing_since: endpoint.failingSince.toISOString(),
      disabled_at: endpoint.disabledAt.toISOString(),
    },
  };
}

/** A consumer dead-lettered a message: once per service and message id. */
export function messageDeadLetteredAlert(notice: MessageDeadLetteredV1): AlertCandidate {
  return {
    type: 'message_dead_lettered',
    causeKey: `message_dead_lettered:${notice.service}:${notice.messageId}`,
    customerId: null,
    summary: `${notice.service} dead-lettered ${notice.messageType} ${notice.messageId} after ${notice.attempts} attempt(s): ${notice.reason}`,
    data: snakeCased(notice),
  };
}

/** Rejected Stripe signatures reached the threshold in one window: once per window. */
export function badSignatureBurstAlert(burst: WebhookBadSignatureBurstV1): AlertCandidate {
  return {
    type: 'webhook_bad_signature_burst',
    causeKey: `webhook_bad_signature_burst:${burst.windowStart}`,
    customerId: null,
    summary: `${burst.rejected} Stripe webhooks with bad signatures within ${burst.windowSeconds} s from ${burst.windowStart} (threshold ${burst.threshold}), from ${burst.sourceIps.length === 0 ? 'unknown addresses' : burst.sourceIps.join(', ')}`,
    data: snakeCased(burst),
  };
}

/** A stored Stripe event a consumer did not apply in time: once per event. */
export function stripeEventNotAppliedAlert(event: StripeEventNotAppliedV1): AlertCandidate {
  return {
    type: 'stripe_event_not_applied',
    causeKey: `stripe_event_not_applied:${event.eventId}`,
    customerId: null,
    summary: `${event.eventType} ${event.eventId} not applied by ${event.missingServices.join(', ')} within ${event.deadlineSeconds} s of its publication (${event.publishedAt})`,
    data: snakeCased(event),
  };
}

/** A payload's fields as the public API names them (`amountCents` → `amount_cents`). */
export function snakeCased(payload: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(payload).map(([key, value]) => [
      key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`),
      value,
    ]),
  );
}
