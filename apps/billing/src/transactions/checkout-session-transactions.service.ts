import { Injectable } from '@nestjs/common';
import type { ConsumeContext } from '@aegis/messaging';
import { idOf, type StripeEnvelope } from '@aegis/stripe';
import { mirroredOf, type MirroredPayment, type PaymentRef } from './transaction-state.js';
import { TransactionMirrorService } from './transaction-mirror.service.js';

export type CheckoutSessionEventEnvelope = StripeEnvelope<'checkout.session.completed'>;

@Injectable()
export class CheckoutSessionTransactionsService {
  constructor(private readonly mirror: TransactionMirrorService) {}

  /** A checkout session in payment mode attaches itself (and its customer) to its payment. */
  async applyCheckoutSessionEvent(
    envelope: CheckoutSessionEventEnvelope,
    context: ConsumeContext,
  ): Promise<void> {
    const { manager } = context;
    const event = envelope.data;
    const session = event.data.object;
    const intentId = idOf(session.payment_intent);
    if (session.mode !== 'payment' || intentId === null) {
      return this.mirror.report(context, 'ignored');
    }
    const ref: PaymentRef = { kind: 'payment_intent', id: intentId };
    await this.mirror.lockStripeObjects(manager, [intentId]);
    const row = await this.mirror.findByRef(manager, ref);
    const { payment, stamps } =
      row === null
        ? await this.mirror.paymentFromStripe(ref, event.created)
        : { payment: mirroredOf(row), stamps: {} };
    const next: MirroredPayment = {
      ...payment,
      stripeCheckoutSessionId: session.id,
      stripeCustomerId: payment.stripeCustomerId ?? idOf(session.customer),
    };
    const changed = await this.mirror.save(context, row, next, stamps);
    const outcome = row === null ? 'refetched' : 'applied';
    await this.mirror.report(context, changed ? outcome : 'stale');
  }
}
