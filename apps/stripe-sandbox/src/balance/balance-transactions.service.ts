import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type Stripe from 'stripe';
import { idOf } from '../core/ids.js';
import { createdFilter } from '../core/list.js';
import type { Params } from '../core/params.js';
import { resourceMissing } from '../core/stripe-error.js';
import { newId } from '../store/ids.js';
import { SandboxStore } from '../store/sandbox-store.js';
import { cardProcessingFee, DISPUTE_FEE } from './stripe-fees.js';

interface Movement {
  readonly amount: number;
  readonly currency: string;
  readonly created: number;
  readonly description: string | null;
  /** Stripe's fee for it (positive: taken from the balance), with its description. */
  readonly fee: { readonly amount: number; readonly description: string } | null;
  readonly reportingCategory: string;
  readonly source: string;
  readonly type: Stripe.BalanceTransaction.Type;
}

/**
 * The account's balance transactions (`txn_…`): one stored object per money
 * movement, the single record `GET /v1/balance_transactions`, the
 * `balance_transaction` fields of charges and refunds, a dispute's
 * `balance_transactions` and `GET /v1/balance` all read. Every one is
 * `available` at once (`available_on` = `created`): the sandbox has no payout
 * schedule. The `record…` methods run inside the store transaction of the
 * movement.
 */
@Injectable()
export class BalanceTransactionsService implements OnApplicationBootstrap {
  constructor(private readonly store: SandboxStore) {}

  /** After the persisted state is read back (StorePersistence's `onModuleInit`). */
  onApplicationBootstrap(): void {
    this.backfill();
  }

  /**
   * Gives state kept (`SANDBOX_DATABASE_URL`) by a sandbox from before balance
   * transactions were stored the transactions it lacks, so the balance still
   * counts its payments: a dispute's embedded ones move to the store (same
   * ids), and each captured charge, refund (not a release) and failed refund
   * without one gets one, dated as the object. Does nothing on state made
   * since. Returns how many it recorded.
   */
  backfill(): number {
    return this.store.transaction(() => {
      let recorded = 0;
      for (const dispute of this.store.list('dispute').reverse()) {
        for (const transaction of dispute.balance_transactions) {
          if (this.store.find('balance_transaction', transaction.id) !== undefined) continue;
          this.store.insert('balance_transaction', transaction);
          recorded += 1;
        }
        if (dispute.balance_transactions.length > 0) dispute.balance_transactions = [];
      }
      for (const charge of this.store.list('charge').reverse()) {
        if (charge.status !== 'succeeded' || !charge.captured) continue;
        if (charge.balance_transaction !== null) continue;
        this.recordCharge(charge, charge.created);
        recorded += 1;
      }
      for (const refund of this.store.list('refund').reverse()) {
        if (refund.destination_details?.card?.type !== 'refund') continue;
        if (refund.balance_transaction === null) {
          this.recordRefund(refund);
          recorded += 1;
        }
        if (refund.status === 'failed' && refund.failure_balance_transaction === undefined) {
          this.recordRefundFailure(refund, refund.created);
          recorded += 1;
        }
      }
      return recorded;
    });
  }

  private record(movement: Movement): Stripe.BalanceTransaction {
    const fee = movement.fee?.amount ?? 0;
    return this.store.insert('balance_transaction', {
      id: newId('txn'),
      object: 'balance_transaction',
      amount: movement.amount,
      available_on: movement.created,
      balance_type: 'payments',
      created: movement.created,
      currency: movement.currency,
      description: movement.description,
      exchange_rate: null,
      fee,
      fee_details:
        movement.fee === null
          ? []
          : [
              {
                amount: fee,
                application: null,
                currency: movement.currency,
                description: movement.fee.description,
                type: 'stripe_fee',
              },
            ],
      net: movement.amount - fee,
      reporting_category: movement.reportingCategory,
      source: movement.source,
      status: 'available',
      type: movement.type,
    });
  }

  /**
   * A charge's money arrives when it is captured: its captured amount, less
   * Stripe's card processing fee (2.9% + 30). Sets `charge.balance_transaction`.
   */
  recordCharge(charge: Stripe.Charge, created: number): Stripe.BalanceTransaction {
    const transaction = this.record({
      amount: charge.amount_captured,
      currency: charge.currency,
      created,
      description: charge.description,
      fee: {
        amount: cardProcessingFee(charge.amount_captured),
        description: 'Stripe processing fees',
      },
      reportingCategory: 'charge',
      source: charge.id,
      type: 'charge',
    });
    charge.balance_transaction = transaction.id;
    return transaction;
  }

  /**
   * A refund takes its amount out; Stripe keeps its processing fee (fee 0).
   * Sets `refund.balance_transaction`.
   */
  recordRefund(refund: Stripe.Refund): Stripe.BalanceTransaction {
    const transaction = this.record({
      amount: -refund.amount,
      currency: refund.currency,
      created: refund.created,
      description: null,
      fee: null,
      reportingCategory: 'refund',
      source: refund.id,
      type: 'refund',
    });
    refund.balance_transaction = transaction.id;
    return transaction;
  }

  /** A refund that failed gives its amount back. Sets `refund.failure_balance_transaction`. */
  recordRefundFailure(refund: Stripe.Refund, created: number): Stripe.BalanceTransaction {
    const transaction = this.record({
      amount: refund.amount,
      currency: refund.currency,
      created,
      description: null,
      fee: null,
      reportingCategory: 'refund_failure',
      source: refund.id,
      type: 'refund_failure',
    });
    refund.failure_balance_transaction = transaction.id;
    return transaction;
  }

  /**
   * A dispute's money: the withdrawal of its amount and Stripe's dispute fee
   * when it opens, their reinstatement when it is won (Stripe's adjustments
   * with reporting categories `dispute` and `dispute_reversal`).
   */
  recordDispute(
    dispute: Stripe.Dispute,
    direction: 'withdrawal' | 'reinstatement',
    created: number,
  ): Stripe.BalanceTransaction {
    const withdrawal = direction === 'withdrawal';
    const charge = idOf(dispute.charge);
    return this.record({
      amount: withdrawal ? -dispute.amount : dispute.amount,
      currency: dispute.currency,
      created,
      description: withdrawal
        ? `Chargeback withdrawal for ${charge}`
        : `Chargeback reversal for ${charge}`,
      fee: { amount: withdrawal ? DISPUTE_FEE : -DISPUTE_FEE, description: 'Dispute fee' },
      reportingCategory: withdrawal ? 'dispute' : 'dispute_reversal',
      source: dispute.id,
      type: 'adjustment',
    });
  }

  /** The transactions of a source object (a charge, refund or dispute), oldest first. */
  ofSource(source: string): Stripe.BalanceTransaction[] {
    return this.store
      .list('balance_transaction', (transaction) => idOf(transaction.source) === source)
      .reverse();
  }

  /**
   * A dispute as Stripe answers it: its `balance_transactions` are the stored
   * ones whose source it is, oldest first (the stored dispute holds none, so
   * there is one copy of each).
   */
  presentDispute(dispute: Stripe.Dispute): Stripe.Dispute {
    return { ...dispute, balance_transactions: this.ofSource(dispute.id) };
  }

  /** Every transaction, newest first. */
  all(): Stripe.BalanceTransaction[] {
    return this.store.list('balance_transaction');
  }

  get(id: string): Stripe.BalanceTransaction {
    return this.store.get('balance_transaction', id, 'balance_transaction');
  }

  /**
   * Transactions matching a list request's `type`, `source`, `currency` and
   * `created`, newest first. The sandbox makes no payouts, so any `payout` is
   * Stripe's 404 for an unknown payout.
   */
  list(params: Params): Stripe.BalanceTransaction[] {
    const type = params.string('type');
    const source = params.string('source');
    const currency = params.string('currency')?.toLowerCase();
    const payout = params.string('payout');
    const created = createdFilter(params);
    if (payout !== undefined) throw resourceMissing('payout', payout, 'payout');
    return this.store.list(
      'balance_transaction',
      (transaction) =>
        (type === undefined || transaction.type === type) &&
        (source === undefined || idOf(transaction.source) === source) &&
        (currency === undefined || transaction.currency === currency) &&
        created(transaction.created),
    );
  }
}
