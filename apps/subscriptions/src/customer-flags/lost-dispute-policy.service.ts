import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { DisputeStateV1 } from '@aegis/contracts';
import { StripeRefusedError } from '@aegis/stripe';
import {
  DataSource,
  type EntityManager,
  type EntitySubscriberInterface,
  type QueryRunner,
  type TransactionCommitEvent,
} from 'typeorm';
import { SubscriptionsEnv } from '../config/subscriptions.env.js';
import { SubscriptionCommandsService } from '../subscription-commands/subscription-commands.service.js';
import { SubscriptionsException, SubscriptionsExceptionCode } from '../subscriptions.exception.js';
import { CustomerFlag, type CancelStatus } from './entities/customer-flag.entity.js';
import { liveSubscriptionOf } from '../subscription-mirror/live-subscription.js';

/**
 * A cancel being sent (`cancel_claimed_at`) older than this is taken to have
 * died with its process, or failed for a reason worth trying again (Stripe
 * unavailable): well above the longest Stripe call (STRIPE_TIMEOUT_MS, 10 s by
 * default, tried three times).
 */
export const CANCEL_LEASE_SECONDS = 120;
const RESUME_INTERVAL_MS = 5_000;

type FlagKey = Pick<CustomerFlag, 'customerId' | 'flag' | 'stripeDisputeId'>;

interface Settlement {
  readonly status: Exclude<CancelStatus, 'pending'>;
  readonly stripeSubscriptionId: string | null;
  readonly error?: string;
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * The policy for a customer whose dispute was lost (docs/subscriptions.md,
 * "Lost disputes"). In the `dispute.closed.v1` handler's inbox transaction it
 * only writes: the `lost_dispute` flag, once per customer and Stripe dispute,
 * and under LOST_DISPUTE_POLICY `cancel_at_period_end` a pending cancel on the
 * same row. The cancel itself goes to Stripe after that commit, through the
 * subscription commands (which apply Stripe's answer in a transaction of
 * their own), woken by the commit and by a timer that resumes whatever a
 * crash or an outage left pending.
 */
@Injectable()
export class LostDisputePolicyService
  implements OnModuleInit, OnApplicationShutdown, EntitySubscriberInterface<CustomerFlag>
{
  private readonly logger = new Logger(LostDisputePolicyService.name);
  /** Inbox transactions that recorded a pending cancel: their commit wakes the sender. */
  private readonly wakeOnCommit = new WeakSet<QueryRunner>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private again = false;
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly commands: SubscriptionCommandsService,
    private readonly env: SubscriptionsEnv,
  ) {}

  onModuleInit(): void {
    this.dataSource.subscribers.push(this);
    this.timer = setInterval(() => this.wake(), RESUME_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    const index = this.dataSource.subscribers.indexOf(this);
    if (index >= 0) this.dataSource.subscribers.splice(index, 1);
    await this.ticking;
  }

  /**
   * A dispute reached a final status. Lost with a customer: flags the
   * customer (nothing when this dispute already did) and, under
   * `cancel_at_period_end`, leaves the cancel pending for after the commit.
   * Runs in the inbox transaction of `manager`; never calls Stripe.
   */
  async disputeClosed(manager: EntityManager, dispute: DisputeStateV1): Promise<void> {
    if (dispute.status !== 'lost' || dispute.customerId === null) return;
    const policy = this.env.LOST_DISPUTE_POLICY;
    const cancelStatus: CancelStatus | null = policy === 'cancel_at_period_end' ? 'pending' : null;
    const inserted = await manager.query<unknown[]>(
      `INSERT INTO "subscriptions"."customer_flags"
         ("customer_id", "flag", "stripe_dispute_id", "flagged_at", "policy", "cancel_status")
       VALUES ($1, 'lost_dispute', $2, now(), $3, $4)
       ON CONFLICT ("customer_id", "flag", "stripe_dispute_id") DO NOTHING
       RETURNING "customer_id"`,
      [dispute.customerId, dispute.stripeDisputeId, policy, cancelStatus],
    );
    if (inserted.length === 0 || cancelStatus === null) return;
    this.logger.log(
      `customer ${dispute.customerId} lost dispute ${dispute.stripeDisputeId}: flagged, its live subscription to cancel at the period's end`,
    );
    if (manager.queryRunner?.isTransactionActive === true) {
      this.wakeOnCommit.add(manager.queryRunner);
    } else {
      this.wake();
    }
  }

  /** TypeORM's hook, after every commit of this data source: wakes the sender after the flag's own. */
  afterTransactionCommit(event: TransactionCommitEvent): void {
    const runner = event.queryRunner;
    if (runner.isTransactionActive) return; // a savepoint released: the transaction goes on
    if (this.wakeOnCommit.delete(runner)) this.wake();
  }

  /** Sends the pending cancels now, unless a pass is running (it then runs once more). */
  wake(): void {
    if (this.stopping) return;
    if (this.ticking !== undefined) {
      this.again = true;
      return;
    }
    this.ticking = this.tick().finally(() => {
      this.ticking = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  private async tick(): Promise<void> {
    try {
      for (;;) {
        if (this.stopping) return;
        const claimed = await this.claim();
        if (claimed === null) return;
        await this.cancelFor(claimed);
      }
    } catch (error) {
      this.logger.warn(`lost dispute cancels paused: ${errorText(error)}`);
    }
  }

  /** The oldest pending cancel nobody is sending, claimed for this process (a lease). */
  private async claim(): Promise<FlagKey | null> {
    const [rows] = await this.dataSource.query<
      [{ customer_id: string; flag: 'lost_dispute'; stripe_dispute_id: string }[], number]
    >(
      `UPDATE "subscriptions"."customer_flags" SET "cancel_claimed_at" = now()
       WHERE ("customer_id", "flag", "stripe_dispute_id") IN (
         SELECT "customer_id", "flag", "stripe_dispute_id" FROM "subscriptions"."customer_flags"
         WHERE "cancel_status" = 'pending'
           AND ("cancel_claimed_at" IS NULL OR "cancel_claimed_at" < now() - make_interval(secs => $1))
         ORDER BY "flagged_at"
         LIMIT 1
         FOR UPDATE SKIP LOCKED)
       RETURNING "customer_id", "flag", "stripe_dispute_id"`,
      [CANCEL_LEASE_SECONDS],
    );
    const row = rows[0];
    return row === undefined
      ? null
      : { customerId: row.customer_id, flag: row.flag, stripeDisputeId: row.stripe_dispute_id };
  }

  /**
   * Cancels the customer's live subscription at its period's end, outside any
   * transaction: Stripe first, its answer applied to the mirror by the
   * command. A failure Stripe may not repeat (unavailable, the breaker open)
   * keeps the claim, so the cancel is tried again once the lease has passed.
   */
  private async cancelFor(key: FlagKey): Promise<void> {
    const live = await liveSubscriptionOf(this.dataSource.manager, key.customerId);
    if (live === null) {
      await this.settle(key, { status: 'no_live_subscription', stripeSubscriptionId: null });
      return;
    }
    const stripeSubscriptionId = live.stripeSubscriptionId;
    if (live.cancelAtPeriodEnd) {
      await this.settle(key, { status: 'already_canceling', stripeSubscriptionId });
      return;
    }
    let settlement: Settlement;
    try {
      await this.commands.cancel({
        subscriptionId: live.subscriptionId,
        customerId: key.customerId,
        atPeriodEnd: true,
      });
      settlement = { status: 'canceled_at_period_end', stripeSubscriptionId };
    } catch (error) {
      if (error instanceof StripeRefusedError) {
        settlement = { status: 'refused', stripeSubscriptionId, error: error.message };
      } else if (
        error instanceof SubscriptionsException &&
        error.code === SubscriptionsExceptionCode.SUBSCRIPTION_ENDED
      ) {
        settlement = { status: 'no_live_subscription', stripeSubscriptionId };
      } else {
        this.logger.warn(
          `cancel for customer ${key.customerId}'s lost dispute ${key.stripeDisputeId} failed, tried again in ${CANCEL_LEASE_SECONDS} s: ${errorText(error)}`,
        );
        return;
      }
    }
    await this.settle(key, settlement);
  }

  private async settle(key: FlagKey, settlement: Settlement): Promise<void> {
    await this.dataSource.manager.update(
      CustomerFlag,
      { ...key, cancelStatus: 'pending' },
      {
        cancelStatus: settlement.status,
        cancelSettledAt: new Date(),
        cancelClaimedAt: null,
        stripeSubscriptionId: settlement.stripeSubscriptionId,
        cancelError: settlement.error ?? null,
      },
    );
    if (settlement.status === 'refused') {
      this.logger.warn(
        `Stripe refused to cancel customer ${key.customerId}'s subscription for lost dispute ${key.stripeDisputeId}: ${settlement.error ?? ''}`,
      );
    }
  }
}
