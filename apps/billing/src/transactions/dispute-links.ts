import { Brackets, type EntityManager } from 'typeorm';
import type { BillingTransaction } from './entities/billing-transaction.entity.js';
import { TransactionDispute } from './entities/transaction-dispute.entity.js';

/**
 * Links the disputes waiting for this payment (kept with no transaction, as
 * they came before it) to it: those of its charge or of its payment intent.
 * The mirror calls it whenever it writes the payment, under the payment's lock.
 */
export async function linkWaitingDisputes(
  manager: EntityManager,
  transaction: Pick<
    BillingTransaction,
    'transactionId' | 'stripeChargeId' | 'stripePaymentIntentId'
  >,
): Promise<void> {
  const { transactionId, stripeChargeId, stripePaymentIntentId } = transaction;
  if (stripeChargeId === null && stripePaymentIntentId === null) return;
  await manager
    .createQueryBuilder()
    .update(TransactionDispute)
    .set({ transactionId })
    .where('transaction_id IS NULL')
    .andWhere(
      new Brackets((either) => {
        if (stripeChargeId !== null)
          either.orWhere('stripe_charge_id = :stripeChargeId', { stripeChargeId });
        if (stripePaymentIntentId !== null)
          either.orWhere('stripe_payment_intent_id = :stripePaymentIntentId', {
            stripePaymentIntentId,
          });
      }),
    )
    .execute();
}
