import { Injectable } from '@nestjs/common';
import type { ConsumeContext } from '@aegis/messaging';
import type { StripeEventOutcome } from '@aegis/contracts';
import { StripeProvider, idOf, secondsOf, stateToApply, type StripeEnvelope } from '@aegis/stripe';
import { BillingTransaction } from './entities/billing-transaction.entity.js';
import { mirroredOf, withCharge, withPaymentIntent } from './transaction-state.js';
import { TransactionMirrorService } from './transaction-mirror.service.js';

export type PaymentIntentEventEnvelope = StripeEnvelope<
  | 'payment_intent.created'
  | 'payment_intent.processing'
  | 'payment_intent.succeeded'
  | 'payment_intent.payment_failed'
  | 'payment_intent.canceled'
  | 'payment_intent.amount_capturable_updated'
>;

/** A payment intent's events set its payment's row, and follow the intent to its latest charge. */
@Injectable()
export class PaymentIntentTransactionsService {
  constructor(
    private readonly stripe: StripeProvider,
    private readonly mirror: TransactionMirrorService,
  ) {}

  async applyPaymentIntentEvent(
    envelope: PaymentIntentEventEnvelope,
    context: ConsumeContext,
  ): Promise<void> {
    const { manager } = context;
    const event = envelope.data;
    const intent = event.data.object;
    await this.mirror.lockStripeObjects(manager, [intent.id]);
    const row = await manager.findOneBy(BillingTransaction, { stripePaymentIntentId: intent.id });
    const knownCharge = row?.stripeChargeId ?? null;
    const eventCharge = idOf(intent.latest_charge);
    // Another charge than the one mirrored: which one is the intent's latest, only Stripe knows now.
    const inDoubt = knownCharge !== null && eventCharge !== null && eventCharge !== knownCharge;
    const state = await stateToApply(
      this.stripe,
      'payment_intent',
      event,
      secondsOf(row?.paymentIntentLastEventCreated),
      inDoubt,
    );
    if (state.outcome === 'stale') return this.mirror.report(context, 'stale');
    let next = withPaymentIntent(row === null ? null : mirroredOf(row), state.object);
    let outcome: StripeEventOutcome = state.outcome;
    let chargeStamp: number | undefined;
    const latestCharge = idOf(state.object.latest_charge);
    if (knownCharge !== null && latestCharge !== null && latestCharge !== knownCharge) {
      next = withCharge(next, await this.stripe.refetch('charge', latestCharge));
      chargeStamp = event.created;
      outcome = 'refetched';
    }
    await this.mirror.save(context, row, next, {
      paymentIntent: event.created,
      charge: chargeStamp,
    });
    await this.mirror.report(context, outcome);
  }
}
