import { Controller } from '@nestjs/common';
import {
  stripeEventName,
  type Envelope,
  type EventName,
  type EventPayload,
} from '@aegis/contracts';
import { OnEvent, type ConsumeContext } from '@aegis/messaging';
import { SubscriptionMirrorService } from './subscription-mirror.service.js';

const SUBSCRIPTION_CREATED = stripeEventName('customer.subscription.created');
const SUBSCRIPTION_UPDATED = stripeEventName('customer.subscription.updated');
const SUBSCRIPTION_DELETED = stripeEventName('customer.subscription.deleted');
const SUBSCRIPTION_TRIAL_WILL_END = stripeEventName('customer.subscription.trial_will_end');
const SUBSCRIPTION_PAUSED = stripeEventName('customer.subscription.paused');
const SUBSCRIPTION_RESUMED = stripeEventName('customer.subscription.resumed');

type EnvelopeOf<K extends EventName> = Envelope<K, EventPayload<K>>;

/** Stripe's subscription events as webhook-ingest fans them out; each converges the mirror. */
@Controller()
export class StripeSubscriptionEventsHandler {
  constructor(private readonly mirror: SubscriptionMirrorService) {}

  @OnEvent(SUBSCRIPTION_CREATED)
  async created(
    event: EnvelopeOf<typeof SUBSCRIPTION_CREATED>,
    context: ConsumeContext,
  ): Promise<void> {
    await this.mirror.apply(event, context);
  }

  @OnEvent(SUBSCRIPTION_UPDATED)
  async updated(
    event: EnvelopeOf<typeof SUBSCRIPTION_UPDATED>,
    context: ConsumeContext,
  ): Promise<void> {
    await this.mirror.apply(event, context);
  }

  @OnEvent(SUBSCRIPTION_DELETED)
  async deleted(
    event: EnvelopeOf<typeof SUBSCRIPTION_DELETED>,
    context: ConsumeContext,
  ): Promise<void> {
    await this.mirror.apply(event, context);
  }

  @OnEvent(SUBSCRIPTION_TRIAL_WILL_END)
  async trialWillEnd(
    event: EnvelopeOf<typeof SUBSCRIPTION_TRIAL_WILL_END>,
    context: ConsumeContext,
  ): Promise<void> {
    await this.mirror.apply(event, context);
  }

  @OnEvent(SUBSCRIPTION_PAUSED)
  async paused(
    event: EnvelopeOf<typeof SUBSCRIPTION_PAUSED>,
    context: ConsumeContext,
  ): Promise<void> {
    await this.mirror.apply(event, context);
  }

  @OnEvent(SUBSCRIPTION_RESUMED)
  async resumed(
    event: EnvelopeOf<typeof SUBSCRIPTION_RESUMED>,
    context: ConsumeContext,
  ): Promise<void> {
    await this.mirror.apply(event, context);
  }
}
