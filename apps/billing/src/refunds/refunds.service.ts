import { randomBytes } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type {
  CreateRefundRequestV1,
  ListRefundsReplyV1,
  ListRefundsRequestV1,
  RefundReplyV1,
} from '@aegis/contracts';
import { paginateNewestFirst } from '@aegis/persistence';
import {
  PAYMENT_PROVIDER,
  StripeCircuitOpenError,
  StripeRefusedError,
  type PaymentProvider,
} from '@aegis/stripe';
import type Stripe from 'stripe';
import { DataSource, type EntityManager } from 'typeorm';
import type { BillingTransaction } from '../transactions/entities/billing-transaction.entity.js';
import { refundV1Of } from '../transactions/ledger-replies.js';
import { LedgerService, transactionOrThrow } from '../transactions/ledger.service.js';
import { Refund } from './entities/refund.entity.js';
import { LedgerException, LedgerExceptionCode } from './ledger.exception.js';
import {
  answerMovesForward,
  isRefundableStatus,
  refundStatusOf,
  refundableAmount,
} from './refund-state.js';
import { errorText } from '../billing.exception.js';

/** How long a reserved refund that Stripe has not answered is left to its own request. */
export const UNSENT_GRACE_MS = 30_000;
/** Stripe keeps an idempotency key 24 hours: a reservation older than this is no longer re-sent. */
const RESEND_WITHIN_MS = 23 * 3_600_000;
/**
 * A send (`sending_since`) older than this is taken to have died with its
 * process: well above the longest Stripe call (STRIPE_TIMEOUT_MS, 10 s by
 * default, tried three times), so that a live send is never sent alongside.
 */
export const SEND_LEASE_MS = 120_000;
const RESUME_INTERVAL_MS = 5_000;
const RESUMED_PER_TICK = 50;

/**
 * Ours, reserved, never answered by Stripe, untouched for the grace period ($1
 * seconds) and not being sent (or its send older than the lease, $2 seconds).
 */
const UNSENT_AND_IDLE = `"stripe_refund_id" IS NULL AND "status" = 'pending' AND "origin" = 'aegis'
  AND "updated_at" < now() - make_interval(secs => $1)
  AND ("sending_since" IS NULL OR "sending_since" < now() - make_interval(secs => $2))`;

export function newRefundId(): string {
  return `rf_${randomBytes(12).toString('base64url').replace(/-/g, '_')}`;
}

/** What a request's reservation leads to: a send to Stripe, or the refund answered as it is. */
export type Reservation =
  | {
      readonly next: 'send';
      readonly refund: Refund;
      readonly transaction: BillingTransaction;
      /** A new reservation (nothing was ever sent), or one its key made before (it may have been). */
      readonly firstAttempt: boolean;
    }
  | { readonly next: 'answer'; readonly refund: Refund; readonly transaction: BillingTransaction }
  | { readonly next: 'release'; readonly refund: Refund; readonly transaction: BillingTransaction };

/**
 * Refunds of ledger transactions (docs/ledger.md, "Refunds"). Each is
 * reserved first, under the transaction's row lock, in the transaction that
 * computes what is left (Stripe's refunded amount and every refund we know
 * that holds money, ours in flight included), so concurrent requests are
 * serialized per charge and can never together exceed it. Then Stripe is
 * asked, with the idempotency key `aegis-refund-<our id>`, and its answer
 * recorded; a refusal releases the reservation. A reservation Stripe never
 * answered (a crash, an outage) is sent again with the same key by a timer,
 * so it is made once. A request that names the caller's idempotency key
 * (`requestKey`) and asks again gets the refund that key made, never a second
 * one; one send at a time (`sending_since`) so that it and the timer do not
 * both send.
 */
@Injectable()
export class RefundsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RefundsService.name);
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    private readonly ledger: LedgerService,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => this.wake(), RESUME_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.ticking;
  }

  async create(request: CreateRefundRequestV1): Promise<RefundReplyV1> {
    const reservation = await this.reserve(request);
    const { refund, transaction } = reservation;
    let answered: Refund;
    switch (reservation.next) {
      case 'send':
        answered = await this.send(refund, transaction, {
          firstAttempt: reservation.firstAttempt,
        });
        break;
      case 'release':
        await this.release(refund, 'not sent to Stripe within a day of being reserved');
        answered = await this.dataSource.manager.findOneByOrFail(Refund, {
          refundId: refund.refundId,
        });
        break;
      case 'answer':
        answered = refund;
        break;
    }
    return {
      refund: refundV1Of(answered),
      transaction: await this.ledger.transactionV1(this.dataSource.manager, {
        transactionId: refund.transactionId,
      }),
    };
  }

  async list(request: ListRefundsRequestV1): Promise<ListRefundsReplyV1> {
    const query = this.dataSource.manager.createQueryBuilder(Refund, 'refund');
    if (request.customerId !== undefined)
      query.andWhere('refund.customerId = :customerId', { customerId: request.customerId });
    if (request.transactionId !== undefined)
      query.andWhere('refund.transactionId = :transactionId', {
        transactionId: request.transactionId,
      });
    if (request.status !== undefined)
      query.andWhere('refund.status = :status', { status: request.status });
    const page = await paginateNewestFirst(
      query,
      { alias: 'refund', id: 'refundId', createdAt: 'createdAt' },
      request,
    );
    return { refunds: page.items.map(refundV1Of), hasMore: page.hasMore };
  }

  /**
   * The refund reserved, or the reason it cannot be: the transaction's row is
   * locked until commit, so what is left is computed and taken by one request
   * at a time. A request key that already made a refund of the transaction
   * reserves nothing more: that refund is answered as it is, or, when Stripe
   * never answered it and no one is sending it, claimed to be sent again.
   */
  async reserve(request: CreateRefundRequestV1): Promise<Reservation> {
    return this.dataSource.transaction(async (manager) => {
      const transaction = await transactionOrThrow(
        manager,
        { transactionId: request.transactionId },
        { lock: true },
      );
      if (request.requestKey !== undefined) {
        const keyed = await manager.findOne(Refund, {
          where: { transactionId: transaction.transactionId, requestKey: request.requestKey },
          lock: { mode: 'pessimistic_write' },
        });
        if (keyed !== null) return this.askedAgain(manager, request, keyed, transaction);
      }
      if (transaction.source === 'manual') {
        throw new LedgerException(
          LedgerExceptionCode.NOT_REFUNDABLE,
          `transaction ${transaction.transactionId} was recorded manually (money taken outside Stripe): refund it where it was taken`,
        );
      }
      if (!isRefundableStatus(transaction.status) && transaction.status !== 'refunded') {
        throw new LedgerException(
          LedgerExceptionCode.NOT_REFUNDABLE,
          `transaction ${transaction.transactionId} is ${transaction.status}: only a succeeded payment can be refunded`,
        );
      }
      const refunds = await manager.findBy(Refund, { transactionId: transaction.transactionId });
      const left = refundableAmount(
        transaction.amountCents,
        transaction.amountRefundedCents,
        refunds,
      );
      const amount = request.amount ?? left;
      if (left === 0 || amount > left) {
        throw new LedgerException(
          LedgerExceptionCode.REFUND_EXCEEDS_REMAINING,
          `${left} ${transaction.currency} is left to refund of transaction ${transaction.transactionId}` +
            (request.amount === undefined ? '' : `; ${request.amount} was asked for`),
        );
      }
      const now = new Date();
      const refund = manager.create(Refund, {
        refundId: newRefundId(),
        transactionId: transaction.transactionId,
        customerId: transaction.customerId,
        origin: 'aegis',
        amountCents: amount,
        currency: transaction.currency,
        reason: request.reason ?? null,
        status: 'pending',
        failureReason: null,
        stripeRefundId: null,
        stripeStatus: null,
        lastEventCreated: null,
        requestKey: request.requestKey ?? null,
        requestedAmountCents: request.amount ?? null,
        // This request sends it next.
        sendingSince: now,
        createdAt: now,
        updatedAt: now,
      });
      await manager.insert(Refund, refund);
      return { next: 'send', refund, transaction, firstAttempt: true };
    });
  }

  /**
   * A request whose key already made `keyed` (its row locked, under the
   * transaction's lock): another amount or reason is another request (422);
   * a refund Stripe answered, or released, is answered as it is; one Stripe
   * never answered is claimed to be sent again under its own key, unless a
   * send of it is running (409: ask again once it ends).
   */
  private async askedAgain(
    manager: EntityManager,
    request: CreateRefundRequestV1,
    keyed: Refund,
    transaction: BillingTransaction,
  ): Promise<Reservation> {
    const differs = [
      ...((request.amount ?? null) === keyed.requestedAmountCents
        ? []
        : [
            {
              field: 'amount',
              message:
                `the key's refund ${keyed.refundId} asked for ${keyed.requestedAmountCents ?? 'the rest'}` +
                `, this request for ${request.amount ?? 'the rest'}`,
            },
          ]),
      ...((request.reason ?? null) === keyed.reason
        ? []
        : [
            {
              field: 'reason',
              message: `the key's refund ${keyed.refundId} gave reason ${keyed.reason ?? 'none'}, this request ${request.reason ?? 'none'}`,
            },
          ]),
    ];
    if (differs.length > 0) {
      throw new LedgerException(
        LedgerExceptionCode.IDEMPOTENCY_KEY_REUSED,
        `requestKey ${request.requestKey ?? ''} made refund ${keyed.refundId} of transaction ${transaction.transactionId} with another ${differs.map((d) => d.field).join(' and ')}: use a new key for a new refund`,
        differs,
      );
    }
    if (keyed.stripeRefundId !== null || keyed.status !== 'pending')
      return { next: 'answer', refund: keyed, transaction };
    const now = new Date();
    if (
      keyed.sendingSince !== null &&
      now.getTime() - keyed.sendingSince.getTime() < SEND_LEASE_MS
    ) {
      throw new LedgerException(
        LedgerExceptionCode.IDEMPOTENCY_KEY_IN_USE,
        `refund ${keyed.refundId} under this requestKey is being sent to Stripe now: ask again in a moment`,
      );
    }
    if (now.getTime() - keyed.createdAt.getTime() > RESEND_WITHIN_MS)
      return { next: 'release', refund: keyed, transaction };
    // Claimed: the resumer leaves it (it is being sent, and touched).
    const claim = { sendingSince: now, updatedAt: now };
    await manager.update(Refund, { refundId: keyed.refundId }, claim);
    return {
      next: 'send',
      refund: Object.assign(keyed, claim),
      transaction,
      firstAttempt: false,
    };
  }

  /**
   * Asks Stripe for a reserved refund and records its answer. A refusal
   * releases the reservation (`failed`, with Stripe's reason) and is thrown;
   * an open circuit on the first attempt (nothing was ever sent) releases it
   * too; any other failure to reach Stripe leaves it reserved for the timer to
   * send again.
   */
  async send(
    refund: Refund,
    transaction: BillingTransaction,
    { firstAttempt }: { readonly firstAttempt: boolean },
  ): Promise<Refund> {
    let answer: Stripe.Refund;
    try {
      answer = await this.provider.refund(refund.refundId, {
        ...(transaction.stripeChargeId === null
          ? { payment_intent: transaction.stripePaymentIntentId ?? '' }
          : { charge: transaction.stripeChargeId }),
        amount: refund.amountCents,
        ...(refund.reason === null ? {} : { reason: refund.reason }),
        metadata: {
          aegis_transaction_id: transaction.transactionId,
          ...(transaction.customerId === null ? {} : { aegis_customer_id: transaction.customerId }),
        },
      });
    } catch (error) {
      const notSent = error instanceof StripeCircuitOpenError && firstAttempt;
      if (error instanceof StripeRefusedError || notSent) {
        await this.release(refund, errorText(error));
        if (error instanceof StripeRefusedError && error.stripeCode === 'charge_already_refunded') {
          throw new LedgerException(
            LedgerExceptionCode.REFUND_EXCEEDS_REMAINING,
            `0 ${transaction.currency} is left to refund of transaction ${transaction.transactionId}: Stripe says it has been refunded`,
          );
        }
      } else {
        this.logger.warn(
          `refund ${refund.refundId} is reserved, Stripe did not answer; it will be sent again: ${errorText(error)}`,
        );
        // This send has ended: a retry under its key, or the resumer, may send it again.
        await this.dataSource.manager
          .update(Refund, { refundId: refund.refundId }, { sendingSince: null })
          .catch((cleanup: unknown) => {
            this.logger.warn(
              `refund ${refund.refundId}: its send not marked ended (the lease runs out instead): ${errorText(cleanup)}`,
            );
          });
      }
      throw error;
    }
    return this.recordAnswer(answer, refund.refundId);
  }

  /** Runs one pass now unless one is running: sends again every reservation Stripe never answered. */
  wake(): void {
    if (this.ticking !== undefined || this.stopping) return;
    this.ticking = this.resumeUnsent().finally(() => {
      this.ticking = undefined;
    });
  }

  /**
   * Reserved refunds whose request has had its chance: each sent again with
   * its own key (Stripe answers the refund it made, or makes it now), under a
   * row lock so that two replicas do not both send one. Older than Stripe
   * keeps keys, one is released instead: a refund Stripe did make then still
   * arrives by its events (they name our id).
   */
  async resumeUnsent(): Promise<void> {
    try {
      const rows = await this.dataSource.manager.query<{ refund_id: string }[]>(
        `SELECT "refund_id" FROM "billing"."refunds"
          WHERE ${UNSENT_AND_IDLE}
          ORDER BY "updated_at" LIMIT $3`,
        [UNSENT_GRACE_MS / 1_000, SEND_LEASE_MS / 1_000, RESUMED_PER_TICK],
      );
      for (const { refund_id: refundId } of rows) {
        if (this.stopping) return;
        await this.resumeOne(refundId).catch((error: unknown) => {
          this.logger.warn(`refund ${refundId} not sent yet: ${errorText(error)}`);
        });
      }
    } catch (error) {
      this.logger.warn(`resuming refunds paused: ${errorText(error)}`);
    }
  }

  private async resumeOne(refundId: string): Promise<void> {
    const claimed = await this.dataSource.transaction(async (manager) => {
      const refund = await manager.findOne(Refund, {
        where: { refundId },
        lock: { mode: 'pessimistic_write', onLocked: 'skip_locked' },
      });
      if (refund === null) return null;
      // Still unsent and idle under the lock (a retry under its key may have claimed it since the
      // pass read it). Touched, so that the next pass leaves it another grace period, and marked
      // as being sent, so that a retry does not send it alongside.
      const now = new Date();
      const claimed = await manager.query<{ refund_id: string }[]>(
        // As a CTE, so that the query answers rows (an UPDATE's answer is [rows, count]).
        `WITH "claimed" AS (
           UPDATE "billing"."refunds" SET "updated_at" = $4, "sending_since" = $4
            WHERE "refund_id" = $3 AND ${UNSENT_AND_IDLE}
            RETURNING "refund_id")
         SELECT "refund_id" FROM "claimed"`,
        [UNSENT_GRACE_MS / 1_000, SEND_LEASE_MS / 1_000, refundId, now],
      );
      if (claimed.length === 0) return null;
      return Object.assign(refund, { updatedAt: now, sendingSince: now });
    });
    if (claimed === null) return;
    if (Date.now() - claimed.createdAt.getTime() > RESEND_WITHIN_MS) {
      await this.release(claimed, 'not sent to Stripe within a day of being reserved');
      return;
    }
    const transaction = await transactionOrThrow(this.dataSource.manager, {
      transactionId: claimed.transactionId,
    });
    await this.send(claimed, transaction, { firstAttempt: false });
  }

  /** Stripe's answer to our call, on our refund: its id, and its status if that moves it forward. */
  private async recordAnswer(answer: Stripe.Refund, refundId: string): Promise<Refund> {
    return this.dataSource.transaction(async (manager) => {
      const refund = await this.lockedRefund(manager, refundId);
      const status = refundStatusOf(answer.status);
      const moves = answerMovesForward(refund.status, status);
      const changes: Partial<Refund> = {
        stripeRefundId: answer.id,
        sendingSince: null,
        ...(moves
          ? {
              status,
              stripeStatus: answer.status,
              failureReason: answer.failure_reason ?? null,
            }
          : {}),
        updatedAt: new Date(),
      };
      await manager.update(Refund, { refundId }, changes);
      return Object.assign(refund, changes);
    });
  }

  /** A reservation Stripe refused (or never got): it no longer holds money. */
  private async release(refund: Refund, reason: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const current = await this.lockedRefund(manager, refund.refundId);
      if (current.stripeRefundId !== null || current.status !== 'pending') return;
      await manager.update(
        Refund,
        { refundId: refund.refundId },
        {
          status: 'failed',
          failureReason: reason.slice(0, 1_000),
          sendingSince: null,
          updatedAt: new Date(),
        },
      );
    });
  }

  /** The refund with its transaction's row locked first: every refund change of a charge is serialized. */
  private async lockedRefund(manager: EntityManager, refundId: string): Promise<Refund> {
    const refund = await manager.findOneByOrFail(Refund, { refundId });
    await transactionOrThrow(manager, { transactionId: refund.transactionId }, { lock: true });
    return manager.findOneByOrFail(Refund, { refundId });
  }
}
