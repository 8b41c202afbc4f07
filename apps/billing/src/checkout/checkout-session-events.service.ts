import { Injectable } from '@nestjs/common';
import type { StripeEventOutcome } from '@aegis/contracts';
import {
  AEGIS_CHECKOUT_ID_KEY,
  StripeProvider,
  fromStripeTime,
  idOf,
  laterStamp,
  secondsOf,
  stateToApply,
  type StripeEnvelope,
} from '@aegis/stripe';
import type { EntityManager } from 'typeorm';
import { checkoutStatusOf, type CheckoutSessionEventType } from './checkout-status.js';
import { CheckoutSession } from './entities/checkout-session.entity.js';

/**
 * Stripe's `checkout.session.*` events move our checkout (if it is one of
 * ours: named in `metadata.aegis_checkout_id`, or by its session id): its
 * status, payment intent, subscription and invoice. Applied by the
 * convergence rule: an older event than the last applied changes nothing, a
 * same-second one is settled by re-fetching the session, and the status never
 * moves backwards (checkout-status.ts). Sessions that are not ours are `ignored`.
 */
@Injectable()
export class CheckoutSessionEventsService {
  /** StripeProvider, not the PaymentProvider: the convergence rule re-fetches through it. */
  constructor(private readonly stripe: StripeProvider) {}

  async apply(
    manager: EntityManager,
    envelope: StripeEnvelope<CheckoutSessionEventType>,
  ): Promise<StripeEventOutcome> {
    const event = envelope.data;
    const object = event.data.object;
    const ourId = object.metadata?.[AEGIS_CHECKOUT_ID_KEY];
    const row = await manager.findOne(CheckoutSession, {
      where: ourId === undefined ? { stripeCheckoutSessionId: object.id } : { checkoutId: ourId },
      lock: { mode: 'pessimistic_write' },
    });
    if (row === null) return 'ignored';
    const state = await stateToApply(
      this.stripe,
      'checkout.session',
      event,
      secondsOf(row.lastEventCreated),
    );
    if (state.outcome === 'stale') return 'stale';
    const session = state.object;
    const eventType = state.outcome === 'applied' ? event.type : null;
    const status = checkoutStatusOf(row.status, session, eventType);
    const completed = session.status === 'complete';
    await manager.update(
      CheckoutSession,
      { checkoutId: row.checkoutId },
      {
        status,
        url: session.status === 'open' ? (session.url ?? row.url) : null,
        amountTotal: session.amount_total ?? row.amountTotal,
        stripePaymentIntentId: idOf(session.payment_intent) ?? row.stripePaymentIntentId,
        stripeSubscriptionId: idOf(session.subscription) ?? row.stripeSubscriptionId,
        stripeInvoiceId: idOf(session.invoice) ?? row.stripeInvoiceId,
        completedAt: row.completedAt ?? (completed ? fromStripeTime(event.created) : null),
        lastEventCreated: laterStamp(row.lastEventCreated, event.created),
        updatedAt: new Date(),
      },
    );
    return state.outcome;
  }
}
