import { Injectable } from '@nestjs/common';
import type { ConsumeContext } from '@aegis/messaging';
import { StripeProvider, idOf, secondsOf, stateToApply, type StripeEnvelope } from '@aegis/stripe';
import { BillingTransaction } from './entities/billing-transaction.entity.js';
import { mirroredOf, withCharge, withPaymentIntent } from './transaction-state.js';
import { TransactionMirrorService } from './transaction-mirror.service.js';

export type ChargeEventEnvelope = StripeEnvelope<
  'charge.succeeded' | 'charge.failed' | 'charge.refunded' | 'charge.updated' | 'charge.captured'
>;

/** A charge's events set its payment's row, found by the charge's intent or else the charge. */
@Injectable()
export class ChargeTransactionsService {
  constructor(
    private readonly stripe: StripeProvider,
    private readonly mirror: TransactionMirrorService,
  ) {}

  async applyChargeEvent(envelope: ChargeEventEnvelope, context: ConsumeContext): Promise<void> {
    const { manager } = context;
    const event = envelope.data;
    const charge = event.data.object;
    const intentId = idOf(charge.payment_intent);
    await this.mirror.lockStripeObjects(manager, [intentId ?? charge.id]);
    const row =
      (intentId === null
        ? null
        : await manager.findOneBy(BillingTransaction, { stripePaymentIntentId: intentId })) ??
      (await manager.findOneBy(BillingTransaction, { stripeChargeId: charge.id }));
    if (intentId !== null && row?.stripeChargeId != null && row.stripeChargeId !== charge.id) {
      const changed = await this.settleLatestCharge(context, row, intentId, event.created);
      return this.mirror.report(context, changed ? 'refetched' : 'stale');
    }
    const state = await stateToApply(
      this.stripe,
      'charge',
      event,
      secondsOf(row?.chargeLastEventCreated),
    );
    if (state.outcome === 'stale') return this.mirror.report(context, 'stale');
    const next = withCharge(row === null ? null : mirroredOf(row), state.object);
    await this.mirror.save(context, row, next, { charge: event.created });
    await this.mirror.report(context, state.outcome);
  }

  /**
   * Two charges of one intent were seen (a declined attempt and its retry):
   * the row follows the one Stripe calls the intent's latest. Returns whether
   * the row changed.
   */
  private async settleLatestCharge(
    context: ConsumeContext,
    row: BillingTransaction,
    intentId: string,
    eventCreated: number,
  ): Promise<boolean> {
    const intent = await this.stripe.refetch('payment_intent', intentId);
    let next = withPaymentIntent(mirroredOf(row), intent);
    let chargeStamp: number | undefined;
    const latestCharge = idOf(intent.latest_charge);
    if (latestCharge !== null && latestCharge !== row.stripeChargeId) {
      next = withCharge(next, await this.stripe.refetch('charge', latestCharge));
      chargeStamp = eventCreated;
    }
    return this.mirror.save(context, row, next, {
      paymentIntent: eventCreated,
      charge: chargeStamp,
    });
  }
}
