import { Controller } from '@nestjs/common';
import {
  BILLING_CUSTOMER_CREATED_V1,
  BILLING_TRANSACTION_CREATED_V1,
  BILLING_TRANSACTION_UPDATED_V1,
  DISPUTE_CLOSED_V1,
  DISPUTE_CREATED_V1,
  DISPUTE_DEADLINE_APPROACHING_V1,
  DISPUTE_UPDATED_V1,
  MESSAGE_DEAD_LETTERED_V1,
  STRIPE_EVENT_NOT_APPLIED_V1,
  SUBSCRIPTION_CREATED_V1,
  SUBSCRIPTION_ENDED_V1,
  SUBSCRIPTION_UPDATED_V1,
  WEBHOOK_BAD_SIGNATURE_BURST_V1,
  type Envelope,
  type EventName,
  type EventPayload,
} from '@aegis/contracts';
import { OnEvent, type ConsumeContext } from '@aegis/messaging';
import { GatewayEnv } from '../config/gateway.env.js';
import { WebhookFanout } from '../webhooks/webhook-fanout.js';
import {
  badSignatureBurstAlert,
  disputeDeadlineAlert,
  disputeOpenedAlert,
  messageDeadLetteredAlert,
  snakeCased,
  stripeEventNotAppliedAlert,
  subscriptionAlerts,
  transactionAlerts,
  type AlertCandidate,
} from './alert-rules.js';
import { AlertsService } from './alerts.service.js';

type EnvelopeOf<K extends EventName> = Envelope<K, EventPayload<K>>;

/**
 * The domain events the gateway consumes. The messaging server keeps one
 * handler per event type, so each handler here does both: the alert rules
 * (docs/alerts.md) and the outbound webhook fan-out of the event itself
 * (docs/webhooks.md), all in the event's inbox transaction: a redelivery of
 * the same message is a no-op, and a replay under another id raises no alert
 * twice (one per cause).
 */
@Controller()
export class DomainEventsHandler {
  constructor(
    private readonly alerts: AlertsService,
    private readonly fanout: WebhookFanout,
    private readonly env: GatewayEnv,
  ) {}

  @OnEvent(BILLING_TRANSACTION_CREATED_V1)
  async transactionCreated(
    event: EnvelopeOf<typeof BILLING_TRANSACTION_CREATED_V1>,
    context: ConsumeContext,
  ): Promise<void> {
    await this.apply(event, context, transactionAlerts(event.data, this.ruleSettings()));
  }

  @OnEvent(BILLING_TRANSACTION_UPDATED_V1)
  async transactionUpdated(
    event: EnvelopeOf<typeof BILLING_TRANSACTION_UPDATED_V1>,
    context: ConsumeContext,
  ): Promise<void> {
    await this.apply(event, context, transactionAlerts(event.data, this.ruleSettings()));
  }

  @OnEvent(SUBSCRIPTION_CREATED_V1)
  async subscriptionCreated(
    event: EnvelopeOf<typeof SUBSCRIPTION_CREATED_V1>,
    context: ConsumeContext,
  ): Promise<void> {
    await this.apply(event, context, subscriptionAlerts(event.data, false));
  }

  @OnEvent(SUBSCRIPTION_UPDATED_V1)
  async subscriptionUpdated(
    event: EnvelopeOf<typeof SUBSCRIPTION_UPDATED_V1>,
    context: ConsumeContext,
  ): Promise<void> {
    await this.apply(event, context, subscriptionAlerts(event.data, false));
  }

  @OnEvent(SUBSCRIPTION_ENDED_V1)
  async subscriptionEnded(
    event: EnvelopeOf<typeof SUBSCRIPTION_ENDED_V1>,
    context: ConsumeContext,
  ): Promise<void> {
    await this.apply(event, context, subscriptionAlerts(event.data, true));
  }

  @OnEvent(DISPUTE_CREATED_V1)
  async disputeCreated(
    event: EnvelopeOf<typeof DISPUTE_CREATED_V1>,
    context: ConsumeContext,
  ): Promise<void> {
    await this.apply(event, context, [disputeOpenedAlert(event.data)]);
  }

  @OnEvent(DISPUTE_UPDATED_V1)
  async disputeUpdated(
    event: EnvelopeOf<typeof DISPUTE_UPDATED_V1>,
    context: ConsumeContext,
  ): Promise<void> {
    await this.apply(event, context, []);
  }

  @OnEvent(DISPUTE_CLOSED_V1)
  async disputeClosed(
    event: EnvelopeOf<typeof DISPUTE_CLOSED_V1>,
    context: ConsumeContext,
  ): Promise<void> {
    await this.apply(event, context, []);
  }

  @OnEvent(DISPUTE_DEADLINE_APPROACHING_V1)
  async disputeDeadlineApproaching(
    event: EnvelopeOf<typeof DISPUTE_DEADLINE_APPROACHING_V1>,
    context: ConsumeContext,
  ): Promise<void> {
    await this.apply(event, context, [disputeDeadlineAlert(event.data)]);
  }

  @OnEvent(BILLING_CUSTOMER_CREATED_V1)
  async customerCreated(
    event: EnvelopeOf<typeof BILLING_CUSTOMER_CREATED_V1>,
    context: ConsumeContext,
  ): Promise<void> {
    await this.apply(event, context, []);
  }

  // Webhook processing failures: only their alerts go out (`alert.<type>`), not the platform
  // events themselves, which are not among the webhook event types.

  @OnEvent(MESSAGE_DEAD_LETTERED_V1)
  async messageDeadLettered(
    event: EnvelopeOf<typeof MESSAGE_DEAD_LETTERED_V1>,
    context: ConsumeContext,
  ): Promise<void> {
    await this.alerts.raise(context.manager, messageDeadLetteredAlert(event.data), event.id);
  }

  @OnEvent(WEBHOOK_BAD_SIGNATURE_BURST_V1)
  async badSignatureBurst(
    event: EnvelopeOf<typeof WEBHOOK_BAD_SIGNATURE_BURST_V1>,
    context: ConsumeContext,
  ): Promise<void> {
    await this.alerts.raise(context.manager, badSignatureBurstAlert(event.data), event.id);
  }

  @OnEvent(STRIPE_EVENT_NOT_APPLIED_V1)
  async stripeEventNotApplied(
    event: EnvelopeOf<typeof STRIPE_EVENT_NOT_APPLIED_V1>,
    context: ConsumeContext,
  ): Promise<void> {
    await this.alerts.raise(context.manager, stripeEventNotAppliedAlert(event.data), event.id);
  }

  private ruleSettings(): { highValueCents: number } {
    return { highValueCents: this.env.ALERT_HIGH_VALUE_CENTS };
  }

  /** The event's alerts (each once per cause), then the event itself to its subscribers. */
  private async apply(
    event: Envelope<string, object>,
    context: ConsumeContext,
    candidates: readonly AlertCandidate[],
  ): Promise<void> {
    for (const candidate of candidates)
      await this.alerts.raise(context.manager, candidate, event.id);
    await this.fanout.enqueue(context.manager, {
      id: event.id,
      type: event.type,
      created: Math.floor(Date.parse(event.occurredAt) / 1_000),
      data: snakeCased(event.data),
    });
  }
}
