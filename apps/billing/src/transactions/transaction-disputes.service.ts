import { Injectable } from '@nestjs/common';
import type { DisputeStateV1 } from '@aegis/contracts';
import { lockUntilCommit } from '@aegis/persistence';
import type { EntityManager } from 'typeorm';
import { supersedes } from './dispute-state.js';
import { TransactionDispute } from './entities/transaction-dispute.entity.js';
import { transactionOfStripe } from './ledger.service.js';
import { TransactionMirrorService } from './transaction-mirror.service.js';

/**
 * The disputes of ledger transactions, from the disputes service's
 * dispute.created/.updated/.closed.v1 (docs/ledger.md, "Disputes"): one row
 * per Stripe dispute holding its latest state, whatever order the events come
 * in, linked to the transaction of its charge (else of its payment intent).
 * A dispute whose payment billing does not know yet is kept unlinked, and
 * linked when that payment is mirrored (linkWaitingDisputes, dispute-links.ts).
 */
@Injectable()
export class TransactionDisputesService {
  constructor(private readonly mirror: TransactionMirrorService) {}

  /**
   * Applies one state of a dispute in the consumer's transaction. Under the
   * dispute's lock, then its payment's (the mirror's lock, so that the
   * payment cannot be mirrored between looking for it here and this row's
   * commit, which would leave the dispute unlinked).
   */
  async apply(manager: EntityManager, state: DisputeStateV1): Promise<void> {
    await lockUntilCommit(manager, `billing.dispute:${state.stripeDisputeId}`);
    await this.mirror.lockStripeObjects(manager, [
      state.stripePaymentIntentId ?? state.stripeChargeId,
    ]);
    const row = await manager.findOneBy(TransactionDispute, {
      stripeDisputeId: state.stripeDisputeId,
    });
    const transactionId =
      row?.transactionId ?? (await transactionOfStripe(manager, state))?.transactionId ?? null;
    const updatedAt = new Date(state.updatedAt);
    if (
      row !== null &&
      !supersedes(
        { updatedAt, status: state.status },
        {
          updatedAt: row.disputeUpdatedAt,
          status: row.status,
        },
      )
    ) {
      // An older state, or the same again: only a link it lacked is written.
      if (row.transactionId === null && transactionId !== null)
        await manager.update(
          TransactionDispute,
          { stripeDisputeId: row.stripeDisputeId },
          { transactionId },
        );
      return;
    }
    const fields = {
      disputeId: state.disputeId,
      stripeChargeId: state.stripeChargeId,
      stripePaymentIntentId: state.stripePaymentIntentId ?? null,
      transactionId,
      amountCents: state.amount,
      currency: state.currency,
      status: state.status,
      reason: state.reason,
      evidenceDueBy: state.evidenceDueBy == null ? null : new Date(state.evidenceDueBy),
      feeCents: state.feeCents ?? null,
      amountWithdrawnCents: state.amountWithdrawn,
      disputeUpdatedAt: updatedAt,
    };
    if (row === null) {
      await manager.insert(TransactionDispute, {
        stripeDisputeId: state.stripeDisputeId,
        ...fields,
      });
    } else {
      await manager.update(
        TransactionDispute,
        { stripeDisputeId: row.stripeDisputeId },
        { ...fields, updatedAt: new Date() },
      );
    }
  }
}
