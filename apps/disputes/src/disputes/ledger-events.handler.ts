import { Controller } from '@nestjs/common';
import {
  BILLING_TRANSACTION_CREATED_V1,
  BILLING_TRANSACTION_UPDATED_V1,
  type BillingTransactionV1,
  type Envelope,
} from '@aegis/contracts';
import { OnEvent, type ConsumeContext } from '@aegis/messaging';
import { Brackets, IsNull } from 'typeorm';
import { DisputeMirrorService } from './dispute-mirror.service.js';
import { Dispute } from './entities/dispute.entity.js';

/**
 * billing's ledger events: a dispute that came before its payment was known
 * is linked as soon as billing records the payment (its charge or payment
 * intent), without waiting for the sweep.
 */
@Controller()
export class LedgerEventsHandler {
  constructor(private readonly mirror: DisputeMirrorService) {}

  @OnEvent(BILLING_TRANSACTION_CREATED_V1)
  created(
    event: Envelope<typeof BILLING_TRANSACTION_CREATED_V1, BillingTransactionV1>,
    context: ConsumeContext,
  ): Promise<void> {
    return this.linkDisputesOf(event.data, context);
  }

  /** An intent's transaction learns its charge id later: a dispute naming only the charge links then. */
  @OnEvent(BILLING_TRANSACTION_UPDATED_V1)
  updated(
    event: Envelope<typeof BILLING_TRANSACTION_UPDATED_V1, BillingTransactionV1>,
    context: ConsumeContext,
  ): Promise<void> {
    return this.linkDisputesOf(event.data, context);
  }

  private async linkDisputesOf(
    transaction: BillingTransactionV1,
    context: ConsumeContext,
  ): Promise<void> {
    const { stripeChargeId, stripePaymentIntentId } = transaction;
    if (stripeChargeId === null && stripePaymentIntentId === null) return;
    const unlinked = await context.manager
      .createQueryBuilder(Dispute, 'dispute')
      .select(['dispute.disputeId'])
      .where({ transactionId: IsNull() })
      .andWhere(
        new Brackets((either) => {
          if (stripeChargeId !== null)
            either.orWhere('dispute.stripeChargeId = :stripeChargeId', { stripeChargeId });
          if (stripePaymentIntentId !== null)
            either.orWhere('dispute.stripePaymentIntentId = :stripePaymentIntentId', {
              stripePaymentIntentId,
            });
        }),
      )
      .getMany();
    for (const dispute of unlinked)
      await this.mirror.link(context, dispute.disputeId, {
        id: transaction.transactionId,
        customerId: transaction.customerId,
      });
  }
}
