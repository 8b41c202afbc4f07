import { Injectable } from '@nestjs/common';
import { REFUND_REASONS, type RefundReason } from '@aegis/contracts';
import type { ConsumeContext } from '@aegis/messaging';
import {
  AEGIS_REFUND_ID_KEY,
  StripeProvider,
  idOf,
  laterStamp,
  secondsOf,
  stateToApply,
  type StripeEnvelope,
} from '@aegis/stripe';
import type Stripe from 'stripe';
import { BillingTransaction } from '../transactions/entities/billing-transaction.entity.js';
import { TransactionMirrorService } from '../transactions/transaction-mirror.service.js';
import { mirroredOf, withCharge, type PaymentRef } from '../transactions/transaction-state.js';
import { Refund } from './entities/refund.entity.js';
import { refundHoldsMoney, refundStatusOf } from './refund-state.js';
import { newRefundId } from './refunds.service.js';

export type RefundEventEnvelope = StripeEnvelope<
  'refund.created' | 'refund.updated' | 'refund.failed' | 'charge.refund.updated'
>;

/**
 * Stripe's refund events move our refunds (docs/ledger.md, "Refund events"):
 * a refund naming our id (`metadata.aegis_refund_id`) is ours, any other is
 * mirrored as one made at Stripe. They go through the mirror toolkit as charge
 * events do: the payment's lock, the convergence rule on the refund's own
 * stamp, the inbox, and a receipt. A refund that failed or was canceled gave
 * its money back, which Stripe shows on the charge: the charge is re-fetched
 * and applied. The release of an authorization (a partial capture or a
 * cancel, a card `reversal`) is no refund of money taken: `ignored`.
 */
@Injectable()
export class RefundEventsService {
  constructor(
    private readonly stripe: StripeProvider,
    private readonly mirror: TransactionMirrorService,
  ) {}

  async apply(envelope: RefundEventEnvelope, context: ConsumeContext): Promise<void> {
    const { manager } = context;
    const event = envelope.data;
    const object = event.data.object;
    const chargeId = idOf(object.charge);
    const intentId = idOf(object.payment_intent);
    if (isRelease(object) || (chargeId === null && intentId === null)) {
      return this.mirror.report(context, 'ignored');
    }
    await this.mirror.lockStripeObjects(manager, [intentId ?? chargeId ?? '']);
    const ref: PaymentRef =
      intentId === null
        ? { kind: 'charge', id: chargeId ?? '' }
        : { kind: 'payment_intent', id: intentId };
    let transaction =
      (await this.mirror.findByRef(manager, ref)) ??
      (chargeId === null
        ? null
        : await manager.findOneBy(BillingTransaction, { stripeChargeId: chargeId }));
    if (transaction === null) {
      const { payment, stamps } = await this.mirror.paymentFromStripe(ref, event.created);
      await this.mirror.save(context, null, payment, stamps);
      transaction = await this.mirror.findByRef(manager, ref);
      if (transaction === null) return this.mirror.report(context, 'ignored');
    }
    // Every change to a charge's refunds happens under its row lock (as reservations do).
    await manager.findOne(BillingTransaction, {
      where: { transactionId: transaction.transactionId },
      lock: { mode: 'pessimistic_write' },
    });
    // Our ids only: another system's metadata under the same key is no refund of ours.
    const named = object.metadata?.[AEGIS_REFUND_ID_KEY];
    const ourId = named !== undefined && /^rf_\w+$/.test(named) ? named : undefined;
    const refund = await manager.findOne(Refund, {
      where: ourId === undefined ? { stripeRefundId: object.id } : { refundId: ourId },
    });
    const state = await stateToApply(
      this.stripe,
      'refund',
      event,
      secondsOf(refund?.lastEventCreated),
    );
    if (state.outcome === 'stale') return this.mirror.report(context, 'stale');
    const current = state.object;
    const status = refundStatusOf(current.status);
    const stamp = laterStamp(refund?.lastEventCreated, event.created);
    const mirrored = {
      stripeRefundId: current.id,
      stripeStatus: current.status,
      status,
      failureReason: current.failure_reason ?? null,
      lastEventCreated: stamp,
    };
    if (refund === null) {
      const now = new Date();
      await manager.insert(Refund, {
        refundId: ourId ?? newRefundId(),
        transactionId: transaction.transactionId,
        customerId: transaction.customerId,
        origin: ourId === undefined ? 'stripe' : 'aegis',
        amountCents: current.amount,
        currency: current.currency,
        reason: reasonOf(current.reason),
        ...mirrored,
        createdAt: new Date(current.created * 1_000),
        updatedAt: now,
      });
    } else {
      await manager.update(
        Refund,
        { refundId: refund.refundId },
        { ...mirrored, updatedAt: new Date() },
      );
    }
    const gaveBack =
      !refundHoldsMoney(status) && (refund === null || refundHoldsMoney(refund.status));
    if (gaveBack && transaction.stripeChargeId !== null) {
      const charge = await this.stripe.refetch('charge', transaction.stripeChargeId);
      await this.mirror.save(context, transaction, withCharge(mirroredOf(transaction), charge), {
        charge: event.created,
      });
    }
    await this.mirror.report(context, state.outcome);
  }
}

/** The uncaptured part of an authorization given back: a card reversal, not a refund. */
function isRelease(refund: Stripe.Refund): boolean {
  return refund.destination_details?.card?.type === 'reversal';
}

function reasonOf(reason: Stripe.Refund['reason']): Refund['reason'] {
  const known: readonly string[] = REFUND_REASONS;
  return reason !== null && known.includes(reason) ? (reason as RefundReason) : null;
}
